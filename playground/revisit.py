"""Coming back to a logged run: find it, restore it into its tab, run it again, re-fetch it (from fal),
check that its seed reproduces it, or promote it to another endpoint.

Everything starts from the run's row: ``arguments_json`` is exactly what was sent, so it rebuilds the run.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pandas as pd

from playground.backends.registry import kind
from playground.catalog import Endpoint
from playground.checks import compare_clips
from playground.compare.adapt import Change, adapt
from playground.csvlog import CsvLog, string_records
from playground.errors import InputError, RunError
from playground.estimate import estimate, output_shape
from playground.form import form_from_arguments
from playground.history import PAGE_SIZE, SHOWN, Filters, export, page, select
from playground.history_present import (
    KEEP,
    MODE_SHORT,
    PromotionPlan,
    RunPick,
    details_markdown,
    price_label,
    promotion_note,
    table_row,
)
from playground.launcher import Launcher
from playground.present import code_panes
from playground.record import RunRecord, Status, now_iso
from playground.request import validate
from playground.results import ResultsLog
from playground.snippets import snippets
from playground.visitor import Visitor


def _overrides(resolution: str, duration: str) -> dict[str, str]:
    return {k: v for k, v in (("resolution", resolution), ("duration", duration)) if v and v != KEEP}


SEED_CHECK_COLUMNS = ["check_id", "created_at", "endpoint_id", "backend", "first_run", "second_run", "seed", "verdict",
                      "frames_equal", "frames", "psnr_db"]


class SeedChecksLog(CsvLog):
    """``<data dir>/seed_checks.csv``: one row per "run again with the same seed" comparison."""

    columns = SEED_CHECK_COLUMNS


class Revisits:
    """History's side of the core: the log as a viewer may see it, and runs started again through the launcher."""

    def __init__(self, launcher: Launcher, results: ResultsLog, seed_checks: SeedChecksLog, exports_dir: Path,
                 own_rows_only: bool = False):
        self.launcher, self.results, self.seed_checks = launcher, results, seed_checks
        self.exports_dir, self.own_rows_only = Path(exports_dir), own_rows_only

    # -- browsing -------------------------------------------------------------------------------------
    def visible(self, owner: str) -> pd.DataFrame:
        """The rows a viewer may see: all of them, or (``own_rows_only``: a public deployment) only their own."""
        frame = self.results.read()
        return frame[frame.owner == owner] if self.own_rows_only else frame

    def newest(self, limit: int, owner: str = "") -> list[dict[str, str]]:
        """The newest ``limit`` rows a viewer may see, newest first."""
        return string_records(self.visible(owner).iloc[::-1].head(max(0, int(limit))))

    def page(self, filters: Filters, number: int = 1, size: int = PAGE_SIZE,
             owner: str = "") -> tuple[list[dict[str, str]], int, int, int]:
        """(rows to show, page number, pages, matching rows), newest first."""
        matching = select(self.visible(owner), filters)
        rows, number, pages = page(matching, number, size)
        return string_records(rows[SHOWN]), number, pages, len(matching)

    def export(self, filters: Filters, fmt: str, owner: str = "") -> Path:
        return export(select(self.visible(owner), filters), fmt, self.exports_dir)

    def row(self, run_id: str, owner: str = "") -> dict[str, str]:
        frame = self.visible(owner)
        match = frame[frame.run_id == (run_id or "")]
        if match.empty:
            raise InputError([("run", "choose one of your runs in the history table first")])
        return string_records(match.tail(1))[0]

    def arguments(self, run_id: str, owner: str = "") -> tuple[Endpoint, dict[str, Any]]:
        row = self.row(run_id, owner)
        endpoint = self.launcher.endpoint(row["endpoint_id"])
        try:
            arguments = json.loads(row["arguments_json"])
        except (json.JSONDecodeError, RecursionError):
            raise InputError([("arguments_json", "this row's arguments cannot be read")])
        if not isinstance(arguments, dict):
            raise InputError([("arguments_json", "this row's arguments are not a JSON object")])
        return endpoint, self.launcher.inputs.to_data_uris(arguments)  # kept input files inlined again

    def restore(self, run_id: str, owner: str = "") -> tuple[Endpoint, dict[str, Any]]:
        """The endpoint and the form values that put this run back into its tab, field for field — a random-seed
        run with the seed it was given, fixed, so the clip you liked can be made again."""
        endpoint, arguments = self.arguments(run_id, owner)
        seed = self._seed(self.row(run_id, owner), arguments)
        if seed is not None and endpoint.field("seed") is not None:
            arguments = {**arguments, "seed": seed}
        return endpoint, form_from_arguments(endpoint, arguments, self.launcher.inputs.directory)

    def page_view(self, filters: Filters, number: int = 1,
                  owner: str = "") -> tuple[list[list[Any]], int, str, list[str]]:
        """(table rows, page number, "page 1 of 3 · 60 run(s)", their run ids) as the History tab shows them."""
        matching = select(self.visible(owner), filters)
        rows, number, pages = page(matching, number, PAGE_SIZE)
        records = string_records(rows)
        table = [table_row(r, self._label(r["endpoint_id"])) for r in records]
        note = self.results.set_aside_note()
        info = f"page {number} of {pages} · {len(matching)} run(s)" + (f"\n\n⚠️ {note}" if note else "")
        return table, number, info, [r["run_id"] for r in records]

    def _label(self, endpoint_id: str) -> str:
        endpoint = self.launcher.catalog.get(endpoint_id)
        return f"{endpoint.short_label} · {MODE_SHORT[endpoint.mode]}" if endpoint else endpoint_id

    def pick(self, run_id: str, visitor: Visitor) -> RunPick:
        """A run chosen in the table, with the price of running it again (or checking its seed) shown first."""
        row = self.row(run_id, visitor.owner)
        endpoint, arguments = self.arguments(run_id, visitor.owner)
        try:
            cost = estimate(endpoint, validate(endpoint, arguments))
        except InputError:
            cost = None
        seed = self._seed(row, arguments)
        can_seed_check = seed is not None and row["status"] == Status.COMPLETED and bool(row["video_path"])
        made_by = kind(row["backend"])  # whether its result can be fetched again is its backend's to say
        can_refetch = made_by is not None and made_by.can_refetch and bool(row["request_id"])
        return RunPick(run_id, details_markdown(row, self._label(row["endpoint_id"])), row["video_path"],
                       code_panes(endpoint.endpoint_id, arguments), price_label("Run again", cost),
                       price_label("Check the seed", cost if can_seed_check else None),
                       can_seed_check, can_refetch,
                       [(e.label, e.endpoint_id) for e in self.launcher.catalog.values() if e.mode == endpoint.mode])

    def promotion_plan(self, run_id: str, target_id: str, resolution: str, duration: str,
                       owner: str = "") -> PromotionPlan:
        """A promotion before it is sent: fitted to the target as Compare fits, validated, priced."""
        target = self.launcher.endpoint(target_id)
        choices = [[KEEP, *(f.enum if (f := target.field(name)) else ())] for name in ("resolution", "duration")]
        try:
            _, sent, changes = self.promotion(run_id, target_id, _overrides(resolution, duration), owner)
            cost, problems = estimate(target, validate(target, sent)), []
        except InputError as exc:
            changes, cost, problems = [], None, [f"{f}: {m}" for f, m in exc.problems]
        note = promotion_note(target.label, changes, cost, problems)
        return PromotionPlan(price_label("Promote", cost), note, not problems, *choices)

    def snippets(self, run_id: str, owner: str = "") -> dict[str, str]:
        endpoint, arguments = self.arguments(run_id, owner)
        return snippets(endpoint.endpoint_id, arguments)

    # -- running again ------------------------------------------------------------------------------------
    async def rerun(self, run_id: str, visitor: Visitor) -> AsyncIterator[Any]:
        """The same arguments again, as a new run (a random-seed run draws a new seed)."""
        endpoint, arguments = self.arguments(run_id, visitor.owner)
        async for item in self.launcher.generate(endpoint.endpoint_id, arguments, visitor):
            yield item

    def promotion(self, run_id: str, target_id: str, overrides: dict[str, Any],
                  owner: str = "") -> tuple[Endpoint, dict[str, Any], list[Change]]:
        """What a promotion would send: this run's prompt, images and seed, fitted to ``target_id`` plus overrides."""
        endpoint, arguments = self.arguments(run_id, owner)
        target = self.launcher.endpoint(target_id)
        if target.mode != endpoint.mode:
            raise InputError([("target", f"{target.label} is {target.mode}; this run is {endpoint.mode}")])
        seed = self._seed(self.row(run_id, owner), arguments)
        shared = {endpoint.shared_name(name): value for name, value in arguments.items()}
        asked = {**shared, **{k: v for k, v in overrides.items() if v not in (None, "", KEEP)}}
        sent, changes = adapt(target, {**asked, "seed": seed} if seed is not None else asked)  # fitted as Compare does
        return target, sent, changes

    async def promote(self, run_id: str, target_id: str, overrides: dict[str, Any],
                      visitor: Visitor) -> AsyncIterator[Any]:
        if not target_id:
            raise InputError([("target", "choose the endpoint to promote this run to")])
        target, sent, _ = self.promotion(run_id, target_id, overrides, visitor.owner)
        async for item in self.launcher.generate(target.endpoint_id, sent, visitor):
            yield item

    @staticmethod
    def _seed(row: dict[str, str], arguments: dict[str, Any]) -> int | None:
        """The seed that made this run: the one sent, else the one the backend reported."""
        sent = arguments.get("seed")
        if isinstance(sent, int) and sent >= 0:
            return sent
        reported = row.get("seed", "")
        return int(reported) if reported.lstrip("-").isdigit() and int(reported) >= 0 else None

    # -- seed check -------------------------------------------------------------------------------------------
    async def seed_check(self, run_id: str, visitor: Visitor) -> AsyncIterator[Any]:
        """Run again with the same seed and compare the two clips; yields the run's events, then the SeedVerdict."""
        owner = visitor.owner
        row = self.row(run_id, owner)
        endpoint, arguments = self.arguments(run_id, owner)
        seed = self._seed(row, arguments)
        if seed is None or row["status"] != Status.COMPLETED or not Path(row["video_path"] or "/-").is_file():
            raise InputError([("run", "needs a completed run with a saved video and a known seed")])
        second: RunRecord | None = None
        async for item in self.launcher.generate(endpoint.endpoint_id, {**arguments, "seed": seed}, visitor):
            if isinstance(item, RunRecord):
                second = item
            else:
                yield item
        if second is None or not second.video_path:
            raise RunError("the second run produced no saved video to compare")
        verdict = await asyncio.to_thread(compare_clips, Path(row["video_path"]), Path(second.video_path))
        self.seed_checks.append({"check_id": uuid.uuid4().hex[:12], "created_at": now_iso(),
                                 "endpoint_id": endpoint.endpoint_id, "backend": second.backend, "first_run": run_id,
                                 "second_run": second.run_id, "seed": seed, **verdict.as_dict()})
        yield second
        yield verdict

    def seed_stability(self) -> pd.DataFrame:
        """Per endpoint and backend: how often the same seed gave the identical / a near / a different clip."""
        checks = self.seed_checks.read()
        if checks.empty:
            return pd.DataFrame(columns=["endpoint", "backend", "checks", "identical", "near", "different"])
        labels = self.launcher.catalog.short_labels()
        table = (checks.assign(endpoint=checks.endpoint_id.map(lambda e: labels.get(e, e)))
                 .pivot_table(index=["endpoint", "backend"], columns="verdict", values="check_id", aggfunc="count",
                              fill_value=0)
                 .reindex(columns=["identical", "near", "different"], fill_value=0).reset_index())
        table.insert(2, "checks", table[["identical", "near", "different"]].sum(axis=1))
        table.columns.name = None
        return table

    # -- re-fetching ---------------------------------------------------------------------------------------
    async def refetch(self, run_id: str, visitor: Visitor) -> dict[str, Any]:
        """Download a fal run's result again by its request id (no new run, no new charge) and update its row;
        returns the row as it is now."""
        row = self.row(run_id, visitor.owner)
        endpoint, arguments = self.arguments(run_id, visitor.owner)
        record = await self.launcher.fetch_again(RunRecord.from_row(row), visitor,
                                                 output_shape(endpoint, arguments).expected())
        changes = {name: text for name, text in record.to_row().items() if text != row.get(name)}
        self.results.update("run_id", run_id, changes)
        return {**row, **changes}
