"""Votes from comparisons: for one prompt × seed row, which endpoint's clip was best (one CSV row per vote).

A vote can be changed: the log only grows (a changed vote is a new row), and the newest vote on a row is the one
that counts (``current``), so the file stays an honest record of what was said and when. ``Vote`` is a vote's row,
typed (the CSV columns derive from its fields, as ``RunRecord``'s do for the results log).
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from playground.record import now_iso
from playground.store.base import RecordLog

TIE, ALL_BAD = "tie", "none"  # a vote's ``winner`` when no single clip won (no endpoint id is either word)


@dataclass(frozen=True)
class Vote:
    """One vote, column for column in the log's order (a contract: people open votes.csv in a spreadsheet)."""

    vote_id: str = ""
    created_at: str = ""
    batch_id: str = ""
    row: str = ""  # the prompt × seed row, e.g. "p1-s7"
    prompt: str = ""
    seed: int | None = None
    winner: str = ""  # an endpoint id of ``candidates``, ``tie`` (all equally good) or ``none`` (all bad)
    candidates: tuple[str, ...] = ()  # the endpoints whose clips were on show (the log holds their JSON list)
    blind: bool = False
    backend: str = ""
    judge: str = ""  # who voted: a name they gave, "hf:<username>" when signed in, else their visitor id (new last)

    @classmethod
    def cast(cls, batch_id: str, row: str, prompt: str, seed: int | None, winner: str, candidates: list[str],
             blind: bool, backend: str, judge: str = "") -> Vote:
        """A vote given now, with an id of its own."""
        return cls(uuid.uuid4().hex[:12], now_iso(), batch_id, row, prompt, seed, winner, tuple(candidates), blind,
                   backend, judge)

    def to_row(self) -> dict[str, str]:
        """The row as the log stores it: every column as text."""
        return {"vote_id": self.vote_id, "created_at": self.created_at, "batch_id": self.batch_id, "row": self.row,
                "prompt": self.prompt, "seed": "" if self.seed is None else str(self.seed), "winner": self.winner,
                "candidates": json.dumps(list(self.candidates)), "blind": "true" if self.blind else "false",
                "backend": self.backend, "judge": self.judge}

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Vote:
        """A vote from its stored row (text); a missing column keeps its default, a value that does not parse
        reads as empty."""
        def text(name: str) -> str:
            value = row.get(name)
            return "" if value is None else str(value)

        try:
            candidates = json.loads(text("candidates") or "[]")
        except ValueError:
            candidates = []
        try:  # a hand-edited seed ("²", thousands of digits) reads as none rather than failing the read
            seed: int | None = int(text("seed").strip())
        except ValueError:
            seed = None
        return cls(text("vote_id"), text("created_at"), text("batch_id"), text("row"), text("prompt"), seed,
                   text("winner"),
                   tuple(str(c) for c in candidates) if isinstance(candidates, list) else (),
                   text("blind").strip().lower() == "true", text("backend"), text("judge"))


COLUMNS: list[str] = [f.name for f in dataclasses.fields(Vote)]
EVERY_JUDGE = "everyone"  # the judge filter that keeps every judge's votes


def judges(votes: pd.DataFrame) -> list[str]:
    """The judges who have voted, by name (votes from before judges were named show as "")."""
    return sorted(set(votes.judge)) if not votes.empty else []


def by_judge(votes: pd.DataFrame, judge: str) -> pd.DataFrame:
    """The votes of one judge, or of everyone (``EVERY_JUDGE``)."""
    return votes if judge == EVERY_JUDGE or votes.empty else votes[votes.judge == judge]


class VotesLog(RecordLog):
    """``<data dir>/votes.csv`` (or its table), one ``Vote`` per row."""

    columns = COLUMNS

    def record(self, vote: Vote) -> Vote:
        """Append ``vote``; returns once it is on disk."""
        self.append(vote.to_row())
        return vote

    def current(self) -> pd.DataFrame:
        """The votes that count: each judge's newest on each row (their earlier ones there were changed). Votes
        logged before judges were named share the empty judge, so the newest on such a row still counts once."""
        frame = self.read()
        return frame.drop_duplicates(subset=["batch_id", "row", "judge"], keep="last") if not frame.empty else frame

    def voted_rows(self, batch_id: str, judge: str | None = None) -> set[str]:
        """The rows of a batch voted on (by ``judge``, when one is named)."""
        frame = self.read()
        mine = frame[frame.batch_id == batch_id]
        return set((mine if judge is None else mine[mine.judge == judge]).row)

    def vote_on(self, batch_id: str, row: str, judge: str = "") -> Vote | None:
        """The vote that counts on one row of a batch by one judge, or None."""
        frame = self.read()
        mine = frame[(frame.batch_id == batch_id) & (frame.row == row) & (frame.judge == judge)]
        return None if mine.empty else Vote.from_row({str(k): v for k, v in mine.iloc[-1].items()})
