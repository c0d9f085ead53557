"""Coming back to a logged run: find it, restore it into its tab, run it again, re-fetch it (from fal),
check that its seed reproduces it, or promote it to another endpoint.

Everything starts from the run's row, read as a ``RunRecord``: ``arguments_json`` is exactly what was sent, so it
rebuilds the run.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pandas as pd

from playground.backends.registry import kind
from playground.catalog import Endpoint
from playground.checks import compare_clips
from playground.compare.adapt import Change, adapt
from playground.csvlog import string_records
from playground.errors import InputError, RunError
from playground.estimate import estimate, output_shape
from playground.form import form_from_arguments
from playground.history import PAGE_SIZE, Filters, conditions, export, owned_by, page, select
from playground.history_present import (
    KEEP,
    PromotionPlan,
    RunPick,
    details_markdown,
    price_label,
    promotion_note,
    run_label,
)
from playground.launcher import Launcher
from playground.present import code_panes
from playground.record import RunRecord, Status
from playground.request import validate
from playground.results import ResultsLog
from playground.seed_checks import VERDICTS, SeedCheck, SeedChecksLog
from playground.visitor import Visitor


def _overrides(resolution: str, duration: str) -> dict[str, str]:
    return {k: v for k, v in (("resolution", resolution), ("duration", duration)) if v and v != KEEP}


class Revisits:
    """History's side of the core: the log as a viewer may see it (each row read as a ``RunRecord``), and runs
    started again through the launcher."""

    def __init__(self, launcher: Launcher, results: ResultsLog, seed_checks: SeedChecksLog, exports_dir: Path,
                 own_rows_only: bool = False):
        self.launcher, self.results, self.seed_checks = launcher, results, seed_checks
        self.exports_dir, self.own_rows_only = Path(exports_dir), own_rows_only

    # -- browsing -------------------------------------------------------------------------------------
    def visible(self, owners: frozenset[str]) -> pd.DataFrame:
        """The rows a viewer may see: all of them (one workspace), or (``own_rows_only``: a public deployment) those
        of any id they are known by (``Visitor.owners``)."""
        return owned_by(self.results.read(), owners if self.own_rows_only else None)

    def _owned(self, owners: frozenset[str]) -> dict[str, frozenset[str]]:
        """``visible``'s rule as a store's condition: the owner among ``owners`` on a public deployment."""
        return {"owner": owners} if self.own_rows_only else {}

    def newest(self, limit: int, owners: frozenset[str] = frozenset()) -> list[dict[str, str]]:
        """The newest ``limit`` rows a viewer may see, newest first, as the log has them (`/history`'s answer)."""
        return string_records(self.visible(owners).iloc[::-1].head(max(0, int(limit))))

    def page(self, filters: Filters, number: int = 1, size: int = PAGE_SIZE,
             owners: frozenset[str] = frozenset()) -> tuple[list[RunRecord], int, int, int]:
        """(the runs of page ``number``, newest first; that page number; pages; matching runs). A database pages
        itself (``RecordLog.newest_page``); files page the cached frame."""
        asked = conditions(filters)
        paged = None if asked is None else self.results.newest_page(*asked, self._owned(owners), number, size)
        if paged is not None:
            records, number, pages, total = paged
            return [RunRecord.from_row(row) for row in records], number, pages, total
        matching = select(self.visible(owners), filters)
        rows, number, pages = page(matching, number, size)
        return [RunRecord.from_row(row) for row in string_records(rows)], number, pages, len(matching)

    def export(self, filters: Filters, fmt: str, owners: frozenset[str] = frozenset()) -> Path:
        return export(select(self.visible(owners), filters), fmt, self.exports_dir)

    def record(self, run_id: str, owners: frozenset[str] = frozenset()) -> RunRecord:
        """The run's row (its newest, should the log hold it twice), or InputError when this viewer has no such run.
        A database finds it by its id; files look in the cached frame."""
        wanted = run_id or ""
        found = self.results.newest_page({"run_id": wanted}, {}, self._owned(owners), 1, 1)
        if found is None:
            frame = self.visible(owners)
            rows = string_records(frame[frame.run_id == wanted].tail(1))
        else:
            rows = found[0]
        if not rows:
            raise InputError([("run", "choose one of your runs in the history table first")])
        return RunRecord.from_row(rows[0])

    def arguments(self, run: RunRecord) -> tuple[Endpoint, dict[str, Any]]:
        """The endpoint and the arguments the run sent (kept input files inlined again)."""
        endpoint = self.launcher.endpoint(run.endpoint_id)
        try:
            arguments = json.loads(run.arguments_json)
        except (json.JSONDecodeError, RecursionError):
            raise InputError([("arguments_json", "this row's arguments cannot be read")]) from None
        if not isinstance(arguments, dict):
            raise InputError([("arguments_json", "this row's arguments are not a JSON object")])
        return endpoint, self.launcher.inputs.to_data_uris(arguments)

    def restore(self, run_id: str, owners: frozenset[str] = frozenset()) -> tuple[Endpoint, dict[str, Any]]:
        """The endpoint and the form values that put this run back into its tab, field for field — a random-seed
        run with the seed it was given, fixed, so the clip you liked can be made again."""
        run = self.record(run_id, owners)
        endpoint, arguments = self.arguments(run)
        seed = self._seed(run, arguments)
        if seed is not None and endpoint.field("seed") is not None:
            arguments = {**arguments, "seed": seed}
        return endpoint, form_from_arguments(endpoint, arguments, self.launcher.inputs.directory)

    def pick(self, run_id: str, visitor: Visitor) -> RunPick:
        """A run chosen in the table, with the price of running it again (or checking its seed) shown first."""
        run = self.record(run_id, visitor.owners)
        endpoint, arguments = self.arguments(run)
        try:
            cost = estimate(endpoint, validate(endpoint, arguments))
        except InputError:
            cost = None
        seed = self._seed(run, arguments)
        can_seed_check = seed is not None and run.status == Status.COMPLETED and bool(run.video_path)
        made_by = kind(run.backend)  # whether its result can be fetched again is its backend's to say
        can_refetch = made_by is not None and made_by.can_refetch and bool(run.request_id)
        return RunPick(run_id, details_markdown(run, run_label(self.launcher.catalog, run.endpoint_id)),
                       run.video_path, code_panes(endpoint.endpoint_id, arguments), price_label("Run again", cost),
                       price_label("Check the seed", cost if can_seed_check else None),
                       can_seed_check, can_refetch,
                       [(e.label, e.endpoint_id) for e in self.launcher.catalog.values() if e.mode == endpoint.mode])

    def promotion_plan(self, run_id: str, target_id: str, resolution: str, duration: str,
                       owners: frozenset[str] = frozenset()) -> PromotionPlan:
        """A promotion before it is sent: fitted to the target as Compare fits, validated, priced."""
        target = self.launcher.endpoint(target_id)
        choices = [[KEEP, *(f.enum if (f := target.field(name)) else ())] for name in ("resolution", "duration")]
        try:
            _, sent, changes = self.promotion(run_id, target_id, _overrides(resolution, duration), owners)
            cost, problems = estimate(target, validate(target, sent)), []
        except InputError as exc:
            changes, cost, problems = [], None, [f"{f}: {m}" for f, m in exc.problems]
        note = promotion_note(target.label, changes, cost, problems)
        return PromotionPlan(price_label("Promote", cost), note, not problems, *choices)

    # -- running again ------------------------------------------------------------------------------------
    async def rerun(self, run_id: str, visitor: Visitor) -> AsyncIterator[Any]:
        """The same arguments again, as a new run (a random-seed run draws a new seed)."""
        endpoint, arguments = self.arguments(self.record(run_id, visitor.owners))
        async for item in self.launcher.generate(endpoint.endpoint_id, arguments, visitor):
            yield item

    def promotion(self, run_id: str, target_id: str, overrides: dict[str, Any],
                  owners: frozenset[str] = frozenset()) -> tuple[Endpoint, dict[str, Any], list[Change]]:
        """What a promotion would send: this run's prompt, images and seed, fitted to ``target_id`` plus overrides."""
        run = self.record(run_id, owners)
        endpoint, arguments = self.arguments(run)
        target = self.launcher.endpoint(target_id)
        if target.mode != endpoint.mode:
            raise InputError([("target", f"{target.label} is {target.mode}; this run is {endpoint.mode}")])
        seed = self._seed(run, arguments)
        shared = {endpoint.shared_name(name): value for name, value in arguments.items()}
        asked = {**shared, **{k: v for k, v in overrides.items() if v not in (None, "", KEEP)}}
        sent, changes = adapt(target, {**asked, "seed": seed} if seed is not None else asked)  # fitted as Compare does
        return target, sent, changes

    async def promote(self, run_id: str, target_id: str, overrides: dict[str, Any],
                      visitor: Visitor) -> AsyncIterator[Any]:
        if not target_id:
            raise InputError([("target", "choose the endpoint to promote this run to")])
        target, sent, _ = self.promotion(run_id, target_id, overrides, visitor.owners)
        async for item in self.launcher.generate(target.endpoint_id, sent, visitor):
            yield item

    @staticmethod
    def _seed(run: RunRecord, arguments: dict[str, Any]) -> int | None:
        """The seed that made this run: the one sent, else the one the backend reported."""
        sent = arguments.get("seed")
        if isinstance(sent, int) and sent >= 0:
            return sent
        return run.seed if run.seed is not None and run.seed >= 0 else None

    # -- seed check -------------------------------------------------------------------------------------------
    async def seed_check(self, run_id: str, visitor: Visitor) -> AsyncIterator[Any]:
        """Run again with the same seed and compare the two clips; yields the run's events, then the SeedVerdict."""
        run = self.record(run_id, visitor.owners)
        endpoint, arguments = self.arguments(run)
        seed = self._seed(run, arguments)
        if seed is None or run.status != Status.COMPLETED or not Path(run.video_path or "/-").is_file():
            raise InputError([("run", "needs a completed run with a saved video and a known seed")])
        second: RunRecord | None = None
        async for item in self.launcher.generate(endpoint.endpoint_id, {**arguments, "seed": seed}, visitor):
            if isinstance(item, RunRecord):
                second = item
            else:
                yield item
        if second is None or not second.video_path:
            raise RunError("the second run produced no saved video to compare")
        verdict = await asyncio.to_thread(compare_clips, Path(run.video_path), Path(second.video_path))
        self.seed_checks.record(SeedCheck.made(run_id, second, seed, verdict))
        yield second
        yield verdict

    def seed_stability(self) -> pd.DataFrame:
        """Per endpoint and backend: how often the same seed gave the identical / a near / a different clip."""
        labels = self.launcher.catalog.short_labels()
        counts: dict[tuple[str, str], Counter[str]] = {}
        for check in self.seed_checks.checks():
            counts.setdefault((labels.get(check.endpoint_id, check.endpoint_id), check.backend), Counter())[
                check.verdict] += 1
        rows = [[endpoint, backend, sum(seen[v] for v in VERDICTS), *(seen[v] for v in VERDICTS)]
                for (endpoint, backend), seen in sorted(counts.items())]
        return pd.DataFrame(rows, columns=["endpoint", "backend", "checks", *VERDICTS])

    # -- re-fetching ---------------------------------------------------------------------------------------
    async def refetch(self, run_id: str, visitor: Visitor) -> RunRecord:
        """Download a run's result again by its request id (no new run, no new charge) and update its row (only the
        columns that changed); returns the run as it is now."""
        logged = self.record(run_id, visitor.owners)
        endpoint, arguments = self.arguments(logged)
        fetched = await self.launcher.fetch_again(logged, visitor, output_shape(endpoint, arguments).expected())
        was = logged.to_row()
        self.results.update("run_id", run_id, {name: text for name, text in fetched.to_row().items()
                                               if text != was[name]})
        return fetched
