"""A comparison's cells as they stand: typed, frozen records read by the grid, the tables, votes and exports.

A cell's place in the grid (row, label, prompt) sits beside its run (``RunRecord``: blank but for its endpoint, seed
and estimate until it has one), with a status of its own: a cell waits, is submitted, queued, running, saving or
cancelling before its run ends, and a kept batch read back after a restart can say recovering or interrupted.
The dict forms are the edges only: ``as_dict`` is a cell of the `/compare` answer and of the kept-batch file,
``from_dict`` reads one back (files written by earlier versions too: a missing key keeps its default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from playground.compare.adapt import Change
from playground.record import FINAL, RunRecord, Status

_LOGGED = frozenset(status.value for status in FINAL)


class CellStatus(StrEnum):
    """Where a cell is: the steps before its run ends, the ways a kept batch can find it, and how its run ended."""

    WAITING = "waiting"  # for its batch's slot and the app's
    SUBMITTED = "submitted"
    QUEUED = "queued"
    RUNNING = "running"
    SAVING = "saving"  # the result is being downloaded, probed and logged
    CANCELLING = "cancelling"  # a cancel was asked; the backend has not said how the run ended yet
    RECOVERING = "recovering"  # kept batch: its paid request is still being finished from the journal
    INTERRUPTED = "interrupted"  # kept batch: the app stopped before it ended and no row says how it did
    COMPLETED = Status.COMPLETED.value
    FAILED = Status.FAILED.value
    CANCELLED = Status.CANCELLED.value
    TIMED_OUT = Status.TIMED_OUT.value

    @classmethod
    def ended(cls, status: Status) -> CellStatus:
        """A run's outcome as a cell's status."""
        return cls(status.value)

    @classmethod
    def read(cls, value: Any) -> CellStatus:
        """A status as a kept file says it; one this version does not know reads as not yet ended (``WAITING``),
        so reading the batch back settles it from the results log like any cell still going."""
        try:
            return cls(str(value))
        except ValueError:
            return cls.WAITING

    @property
    def final(self) -> bool:
        """Ended as a run ends (a logged status): what a batch waits for before it is done."""
        return self.value in _LOGGED


class Origin(StrEnum):
    """Where a cell's run comes from: run now, kept from the batch it extends, or reused from the results log."""

    NEW = "new"
    REUSED = "reused"
    KEPT = "kept"

    @classmethod
    def read(cls, value: Any) -> Origin:
        try:
            return cls(str(value))
        except ValueError:
            return cls.NEW  # files kept before extensions existed: every cell was run in its batch


def _whole(value: Any, default: int | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


@dataclass(frozen=True)
class BatchCell:
    """One cell of a batch as it stands: its place in the grid, its run, and what it says now."""

    index: int  # its place in the plan (prompt → seed → endpoint)
    row: str  # its prompt × seed row, e.g. "p1-s7"
    row_label: str  # "prompt 1 · seed 7"
    prompt_index: int
    prompt: str
    label: str  # the endpoint's short label
    run: RunRecord  # the run's outcome; blank but for endpoint, seed and estimate until it has one
    status: CellStatus = CellStatus.WAITING
    error: str = ""  # what went wrong, said by the cell or by its run
    position: int | None = None  # its place in fal's queue while queued
    last_log: str = ""
    origin: Origin = Origin.NEW
    reused_from: str = ""  # the run id reused, for a reused cell
    reused_on: str = ""  # the day that run was made

    @property
    def endpoint_id(self) -> str:
        return self.run.endpoint_id

    @property
    def seed(self) -> int | None:
        return self.run.seed

    @property
    def served_by(self) -> str:
        """Another endpoint than the one asked, when fal says it served the request."""
        return self.run.served_by

    @property
    def credited(self) -> str:
        """The endpoint a vote for this clip counts for: the one fal says served it, else the one asked."""
        return self.run.served_by or self.run.endpoint_id

    @property
    def playable(self) -> bool:
        """A finished clip the page can play."""
        return self.status is CellStatus.COMPLETED and bool(self.run.video_path)

    def as_run(self) -> RunRecord:
        """The run as this cell tells it (its status and error): what an extension keeps of it."""
        return self.run.updated({"status": self.status.value, "error": self.error})

    def as_dict(self, batch_id: str) -> dict[str, Any]:
        """A cell of the `/compare` answer: the `/generate` fields of its run, then its place and state."""
        return {**self.run.as_dict(), "batch_id": batch_id, "reused_from": self.reused_from,
                "reused_on": self.reused_on, "status": self.status.value, "error": self.error, "cell": self.index,
                "row": self.row, "row_label": self.row_label, "prompt_index": self.prompt_index,
                "prompt": self.prompt, "label": self.label, "position": self.position, "last_log": self.last_log,
                "origin": self.origin.value}

    @classmethod
    def from_dict(cls, cell: Mapping[str, Any], batch_id: str = "") -> BatchCell:
        """A cell of a kept file or of the `/compare` answer (its run read as the results log reads a row), of the
        batch ``batch_id`` when given (the answer writes its batch's id on every cell)."""
        run = RunRecord.from_row({**cell, "batch_id": batch_id} if batch_id else cell)
        return cls(index=_whole(cell.get("cell"), 0) or 0, row=str(cell.get("row", "")),
                   row_label=str(cell.get("row_label", "")), prompt_index=_whole(cell.get("prompt_index"), 0) or 0,
                   prompt=str(cell.get("prompt", "")), label=str(cell.get("label", "")), run=run,
                   status=CellStatus.read(cell.get("status")), error=str(cell.get("error") or ""),
                   position=_whole(cell.get("position"), None), last_log=str(cell.get("last_log") or ""),
                   origin=Origin.read(cell.get("origin", Origin.NEW)), reused_from=str(cell.get("reused_from") or ""),
                   reused_on=str(cell.get("reused_on") or ""))


@dataclass(frozen=True)
class Fairness:
    """What one cell asked for, what it sends, each change with its reason, and who served it (`/compare`)."""

    cell: int
    endpoint_id: str
    label: str
    prompt_index: int
    seed: int | None
    asked: dict[str, Any]
    sent: dict[str, Any]
    changed: tuple[Change, ...]
    output: str  # "864×480, 121 frames (5 s)"
    served_by: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"cell": self.cell, "endpoint_id": self.endpoint_id, "label": self.label,
                "prompt_index": self.prompt_index, "seed": self.seed, "asked": self.asked, "sent": self.sent,
                "changed": [change.as_dict() for change in self.changed], "output": self.output,
                "served_by": self.served_by}

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> Fairness:
        return cls(cell=_whole(row.get("cell"), 0) or 0, endpoint_id=str(row.get("endpoint_id", "")),
                   label=str(row.get("label", "")), prompt_index=_whole(row.get("prompt_index"), 0) or 0,
                   seed=_whole(row.get("seed"), None), asked=dict(row.get("asked") or {}),
                   sent=dict(row.get("sent") or {}),
                   changed=tuple(Change.from_dict(change) for change in row.get("changed") or ()),
                   output=str(row.get("output", "")), served_by=str(row.get("served_by") or ""))


def served_warning(cell: BatchCell) -> str:
    """A cell fal ran on another endpoint than the one asked: it compares a different model."""
    return (f"{cell.row_label}: {cell.label} was served by {cell.served_by}, not {cell.endpoint_id} "
            "(fal rerouted it despite the no-fallback headers): this cell does not compare the model you chose")
