"""A judge's answer is read strictly: one JSON object of the instructions' shape (in at most one Markdown fence), or
Unreadable with the answer exactly as it came and why — never a made-up score, never an exception."""

import json
from dataclasses import replace

import pytest

from playground.judging.verdict import (
    MAX_LINE,
    RowVerdict,
    Rubric,
    Score,
    Unreadable,
    pick_from_rubrics,
    read_clip,
    read_row,
)

LINE_BREAKS = ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def clip_answer(**changes):
    answer = {"present": ["a red kite", "a beach"], "missing": ["a dog"],
              "adherence": {"score": 4, "reason": "kite and beach, no dog"},
              "artifacts": {"score": 5, "reason": "clean"}, "motion": {"score": 3, "reason": "the kite jitters"},
              "sound": {"score": 2, "reason": "a hum that fits nothing"}}
    answer.update(changes)
    return {k: v for k, v in answer.items() if v is not ...}


GOOD = json.dumps(clip_answer())
EXPECTED = Rubric(("a red kite", "a beach"), ("a dog",), Score(4, "kite and beach, no dog"), Score(5, "clean"),
                  Score(3, "the kite jitters"), Score(2, "a hum that fits nothing"))
SILENT = replace(EXPECTED, sound=None)


@pytest.mark.parametrize("text, has_audio, expected", [
    (GOOD, True, EXPECTED),
    (GOOD, False, SILENT),
    (json.dumps(clip_answer(sound=...)), False, SILENT),
    (json.dumps(clip_answer(sound=None)), False, SILENT),
    (json.dumps(clip_answer(sound="whatever")), False, SILENT),
    (f"```json\n{GOOD}\n```", True, EXPECTED),
    (f"```\n{GOOD}\n```", True, EXPECTED),
    (f"  \n```JSON\n{json.dumps(clip_answer(), indent=2)}```\n\n", True, EXPECTED),
    ("".join(LINE_BREAKS) + GOOD + " \t" + "".join(LINE_BREAKS), True, EXPECTED),
    (json.dumps(clip_answer(present=[], missing=[])), True, replace(EXPECTED, present=(), missing=())),
], ids=["plain", "sound-ignored-without-audio", "no-sound-key", "sound-null", "sound-odd-ignored", "fence-json",
        "fence-bare", "fence-indented-no-newline-before-close", "every-line-break-around", "empty-lists"])
def test_a_readable_clip_answer(text, has_audio, expected):
    assert read_clip(text, has_audio) == expected


def test_the_mean_is_of_the_scores_given():
    assert read_clip(GOOD, True).mean == (4 + 5 + 3 + 2) / 4
    assert read_clip(GOOD, False).mean == (4 + 5 + 3) / 3


def test_reasons_and_elements_become_one_capped_line():
    messy = "a kite" + "".join(f"{brk}over{brk}" for brk in LINE_BREAKS) + "  the\tsea"
    text = json.dumps(clip_answer(present=[messy], adherence={"score": 4, "reason": messy},
                                  motion={"score": 3, "reason": "x" * 1000},
                                  artifacts={"score": 5, "reason": "a \ud800 lone surrogate"}))
    rubric = read_clip(text, False)
    one_line = "a kite" + " over" * len(LINE_BREAKS) + " the sea"
    assert rubric.present == (one_line,) and rubric.adherence.reason == one_line
    assert rubric.motion.reason == "x" * (MAX_LINE - 1) + "…" and len(rubric.motion.reason) == 300
    assert rubric.artifacts.reason == "a \\ud800 lone surrogate"  # storable: the surrogate as its escape


def score(value):
    return {"score": value, "reason": "r"}


