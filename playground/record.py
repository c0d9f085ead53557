"""A run's one row in the results log, typed: ``RunRecord`` (the CSV columns derive from its fields) and ``Status``.

Every place that writes or reads a run's row goes through this one type: the launcher fills in what is known
before the run starts, the runner what it learns, ``to_row`` is what the log stores and ``from_row`` reads it
back (from the log, or from the in-flight journal). ``as_dict`` is the `/generate` answer.
"""

from __future__ import annotations

import dataclasses
import math
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any, Union, get_args, get_origin, get_type_hints


class Status(StrEnum):
    """How a run ended, as the results log's ``status`` column says (``INTERRUPTED`` is never logged)."""

    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"
    INTERRUPTED = "interrupted"  # the app stopped under it: told to its watcher; the journal finishes it next start


FINAL: tuple[Status, ...] = (Status.COMPLETED, Status.FAILED, Status.CANCELLED, Status.TIMED_OUT)  # logged statuses


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


MAX_BILL_RATIO = 20  # a bill this many times the estimate is not a bill (unknown input lengths explain ~4×)
MAX_BILL_USD = 100.0  # nor is one above this when there is no estimate: a 15 s 1080p clip costs about $10


def billed_cost(units: str, usd_per_unit: float | None, estimate_usd: float = 0.0) -> tuple[str, float | None, str]:
    """What fal billed: (the billable units to keep, their cost in dollars, a note). Units that cannot be right —
    not a number, negative, infinite, or a cost far beyond the estimate — are not kept: the cost stays unknown, so
    caps and the leaderboard count the estimate, and the note says so. The cost is None when the unit price is
    unknown."""
    text = (units or "").strip()
    if not text:
        return "", None, ""
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    ceiling = estimate_usd * MAX_BILL_RATIO if estimate_usd > 0 else MAX_BILL_USD
    cost = number * usd_per_unit if usd_per_unit else None
    if not math.isfinite(number) or number < 0 or (cost is not None and cost > ceiling):
        return "", None, (f"fal reported {text[:40]!r} billable units, which cannot be right; the estimate is "
                          "counted instead")
    return text, None if cost is None else round(cost, 6), ""


@dataclass
class RunRecord:
    """One run, column for column in the results log's order (a contract: users open the log in a spreadsheet; new columns go last)."""

    run_id: str = ""
    batch_id: str = ""
    created_at: str = ""
    finished_at: str = ""
    backend: str = ""
    endpoint_id: str = ""
    status: Status = Status.FAILED  # until the run says otherwise
    request_id: str = ""
    prompt: str = ""
    arguments_json: str = ""  # exactly what was sent (inline files as ``inputs/<sha256>.<ext>`` references)
    seed: int | None = None
    video_url: str = ""
    video_path: str = ""
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    frames: int | None = None
    duration_s: float | None = None
    queue_s: float | None = None
    run_s: float | None = None
    total_s: float | None = None
    estimated_cost_usd: float = 0.0
    billed_units: str = ""
    error: str = ""
    checks: str = ""  # "ok", or what differs from the request ("black", "frozen", size or frame mismatches)
    has_audio: bool | None = None
    mean_luma: float | None = None
    motion: float | None = None
    owner: str = ""  # whose run: a key fingerprint or a session hash, never a key
    billed_to: str = ""  # who paid: server | visitor | "" (offline)
    billed_cost_usd: float | None = None  # billed units × the catalog's unit price; None when either is unknown
    served_by: str = ""  # another endpoint than the one asked, when fal says it served the request
    flicker: float | None = None  # signals measured on the saved clip (playground.signals; None: not measured)
    sharpness: float | None = None
    cuts: str = ""  # the frames a hard cut lands on, space-separated
    loudness_db: float | None = None
    silence: float | None = None
    output_text: str = ""  # a judge's answer as fal gave it (its ``output``), kept whole even when unreadable
    judged: str = ""  # a judge run's subject (JSON: batch, row, judge, the runs it judged); "" for a generation

    def to_row(self) -> dict[str, str]:
        """The row as the log stores it: every column as text (None is empty, booleans are true/false)."""
        return {name: _text(getattr(self, name)) for name in COLUMNS}

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> RunRecord:
        """A record from a stored row (text) or a journal entry's row (JSON values); unknown keys are ignored,
        missing ones keep their defaults, and a value that does not parse reads as empty."""
        return cls(**{name: _PARSERS[name](row[name]) for name in COLUMNS if name in row})

    def updated(self, columns: Mapping[str, Any]) -> RunRecord:
        """A copy with some columns replaced, each parsed as ``from_row`` parses it."""
        return dataclasses.replace(self, **{name: _PARSERS[name](value) for name, value in columns.items()})

    def as_dict(self) -> dict[str, Any]:
        """The `/generate` answer: the run's outcome with typed values (no prompt, arguments or owner)."""
        return {name: str(value) if isinstance(value := getattr(self, name), Status) else value
                for name in ANSWER_FIELDS}


COLUMNS: list[str] = [f.name for f in dataclasses.fields(RunRecord)]
ANSWER_FIELDS = ("run_id", "request_id", "endpoint_id", "backend", "status", "seed", "width", "height", "fps", "frames",
                 "duration_s", "estimated_cost_usd", "video_path", "video_url", "error", "batch_id", "queue_s", "run_s",
                 "total_s", "billed_units", "checks", "has_audio", "billed_cost_usd", "served_by", "flicker",
                 "sharpness", "cuts", "loudness_db", "silence")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _whole(value: Any) -> int | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        return int(number) if number.is_integer() else None


def _real(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else {"true": True, "false": False}.get(str(value).strip().lower())


def _status(value: Any) -> Status:
    try:
        return Status(str(value))
    except ValueError:
        return Status.FAILED


def _parser(hint: Any) -> Callable[[Any], Any]:
    """How to read one column back, from its annotation (``int | None`` → a whole number or None, …)."""
    if hint is Status:
        return _status
    options = set(get_args(hint)) - {type(None)} if get_origin(hint) in (Union, types.UnionType) else {hint}
    if options == {bool}:
        return _flag
    if options == {int}:
        return _whole
    if options == {float}:
        return _real if hint is not float else lambda value: _real(value) or 0.0
    return lambda value: "" if value is None else str(value)


_PARSERS: dict[str, Callable[[Any], Any]] = {name: _parser(hint) for name, hint in get_type_hints(RunRecord).items()}
