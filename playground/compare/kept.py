"""A kept batch as it stands now, whenever the process that ran it stopped.

A batch is written to the store when it starts and again each time one of its cells ends, so a batch stopped
mid-way (kill -9, SIGTERM, a crash) is still there with every cell it finished. The results log is the last word
on each cell: a cell the file still shows as running may have ended in the moment before the stop, or been
finished after a restart from the in-flight journal, and its row says how. Cells with neither a row nor a
journal entry were stopped before they ran (``interrupted``); cells whose paid request is still in the journal
are ``recovering`` until their row arrives, and an extension waits for them rather than pay for them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from playground.compare.cells import BatchCell, CellStatus, served_warning
from playground.compare.snapshot import BatchSnapshot
from playground.compare.store import BatchStore, KeptBatch, normal_batch_id
from playground.errors import InputError
from playground.journal import Journal
from playground.record import RunRecord
from playground.results import ResultsLog
from playground.visitor import Visitor

RECOVERING = CellStatus.RECOVERING


def settled(snapshot: BatchSnapshot, runs: list[RunRecord], in_flight: list[RunRecord]) -> BatchSnapshot:
    """``snapshot`` with every cell that was still going filled in from its run in the results log (``runs``: the
    batch's rows, oldest first), else marked recovering (a run of ``in_flight``, the journal, is still finishing it)
    or interrupted; its counts and totals follow."""
    logged = {(run.endpoint_id, run.prompt, run.seed): run for run in runs}  # the newest row of a cell wins
    pending = {(run.endpoint_id, run.prompt, run.seed) for run in in_flight}
    cells: list[BatchCell] = []
    warnings = list(snapshot.warnings)
    for cell in snapshot.cells:
        if cell.status.final:
            cells.append(cell)
            continue
        key = (cell.endpoint_id, cell.prompt, cell.seed)
        if key in logged:
            record = logged[key]
            cell = replace(cell, run=record, status=CellStatus.ended(record.status), error=record.error,
                           position=None, last_log="")
            if cell.served_by:
                warnings.append(served_warning(cell))
        elif key in pending:
            cell = replace(cell, status=CellStatus.RECOVERING, position=None,
                           error="the app stopped while this paid request ran; it is being finished from fal")
        else:
            cell = replace(cell, status=CellStatus.INTERRUPTED, position=None,
                           error="the app stopped before this cell ended; it was not run, or its result was not kept")
        cells.append(cell)
    done = all(cell.status is not CellStatus.RECOVERING for cell in cells)
    return replace(snapshot, cells=tuple(cells), warnings=tuple(warnings), done=done)


class KeptBatches:
    """Kept batches found by id for their owner, as they stand now (see ``settled``)."""

    def __init__(self, store: BatchStore, results: ResultsLog, journal: Journal,
                 live: Callable[[str], BatchSnapshot | None] = lambda _batch_id: None, shared: bool = False):
        self.store, self.results, self.journal, self.live = store, results, journal, live
        self.shared = shared  # a private deployment: one workspace, every batch everyone's

    def scope(self, visitor: Visitor) -> frozenset[str] | None:
        """Whose work ``visitor`` may use: everyone's in a shared workspace (None), else their own owners'."""
        return None if self.shared else visitor.owners

    def in_flight(self, batch_id: str) -> list[RunRecord]:
        """The runs of this batch whose paid requests the journal holds, not yet in the results log (the journal's
        own entries, checked by journal.py: each has its run's row)."""
        runs = [RunRecord.from_row(entry["row"]) for entry in self.journal.pending()]
        return [run for run in runs if run.batch_id == batch_id]

    def get(self, batch_id: Any, visitor: Visitor, asked_as: str = "batch_id") -> KeptBatch:
        """A batch the caller may use (any in a shared workspace, else one of theirs) as it stands now, or
        InputError on ``asked_as`` (another visitor's id reads as unknown, never as "not yours")."""
        wanted = normal_batch_id(batch_id, asked_as)
        stored = self.store.load(wanted, None)
        scope = self.scope(visitor)
        if stored is None or (scope is not None and stored.owner not in scope):
            whose = "" if scope is None else " of yours"
            raise InputError([(asked_as, f"no comparison{whose} has the id {wanted!r} (see /compare's batch_id)")])
        live = self.live(wanted)  # a batch running here: as it is this moment
        if live is not None:
            return replace(stored, snapshot=live)
        if all(cell.status.final for cell in stored.snapshot.cells):
            return stored
        frame = self.results.read()
        rows = frame[frame.batch_id == wanted].to_dict(orient="records")
        runs = [RunRecord.from_row({str(k): str(v) for k, v in row.items()}) for row in rows]
        return replace(stored, snapshot=settled(stored.snapshot, runs, self.in_flight(wanted)))