@pytest.mark.parametrize("text, has_audio, why", [
    ("", False, "empty"),
    (" \n\u2028\t", False, "empty"),
    ("The clip is good, 4/5.", False, "not one JSON object"),
    (f"Here is my verdict: {GOOD}", True, "not one JSON object"),
    (f"{GOOD}\nHope this helps!", True, "not one JSON object"),
    (GOOD + GOOD, True, "not one JSON object"),
    (f"```json\n{GOOD}\n```\n```json\n{GOOD}\n```", True, "not one JSON object"),
    (f"```json\n{GOOD}\n", True, "fence"),
    (f"```json {GOOD}```", True, "fence"),
    (f"'''\n{GOOD}\n'''", True, "not one JSON object"),
    (json.dumps([clip_answer()]), True, "a JSON list, not an object"),
    ('"just text"', True, "a JSON string, not an object"),
    ("4", True, "a JSON number, not an object"),
    ("null", True, "a JSON null, not an object"),
    ("\ufeff" + GOOD, True, "not one JSON object"),
    (GOOD.replace('"present"', '\u2028"present"'), True, "not one JSON object"),  # a line break JSON does not allow
    # a raw newline inside a string (JSON wants it escaped)
    (GOOD.replace("kite and beach", "kite\nand beach"), True, "Invalid control character at (character"),
    (json.dumps(clip_answer(adherence=score(4.5))), True, "adherence.score"),
    (json.dumps(clip_answer(adherence=score(4.0))), True, "adherence.score"),
    (json.dumps(clip_answer(adherence=score("4"))), True, "adherence.score"),
    (json.dumps(clip_answer(adherence=score(True))), True, "adherence.score"),
    (json.dumps(clip_answer(adherence=score(0))), True, "adherence.score"),
    (json.dumps(clip_answer(motion=score(6))), True, "motion.score"),
    (json.dumps(clip_answer(motion=score(None))), True, "motion.score"),
    (json.dumps(clip_answer(artifacts=score(-1))), True, "artifacts.score"),
    (GOOD.replace('"score": 4', '"score": NaN'), True, "NaN"),
    (GOOD.replace('"score": 4', '"score": Infinity'), True, "Infinity"),
    (json.dumps(clip_answer(adherence=4)), True, "adherence must be"),
    (json.dumps(clip_answer(adherence={"score": 4})), True, "adherence must be"),
    (json.dumps(clip_answer(adherence={"score": 4, "reason": "r", "confidence": 0.9})), True, "adherence must be"),
    (json.dumps(clip_answer(adherence={"score": 4, "reason": 4})), True, "adherence.reason must be text"),
    (json.dumps(clip_answer(adherence={"score": 4, "reason": " \u2028 "})), True, "adherence.reason is empty"),
    (json.dumps(clip_answer(motion=...)), True, "lacks the key 'motion'"),
    (json.dumps(clip_answer(present=...)), True, "lacks the key 'present'"),
    (json.dumps(clip_answer(sound=...)), True, "lacks the key 'sound' (the clip has sound)"),
    (json.dumps(clip_answer(sound=None)), True, "sound is null"),
    (json.dumps(clip_answer(sound=score(3.5))), True, "sound.score"),
    (json.dumps(clip_answer(overall=score(4))), True, "unexpected key 'overall'"),
    (json.dumps(clip_answer(present="a kite")), True, "present must be a list"),
    (json.dumps(clip_answer(missing=["a dog", 3])), True, "missing[1] must be text"),
    (json.dumps(clip_answer(missing=["a dog", ""])), True, "missing[1] is empty"),
    (GOOD[:-1] + ', "motion": {"score": 5, "reason": "again"}}', True, "'motion' appears twice"),
    ("[" * 100_000 + "]" * 100_000, True, "nested too deeply"),
    ("x" * 1_000_000, True, "1,000,000 characters"),
    (" " * 1_000_000 + GOOD, True, "characters"),
    ("\ud800" + GOOD, True, "not one JSON object"),
])
def test_an_answer_that_cannot_be_read_is_kept_as_it_came(text, has_audio, why):
    read = read_clip(text, has_audio)
    assert isinstance(read, Unreadable)
    assert read.raw is text  # exactly as received, not trimmed
    assert why in read.why and len(read.why) < 200


def row_answer(clips, best=2, reason="clip 2 keeps the kite steady", **more):
    return json.dumps({"clips": clips, "best": best, "reason": reason, **more})


def numbered(number, **changes):
    return {"clip": number, **clip_answer(**changes)}


def test_a_readable_row_answer_in_clip_order():
    text = row_answer([numbered(2, sound=None), numbered(1)])  # given out of order
    read = read_row(f"```json\n{text}\n```", 2, [True, False])
    assert read == RowVerdict((EXPECTED, SILENT), 1, False, False, "clip 2 keeps the kite steady")


@pytest.mark.parametrize("best, expected", [(1, (0, False, False)), (3, (2, False, False)),
                                            ("tie", (None, True, False)), ("none", (None, False, True))])
def test_the_row_pick(best, expected):
    read = read_row(row_answer([numbered(1), numbered(2), numbered(3)], best=best), 3, [True] * 3)
    assert (read.best, read.tie, read.none) == expected


