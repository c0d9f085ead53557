"""Model judges on fal: which there are and what they cost (``judges``, from ``catalog/judges/``), what they are
told (``instructions``, from an editable data file) and how their answers are read, strictly (``verdict``)."""

from playground.judging.instructions import Instructions, load_instructions
from playground.judging.judges import Clip, Judge, JudgeEndpoint, JudgePrice, Judges, load_judges, price, requests
from playground.judging.verdict import RowVerdict, Rubric, Score, Unreadable, pick_from_rubrics, read_clip, read_row

__all__ = ["Clip", "Instructions", "Judge", "JudgeEndpoint", "JudgePrice", "Judges", "RowVerdict", "Rubric", "Score",
           "Unreadable", "load_instructions", "load_judges", "pick_from_rubrics", "price", "read_clip", "read_row",
           "requests"]
