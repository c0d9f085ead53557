"""A comparison while it runs: one state per cell, filled from its run's events, as plain dicts for the UI/API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playground.compare.extend import Arrangement
from playground.compare.grid import clip_key
from playground.compare.plan import Cell, Plan
from playground.events import Completed, Event, InProgress, Queued, Submitted
from playground.record import FINAL, RunRecord, Status
from playground.runner import Watch


def served_warning(cell: dict[str, Any]) -> str:
    """A cell fal ran on another endpoint than the one asked: it compares a different model."""
    return (f"{cell['row_label']}: {cell['label']} was served by {cell['served_by']}, not {cell['endpoint_id']} "
            "(fal rerouted it despite the no-fallback headers): this cell does not compare the model you chose")


@dataclass
class CellState:
    """Where one cell is: waiting → submitted → queued → running → saving → how its run ended (a final Status);
    "cancelling" from the moment a cancel is asked until the backend says how the run ended."""

    cell: Cell
    status: str = "waiting"
    position: int | None = None
    logs: list[str] = field(default_factory=list)
    result: RunRecord | None = None
    error: str = ""
    watch: Watch | None = None
    cancel_requested: bool = False
    origin: str = "new"  # "kept" (the extended batch already had it) or "reused" (a run of the log): not run now

    def apply(self, event: Event | RunRecord) -> None:
        if self.cancel_requested and not isinstance(event, RunRecord):
            self.logs = (self.logs + list(getattr(event, "logs", ())))[-50:]
            return  # it stays "cancelling" until it ends
        if isinstance(event, Submitted):
            self.status = "submitted"
        elif isinstance(event, Queued):
            self.status, self.position = "queued", event.position
        elif isinstance(event, InProgress):
            self.status, self.position = "running", None
            self.logs = (self.logs + list(event.logs))[-50:]
        elif isinstance(event, Completed):
            self.status = "saving"
            self.logs = (self.logs + list(event.logs))[-50:]
        elif isinstance(event, RunRecord):
            self.finish(event)

    def finish(self, result: RunRecord | None, status: Status = Status.FAILED, error: str = "") -> None:
        self.result = result
        self.status = result.status if result else status
        self.error = result.error if result else error
        self.position = None

    def as_dict(self, batch_id: str, backend: str) -> dict[str, Any]:
        """The `/generate` fields of this cell's run (blank until it has one), plus where it sits in the grid."""
        c = self.cell
        run = (self.result or RunRecord(batch_id=batch_id, backend=backend, endpoint_id=c.endpoint.endpoint_id,
                                        seed=c.seed, estimated_cost_usd=c.estimate.usd)).as_dict()
        reused = self.result.run_id if self.origin == "reused" and self.result else ""
        return {**run, "batch_id": batch_id, "reused_from": reused,
                "reused_on": self.result.created_at[:10] if reused and self.result else "",
                "status": str(self.status), "error": self.error or run.get("error") or "", "cell": c.index,
                "row": c.row_key, "row_label": c.row_label, "prompt_index": c.prompt_index, "prompt": c.prompt,
                "label": c.endpoint.short_label, "position": self.position, "last_log": self.logs[-1] if self.logs else "",
                "origin": self.origin}


@dataclass
class Batch:
    """All cells of one comparison run, and the plan they came from."""

    batch_id: str
    plan: Plan
    backend: str
    paid: bool
    cells: list[CellState]
    changed: Callable[[], None] = lambda: None  # tells whoever shows the batch that it changed

    @classmethod
    def start(cls, batch_id: str, arranged: Arrangement, backend: str, paid: bool) -> Batch:
        """Cells kept from the batch extended, or reused from the log, start finished; the others wait to run."""
        cells = [CellState(cell) for cell in arranged.plan.cells]
        for state in cells:
            for origin, runs in (("kept", arranged.kept), ("reused", arranged.reused)):
                if state.cell.index in runs:
                    state.finish(runs[state.cell.index])
                    state.origin = origin
        return cls(batch_id, arranged.plan, backend, paid, cells)

    def cancel(self, keys: set[str] | None = None) -> tuple[int, int]:
        """Stop some cells (all when ``keys``, from ``clip_key``, is None): (started cells told to stop, each still
        ending as a row; cells that had not started, which now never will). Both show at once: started cells as
        "cancelling" until the backend answers, waiting ones as cancelled."""
        started = waiting = 0
        for state in self.cells:
            if (keys is None or clip_key(self.batch_id, state.cell.index) in keys) and state.status not in FINAL:
                state.cancel_requested = True
                if state.watch:
                    state.watch.cancel()
                    state.status, state.position = "cancelling", None
                    started += 1
                else:
                    state.finish(None, Status.CANCELLED, "cancelled before it started")
                    waiting += 1
        if started or waiting:
            self.changed()
        return started, waiting

    @property
    def done(self) -> bool:
        return all(state.status in FINAL for state in self.cells)

    def snapshot(self) -> dict[str, Any]:
        """The batch as `/compare` returns it: batch_id, cells, fairness, total_usd (plus warnings and cost after)."""
        cells = [state.as_dict(self.batch_id, self.backend) for state in self.cells]
        rerouted = [c for c in cells if c.get("served_by")]
        fairness = [{**cell.fairness(), "served_by": state["served_by"] or ""}
                    for cell, state in zip(self.plan.cells, cells, strict=True)]
        return {"batch_id": self.batch_id, "backend": self.backend, "paid": self.paid, "done": self.done,
                "cells": cells, "fairness": fairness, "total_usd": self.plan.total_usd,
                "warnings": [*self.plan.warnings, *(served_warning(c) for c in rerouted)],
                "notes": list(self.plan.notes), **totals(cells, self.paid)}


def totals(cells: list[dict[str, Any]], paid: bool) -> dict[str, Any]:
    """A batch's counts and cost after, from its cells: what its new cells (not kept or reused) spent by estimate and
    were billed, how many ended each way, and where its cells came from."""
    completed = [c for c in cells if c.get("origin", "new") == "new" and c["status"] == "completed"]
    billed = [c["billed_cost_usd"] for c in completed if c.get("billed_cost_usd") is not None]
    return {"spent_usd": round(sum(c["estimated_cost_usd"] or 0 for c in completed), 6) if paid else 0.0,
            "billed_usd": round(sum(billed), 6) if billed else None,
            "billed_unknown": len(completed) - len(billed) if paid else 0,
            "counts": {str(status): sum(1 for c in cells if c["status"] == status) for status in FINAL},
            "origins": {origin: sum(1 for c in cells if c.get("origin", "new") == origin)
                        for origin in ("new", "reused", "kept")}}
