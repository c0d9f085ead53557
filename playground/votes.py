"""Votes from comparisons: for one prompt × seed row, which endpoint's clip was best (one CSV row per vote)."""

from __future__ import annotations

import json
import uuid
from typing import Any

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

    def voted_rows(self, batch_id: str) -> set[str]:
        frame = self.read()
        return set(frame[frame.batch_id == batch_id].row)
