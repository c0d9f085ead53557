"""Seed checks: "run again with the same seed" compared frame by frame, one CSV row per check
(``<data dir>/seed_checks.csv``). ``SeedCheck`` is a check's row, typed (the CSV columns derive from its fields, as
``RunRecord``'s do for the results log and ``Vote``'s for votes.csv).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from playground.checks import SeedVerdict
from playground.csvlog import string_records
from playground.record import RunRecord, now_iso
from playground.store.base import RecordLog

VERDICTS = ("identical", "near", "different")  # a check's ``verdict`` (see ``checks.compare_clips``)


@dataclass(frozen=True)
class SeedCheck:
    """One "run again with the same seed" comparison, column for column in seed_checks.csv's order (a contract:
    people open the file in a spreadsheet; the columns derive from these fields, as ``RunRecord``'s do)."""

    check_id: str = ""
    created_at: str = ""
    endpoint_id: str = ""
    backend: str = ""
    first_run: str = ""
    second_run: str = ""
    seed: int | None = None
    verdict: str = ""  # identical | near | different (see ``checks.SeedVerdict``)
    frames_equal: int | None = None
    frames: int | None = None
    psnr_db: float | None = None  # None when every frame is equal or the clips cannot be compared frame by frame

    @classmethod
    def made(cls, first: str, second: RunRecord, seed: int, verdict: SeedVerdict) -> SeedCheck:
        """A check done now, with an id of its own: run ``first`` made again as ``second``."""
        return cls(uuid.uuid4().hex[:12], now_iso(), second.endpoint_id, second.backend, first, second.run_id, seed,
                   verdict.verdict, verdict.frames_equal, verdict.frames, verdict.psnr_db)

    def to_row(self) -> dict[str, str]:
        """The row as the log stores it: every column as text (None is empty)."""
        return {name: "" if (value := getattr(self, name)) is None else str(value) for name in COLUMNS}

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> SeedCheck:
        """A check from its stored row (text); a missing column keeps its default, a number that does not parse
        reads as empty."""
        return cls(**{name: _NUMBERS.get(name, str)("" if (value := row.get(name)) is None else str(value))
                      for name in COLUMNS if name in row})


def _whole(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:  # not a whole number (or one of more than 4,300 digits, which Python will not read)
        return None


def _real(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


_NUMBERS: dict[str, Callable[[str], Any]] = {"seed": _whole, "frames_equal": _whole, "frames": _whole, "psnr_db": _real}
COLUMNS = [f.name for f in dataclasses.fields(SeedCheck)]


class SeedChecksLog(RecordLog):
    """``<data dir>/seed_checks.csv`` (or its table), one ``SeedCheck`` per row."""

    columns = COLUMNS

    def record(self, check: SeedCheck) -> SeedCheck:
        """Append ``check``; returns once it is on disk."""
        self.append(check.to_row())
        return check

    def checks(self) -> list[SeedCheck]:
        """Every readable check, oldest first."""
        return [SeedCheck.from_row(row) for row in string_records(self.read())]
