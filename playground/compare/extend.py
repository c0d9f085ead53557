"""Paying only for what is new: extending a finished batch, and reusing runs already paid for.

An extension is the batch's own spec with more prompts, endpoints or seeds: the two are merged (the batch's
prompts keep their numbers, so its rows and votes stay where they were) and planned whole; a cell the batch
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

from playground.compare.plan import Cell, Plan
from playground.compare.spec import MAX_SEEDS, draw_seeds
from playground.errors import InputError, may_have_run
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


def merged_spec(raw: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """``raw`` (an extension of a batch) merged into the batch's stored spec: its prompts, endpoints and seeds
    first, then the new ones; InputError if the shared settings differ."""
    if (raw.get("arguments") or {}) != stored["arguments"]:
        raise InputError([("arguments", "an extension keeps the batch's shared settings "
                                        f"({json.dumps(stored['arguments'], ensure_ascii=False)[:200]}); start a "
                                        "new comparison to change them")])
    overrides = dict(raw.get("overrides") or {}) if isinstance(raw.get("overrides") or {}, dict) else {}
    changed = [e for e, o in overrides.items() if e in stored["overrides"] and o != stored["overrides"][e]]
    if changed:
        raise InputError([("overrides", f"an extension keeps the overrides of the batch's endpoints: {changed}")])

    def joined(key: str) -> Any:
        new = raw.get(key)
        if isinstance(new, str) and key == "prompts":
            new = new.splitlines()
        return stored[key] + [v for v in new if v not in stored[key]] if isinstance(new, list) else new

    merged = {**raw, "prompts": joined("prompts"), "endpoints": joined("endpoints"),
              "overrides": {**stored["overrides"], **overrides}}
    drawn = raw.get("random_seeds")
    if drawn is None:
        merged["seeds"] = joined("seeds") if raw.get("seeds") is not None else stored["seeds"]
    elif isinstance(drawn, int) and not isinstance(drawn, bool) and 1 <= drawn <= MAX_SEEDS:
        merged.pop("random_seeds")  # drawn here to join the batch's own; drawn seeds are never reused
        merged.update(seeds=stored["seeds"] + draw_seeds(drawn), reuse=False)
    return merged


def kept_cells(plan: Plan, snapshot: dict[str, Any] | None) -> dict[int, RunRecord]:
    """Cells of ``plan`` the extended batch already completed (same endpoint, prompt and seed), and those whose
    submit answer was lost (fal may have run them: sending them again could pay twice; they stay as they are)."""
    if snapshot is None:
        return {}
    done = {(c["endpoint_id"], c["prompt"], c["seed"]): c for c in snapshot["cells"]
            if c["status"] == Status.COMPLETED or may_have_run(c.get("error", ""))}
    return {cell.index: RunRecord.from_row(done[key]) for cell in plan.cells
            if (key := (cell.endpoint.endpoint_id, cell.prompt, cell.seed)) in done}


def canonical(arguments: Any) -> str:
    return json.dumps(arguments, sort_keys=True, ensure_ascii=False)


def reusable_runs(results: pd.DataFrame, owner: str, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], RunRecord]:
    """For each wanted (endpoint id, canonical sent arguments): the newest completed run of ``owner``'s with them
    whose video is on disk. Rows are narrowed by owner, status and endpoint before any JSON is read (the plan is
    redrawn on every keystroke)."""
    if results.empty or not wanted:
        return {}
    mine = results[(results.owner == owner) & (results.status == Status.COMPLETED) & (results.video_path != "")
                   & results.endpoint_id.isin({endpoint_id for endpoint_id, _ in wanted})]
    found: dict[tuple[str, str], RunRecord] = {}
    for row in mine.to_dict("records"):  # oldest first: the newest of equal runs wins
        try:
            key = (row["endpoint_id"], canonical(json.loads(row["arguments_json"])))
        except ValueError:
            continue
        if key in wanted and Path(row["video_path"]).is_file():
            found[key] = RunRecord.from_row({str(k): v for k, v in row.items()})
    return found
