"""A batch as it stands at one moment: frozen, typed, what the Compare tab keeps and what every reader of a batch
reads (the grid, the tables, votes, exports, extensions).

``as_dict`` is the `/compare` answer and the kept-batch file's snapshot, key for key; ``from_dict`` reads either
back, including files kept by earlier versions (no ``paid``, no ``origin``: the defaults say what those batches
were). These two are the only places a batch is a dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from playground.compare.cells import BatchCell, CellStatus, Fairness, Origin
from playground.record import FINAL


@dataclass(frozen=True)
class Totals:
    """A batch's counts and cost after: what its new cells (not kept or reused) spent by estimate and were billed,
    how many ended each way, and where its cells came from."""

    spent_usd: float
    billed_usd: float | None
    billed_unknown: int  # completed paid cells with no billed cost (unit price unknown, or not reported)
    counts: dict[str, int]  # per logged status
    origins: dict[str, int]  # new, reused, kept

    @classmethod
    def of(cls, cells: tuple[BatchCell, ...], paid: bool) -> Totals:
        completed = [c for c in cells if c.origin is Origin.NEW and c.status is CellStatus.COMPLETED]
        billed = [c.run.billed_cost_usd for c in completed if c.run.billed_cost_usd is not None]
        return cls(spent_usd=round(sum(c.run.estimated_cost_usd or 0 for c in completed), 6) if paid else 0.0,
                   billed_usd=round(sum(billed), 6) if billed else None,
                   billed_unknown=len(completed) - len(billed) if paid else 0,
                   counts={status.value: sum(1 for c in cells if c.status.value == status.value) for status in FINAL},
                   origins={origin.value: sum(1 for c in cells if c.origin is origin) for origin in Origin})


@dataclass(frozen=True)
class BatchSnapshot:
    """One batch at one moment: its cells in plan order, what each was sent, and what it cost."""

    batch_id: str
    backend: str  # the backend's name, as the results log records it
    paid: bool  # whether its runs are billed (the backend's own word; a batch on the offline preview is not)
    done: bool  # nothing of it is still going
    cells: tuple[BatchCell, ...]
    fairness: tuple[Fairness, ...] = ()
    total_usd: float = 0.0  # the plan's estimate for every cell
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def totals(self) -> Totals:
        return Totals.of(self.cells, self.paid)

    def rows(self) -> dict[str, list[BatchCell]]:
        """Cells grouped by prompt × seed, in plan order."""
        grouped: dict[str, list[BatchCell]] = {}
        for cell in self.cells:
            grouped.setdefault(cell.row, []).append(cell)
        return grouped

    def as_dict(self) -> dict[str, Any]:
        """The `/compare` answer (and the kept file's snapshot): batch_id, cells, fairness, total_usd, warnings,
        notes, then the cost after and the counts."""
        return {"batch_id": self.batch_id, "backend": self.backend, "paid": self.paid, "done": self.done,
                "cells": [cell.as_dict(self.batch_id) for cell in self.cells],
                "fairness": [row.as_dict() for row in self.fairness], "total_usd": self.total_usd,
                "warnings": list(self.warnings), "notes": list(self.notes), **asdict(self.totals)}

    @classmethod
    def from_dict(cls, snapshot: Mapping[str, Any]) -> BatchSnapshot:
        """A snapshot from its dict form; the counts and cost after are worked out again from its cells. Batches
        kept before ``paid`` was written were paid unless they ran on the offline preview (the only free backend
        then)."""
        batch_id, backend = str(snapshot.get("batch_id", "")), str(snapshot.get("backend", ""))
        paid = snapshot.get("paid", backend != "offline")  # before "paid": fal or the (free) offline preview
        return cls(batch_id=batch_id, backend=backend, paid=bool(paid), done=bool(snapshot.get("done")),
                   cells=tuple(BatchCell.from_dict(cell, batch_id) for cell in snapshot.get("cells") or ()),
                   fairness=tuple(Fairness.from_dict(row) for row in snapshot.get("fairness") or ()),
                   total_usd=float(snapshot.get("total_usd") or 0.0),
                   warnings=tuple(str(w) for w in snapshot.get("warnings") or ()),
                   notes=tuple(str(n) for n in snapshot.get("notes") or ()))
