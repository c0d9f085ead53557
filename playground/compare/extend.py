"""Paying only for what is new: extending a finished batch, and reusing runs already paid for.

An extension is the batch's own spec with more prompts, endpoints or seeds: the two are merged (spec.py: the
batch's prompts keep their numbers, so its rows and votes stay where they were) and planned whole; a cell the batch
already finished is *kept*, not run again. Shared settings cannot change in an extension: that would be a
different comparison. With ``reuse``, a cell whose endpoint and sent arguments (seed included) equal a completed
run of the same owner in the results log is *reused* — only for seeds the person chose, never drawn ones, and
only while that run's video is still on disk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from playground.compare.cells import CellStatus
from playground.compare.plan import Cell, Plan
from playground.compare.snapshot import BatchSnapshot
from playground.errors import may_have_run
from playground.history import owned_by
from playground.record import RunRecord, Status


@dataclass(frozen=True)
class Arrangement:
    """A planned batch, cell by cell: kept from the batch it extends, reused from the log, or new (to run)."""

    plan: Plan
    kept: dict[int, RunRecord]
    reused: dict[int, RunRecord]

    @property
    def new(self) -> list[Cell]:
        return [c for c in self.plan.cells if c.index not in self.kept and c.index not in self.reused]

    @property
    def new_usd(self) -> float:
        return round(sum(c.estimate.usd for c in self.new), 6)


def kept_cells(plan: Plan, snapshot: BatchSnapshot | None) -> dict[int, RunRecord]:
    """Cells of ``plan`` the extended batch already completed (same endpoint, prompt and seed), and those whose
    submit answer was lost (fal may have run them: sending them again could pay twice; they stay as they are)."""
    if snapshot is None:
        return {}
    done = {(c.endpoint_id, c.prompt, c.seed): c for c in snapshot.cells
            if c.status is CellStatus.COMPLETED or may_have_run(c.error)}
    return {cell.index: done[key].as_run() for cell in plan.cells
            if (key := (cell.endpoint.endpoint_id, cell.prompt, cell.seed)) in done}


def canonical(arguments: Any) -> str:
    return json.dumps(arguments, sort_keys=True, ensure_ascii=False)


def reusable_runs(results: pd.DataFrame, owners: frozenset[str] | None,
                  wanted: set[tuple[str, str]]) -> dict[tuple[str, str], RunRecord]:
    """For each wanted (endpoint id, canonical sent arguments): the newest completed run with them whose video is
    on disk, of ``owners``' (of anyone's in a shared workspace: None). Rows are narrowed by owner, status and endpoint before any JSON is read (the plan is
    redrawn on every keystroke)."""
    if results.empty or not wanted:
        return {}
    theirs = owned_by(results, owners)
    mine = theirs[(theirs.status == Status.COMPLETED) & (theirs.video_path != "")
                   & theirs.endpoint_id.isin({endpoint_id for endpoint_id, _ in wanted})]
    found: dict[tuple[str, str], RunRecord] = {}
    for row, endpoint_id, sent in zip(mine.to_dict("records"), mine.endpoint_id, mine.arguments_json, strict=True):
        try:  # oldest first: the newest of equal runs wins
            key = (endpoint_id, canonical(json.loads(sent)))
        except ValueError:
            continue
        if key in wanted and Path((run := RunRecord.from_row({str(k): v for k, v in row.items()})).video_path).is_file():
            found[key] = run
    return found
