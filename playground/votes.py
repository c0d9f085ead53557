"""Votes from comparisons: for one prompt × seed row, which endpoint's clip was best (one CSV row per vote).

A vote can be changed: the log only grows (a changed vote is a new row), and the newest vote on a row is the one
that counts (``current``), so the file stays an honest record of what was said and when.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pandas as pd

from playground.csvlog import CsvLog
from playground.record import now_iso

TIE, ALL_BAD = "tie", "none"  # a vote's ``winner`` when no single clip won (no endpoint id is either word)
COLUMNS = ["vote_id", "created_at", "batch_id", "row", "prompt", "seed", "winner", "candidates", "blind", "backend"]


class VotesLog(CsvLog):
    """``<data dir>/votes.csv``; ``candidates`` is the JSON list of endpoint ids that were on show; ``winner`` is
    one of them, ``tie`` (all equally good) or ``none`` (all bad)."""

    columns = COLUMNS

    def record(self, batch_id: str, row: str, prompt: str, seed: Any, winner: str, candidates: list[str],
               blind: bool, backend: str) -> dict[str, Any]:
        vote = {"vote_id": uuid.uuid4().hex[:12], "created_at": now_iso(), "batch_id": batch_id, "row": row,
                "prompt": prompt, "seed": seed, "winner": winner, "candidates": json.dumps(candidates),
                "blind": "true" if blind else "false", "backend": backend}
        self.append(vote)
        return vote

    def current(self) -> pd.DataFrame:
        """The vote that counts on each row: the newest one (earlier ones on that row were changed)."""
        frame = self.read()
        return frame.drop_duplicates(subset=["batch_id", "row"], keep="last") if not frame.empty else frame

    def voted_rows(self, batch_id: str) -> set[str]:
        frame = self.read()
        return set(frame[frame.batch_id == batch_id].row)

    def vote_on(self, batch_id: str, row: str) -> dict[str, str] | None:
        """The vote that counts on one row of a batch, or None."""
        frame = self.read()
        mine = frame[(frame.batch_id == batch_id) & (frame.row == row)]
        return None if mine.empty else {str(k): str(v) for k, v in mine.iloc[-1].items()}
