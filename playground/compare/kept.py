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
from typing import Any

from playground.compare.batch import served_warning, totals
from playground.compare.store import BatchStore, normal_batch_id
from playground.errors import InputError
from playground.journal import Journal
from playground.record import FINAL, RunRecord, Status
from playground.results import ResultsLog
from playground.visitor import Visitor

RECOVERING = "recovering"


def _key(cell: dict[str, Any]) -> tuple[str, str, str]:
    return str(cell.get("endpoint_id", "")), str(cell.get("prompt", "")), str(cell.get("seed", ""))


def settled(snapshot: dict[str, Any], rows: list[dict[str, str]], in_flight: list[dict[str, Any]]) -> dict[str, Any]:
    """``snapshot`` with every cell that was still going filled in from its row in the results log (``rows``: the
    batch's rows, oldest first), else marked recovering (a journal entry of ``in_flight`` is still finishing it) or
    interrupted; its counts and totals recomputed."""
    logged = {_key(row): row for row in rows}  # the newest row of a cell wins
    pending = {_key(entry.get("row") or {}) for entry in in_flight}
    cells, warnings = [], list(snapshot.get("warnings", []))
    for cell in snapshot["cells"]:
        if cell["status"] in FINAL:
            cells.append(cell)
            continue
        key = _key(cell)
        if key in logged:
            record = RunRecord.from_row(logged[key])
            cell = {**cell, **record.as_dict(), "status": str(record.status), "error": record.error,
                    "position": None, "last_log": ""}
            if cell.get("served_by"):
                warnings.append(served_warning(cell))
        elif key in pending:
            cell = {**cell, "status": RECOVERING, "position": None,
                    "error": "the app stopped while this paid request ran; it is being finished from fal"}
        else:
            cell = {**cell, "status": str(Status.INTERRUPTED), "position": None,
                    "error": "the app stopped before this cell ended; it was not run, or its result was not kept"}
        cells.append(cell)
    done = all(cell["status"] != RECOVERING for cell in cells)
    return {**snapshot, "cells": cells, "warnings": warnings, "done": done,
            **totals(cells, snapshot.get("backend") != "offline" and snapshot.get("paid", True))}


class KeptBatches:
    """Kept batches found by id for their owner, as they stand now (see ``settled``)."""

    def __init__(self, store: BatchStore, results: ResultsLog, journal: Journal,
                 live: Callable[[str], dict[str, Any] | None] = lambda batch_id: None):
        self.store, self.results, self.journal, self.live = store, results, journal, live

    def in_flight(self, batch_id: str) -> list[dict[str, Any]]:
        """The journal's entries for paid requests of this batch not yet in the results log."""
        return [entry for entry in self.journal.pending() if (entry.get("row") or {}).get("batch_id") == batch_id]

    def get(self, batch_id: Any, visitor: Visitor, asked_as: str = "batch_id") -> dict[str, Any]:
        """{"owner", "spec", "snapshot"} of a batch of the caller's, or InputError on ``asked_as``."""
        wanted = normal_batch_id(batch_id, asked_as)
        stored = self.store.load(wanted, visitor.owner)
        if stored is None:
            raise InputError([(asked_as, f"no comparison of yours has the id {wanted!r} (see /compare's batch_id)")])
        snapshot = self.live(wanted) or stored["snapshot"]  # a batch running here: as it is this moment
        if snapshot is not stored["snapshot"] or all(cell["status"] in FINAL for cell in snapshot["cells"]):
            return {**stored, "snapshot": snapshot}
        frame = self.results.read()
        rows = frame[frame.batch_id == wanted].to_dict(orient="records")
        return {**stored, "snapshot": settled(snapshot, [{str(k): str(v) for k, v in row.items()} for row in rows],
                                              self.in_flight(wanted))}