def test_one_clip_wrong_in_a_row_is_that_clip_unreadable_with_the_whole_answer():
    text = row_answer([numbered(1), numbered(2, motion=score(4.5)), numbered(3, sound=...)])
    read = read_row(text, 3, [True, True, False])
    assert read.rubrics[0] == EXPECTED and isinstance(read.rubrics[2], Rubric) and read.rubrics[2].sound is None
    assert read.rubrics[1] == Unreadable(text, "clip 2: motion.score must be a whole number from 1 to 5, got 4.5")
    assert read.best == 1


@pytest.mark.parametrize("text, why", [
    (row_answer([numbered(1), numbered(1)]), "clip 1 is judged twice"),
    (row_answer([numbered(1), numbered(3)]), "clips[1] must be an object whose clip is a number from 1 to 2"),
    (row_answer([numbered(1), numbered(0)]), "clips[1]"),
    (row_answer([numbered(1), numbered("2")]), "clips[1]"),
    (row_answer([numbered(1), numbered(True)]), "clips[1]"),
    (row_answer([numbered(1), numbered(2.0)]), "clips[1]"),
    (row_answer([numbered(1), clip_answer()]), "clips[1]"),
    (row_answer([numbered(1), "clip 2 is fine"]), "clips[1]"),
    (row_answer([numbered(1)]), "clips holds 1 verdicts for 2 clips"),
    (row_answer([numbered(1), numbered(2), numbered(3)]), "clips holds 3 verdicts for 2 clips"),
    (row_answer({"1": clip_answer(), "2": clip_answer()}), "clips must be a list"),
    (row_answer([numbered(1), numbered(2)], best=0), "best must be a clip number from 1 to 2"),
    (row_answer([numbered(1), numbered(2)], best=3), "best must be"),
    (row_answer([numbered(1), numbered(2)], best="2"), "best must be"),
    (row_answer([numbered(1), numbered(2)], best=True), "best must be"),
    (row_answer([numbered(1), numbered(2)], best="both"), "best must be"),
    (row_answer([numbered(1), numbered(2)], best=None), "best must be"),
    (row_answer([numbered(1), numbered(2)], reason=""), "reason is empty"),
    (row_answer([numbered(1), numbered(2)], winner=2), "unexpected key 'winner'"),
    (json.dumps({"clips": [numbered(1), numbered(2)], "best": 1}), "lacks the key 'reason'"),
    (row_answer([numbered(1), numbered(2)])[:-1] + ', "best": 1}', "'best' appears twice"),
    (json.dumps(clip_answer()), "unexpected key"),
    ("", "empty"),
])
def test_a_row_answer_that_cannot_be_read(text, why):
    read = read_row(text, 2, [True, True])
    assert isinstance(read, Unreadable) and read.raw is text and why in read.why


def test_a_row_needs_as_many_sound_flags_as_clips():
    with pytest.raises(ValueError):
        read_row(row_answer([numbered(1)]), 2, [True])


def rubric(*scores):
    sound = Score(scores[3], "s") if len(scores) == 4 else None
    return Rubric((), (), Score(scores[0], "a"), Score(scores[1], "b"), Score(scores[2], "c"), sound)


@pytest.mark.parametrize("rubrics, expected", [
    ([rubric(4, 4, 4), rubric(5, 5, 5)], (1, "clip 2 has the highest mean score, 5.00")),
    ([rubric(3, 3, 3)], (0, "clip 1 has the highest mean score, 3.00")),
    ([rubric(4, 4, 4), rubric(4, 4, 4)], (None, "tie")),
    ([rubric(4, 4, 4), rubric(5, 4, 4, 3), rubric(1, 1, 1)], (None, "tie")),  # 12/3 = 16/4
    ([rubric(5, 5, 4), rubric(5, 5, 4, 5)], (1, "clip 2 has the highest mean score, 4.75")),  # 4.67 < 4.75
    ([rubric(5, 5, 4, 4), rubric(5, 5, 4)], (1, "clip 2 has the highest mean score, 4.67")),  # 4.5 < 4.67
    ([rubric(5, 5, 5), Unreadable("x", "bad")], (None, "no pick: the verdict on clip 2 could not be read")),
    ([Unreadable("", "a"), rubric(1, 1, 1), Unreadable("", "b")],
     (None, "no pick: the verdict on clips 1, 3 could not be read")),
    ([], (None, "no clips to pick from")),
])
def test_the_per_clip_pick(rubrics, expected):
    assert pick_from_rubrics(rubrics) == expected
