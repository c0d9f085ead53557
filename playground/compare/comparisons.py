"""Comparisons: plan, run every cell concurrently, cancel cells, vote.

Each cell is an ordinary run started through the launcher (validated, admitted, journaled, logged with the batch
id), so a failure in one cell is just that cell's row; the others go on. Cells wait for a per-batch slot and for
the app-wide one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import aclosing
from dataclasses import replace
from typing import Any

from playground.catalog import MODE_NAMES, Endpoint
from playground.compare.batch import Batch, CellState
from playground.compare.export import RowExports
from playground.compare.extend import Arrangement, canonical, kept_cells, reusable_runs
from playground.compare.form import CompareForm, form_request
from playground.compare.judge_runs import JudgeRuns
from playground.compare.kept import KeptBatches
from playground.compare.plan import Plan, one_per_family, plan, union_endpoint
from playground.compare.present import (
    BatchView,
    PlanView,
    batch_label,
    batch_view,
    cancel_said,
    plan_markdown,
    problems_markdown,
)
from playground.compare.snapshot import BatchSnapshot
from playground.compare.spec import StoredSpec, SuiteMark, extension_of, parse_spec
from playground.compare.store import BatchStore, KeptBatch
from playground.compare.verdicts import RowJudgement
from playground.compare.voting import Voting
from playground.config import Limits
from playground.errors import InputError, PlaygroundError, RunError
from playground.form import form_from_arguments
from playground.history import batches, owned_by
from playground.judging.judges import Judges, load_judges
from playground.launcher import Launcher
from playground.presets import Presets
from playground.record import RunRecord, Status
from playground.suites import SuiteRuns, Suites
from playground.visitor import Visitor
from playground.votes import VotesLog

log = logging.getLogger(__name__)
COALESCE_S = 0.25  # at most about four snapshots a second while cells report progress
RUNNING_ALREADY = "that batch is running or being extended already; wait for it to finish"


class Comparisons:
    """The Compare tab's and `/compare`'s side of the core (batches in flight are kept by batch id)."""

    def __init__(self, launcher: Launcher, presets: Presets, limits: Limits, votes: VotesLog, store: BatchStore,
                 judges: Callable[[], Judges] = load_judges, suites: Suites | None = None):
        self.launcher, self.presets, self.limits, self.votes, self.store = launcher, presets, limits, votes, store
        self.judging = JudgeRuns(launcher, judges)
        self.kept = KeptBatches(store, launcher.runner.results, launcher.runner.journal, self._live,
                                shared=not launcher.public.on)
        self.voting = Voting(votes, self.kept)
        self.exports = RowExports(self.kept, self.voting, store.directory.parent / "exports")
        self.suites = suites or Suites(launcher.catalog)  # prompt suites: a `/compare` may name one
        self.suite_runs = SuiteRuns(self.suites, self.kept, launcher.runner.results, self.arrange,
                                    lambda visitor: launcher.backend_for(visitor.key).paid, limits)
        catalog = launcher.catalog
        self.forms: dict[str, Endpoint] = {mode: union_endpoint(catalog, mode) for mode in MODE_NAMES
                                           if any(e.mode == mode for e in catalog.values())}
        self._batches: dict[str, Batch] = {}
        self._suites_running: dict[str, SuiteMark] = {}  # the suite each running batch is, for `/compare`'s answer
        self._tasks: set[asyncio.Task[None]] = set()

    def _live(self, batch_id: str) -> BatchSnapshot | None:
        """A batch running in this process, as it is now."""
        batch = self._batches.get(batch_id)
        return batch.snapshot() if batch else None

    # -- asking ----------------------------------------------------------------------------------------
    def endpoints_for(self, mode: str) -> tuple[list[tuple[str, str]], list[str]]:
        """(label, id) choices of a mode and the default selection (one per family)."""
        choices = [(e.label, e.endpoint_id) for e in self.launcher.catalog.values() if e.mode == mode]
        return choices, one_per_family(self.launcher.catalog, mode)

    def request_for(self, form: CompareForm) -> dict[str, Any]:
        """The `/compare` request a filled-in Compare tab stands for (files inlined as data URIs)."""
        return form_request(form, self.forms, self.launcher.inputs.file_data_uri)

    def spec_from_form(self, *fields: Any) -> dict[str, Any]:
        """``request_for`` from the form's fields in order (mode, endpoint ids, prompts, seeds, shared, overrides,
        confirm, reuse, extend), for callers that do not build a ``CompareForm``."""
        return self.request_for(CompareForm(*fields))

    def preset_form(self, label: str) -> tuple[str, str, str | None, dict[str, Any]]:
        """A preset as the Compare tab shows it: (mode, prompt, seed or None, shared-settings form)."""
        preset = self.presets.get(label)
        endpoint = self.launcher.catalog[preset.endpoint_id]
        union = self.forms[endpoint.mode]
        shared = {endpoint.shared_name(k): v for k, v in preset.arguments.items() if k not in ("prompt", "seed")}
        form = form_from_arguments(union, {k: v for k, v in shared.items() if union.field(k)},
                                   self.launcher.inputs.directory)
        seed = preset.arguments.get("seed")
        return endpoint.mode, preset.arguments.get("prompt", ""), None if seed is None else str(seed), form

    def preview_form(self, form: CompareForm, visitor: Visitor) -> PlanView:
        """The plan for a filled-in tab, or what to fix in it (never raises: it runs on every keystroke)."""
        try:
            arranged = self.arrange(self.request_for(form), visitor)
            paid = self.launcher.backend_for(visitor.key).paid
        except PlaygroundError as exc:
            return PlanView(problems_markdown(exc), False)
        return PlanView(plan_markdown(arranged, self.limits.max_batch_usd, paid), True)

    def arrange(self, asked: Any, visitor: Visitor) -> Arrangement:
        """The plan for a `/compare` request (read once, with the spec of the batch it extends), with the cells
        that batch already has (kept) and, when asked, runs to reuse."""
        catalog = self.launcher.catalog
        batch_id = extension_of(asked)  # before anything is read, run or paid for
        asked = self.suites.expanded(asked)  # a suite named: its prompts, seeds and settings
        extended = self._extended(batch_id, visitor) if batch_id else None
        base = None if extended is None else replace(  # its inputs inline again, as the request has them
            extended.spec, arguments=self.launcher.inputs.to_data_uris(extended.spec.arguments))
        spec = parse_spec(asked, catalog, self.limits.max_batch_cells, base)
        planned = plan(spec, catalog)
        kept = kept_cells(planned, extended.snapshot if extended else None)
        reused: dict[int, RunRecord] = {}
        if spec.reuse and spec.seeded:
            wanted = {cell.index: (cell.endpoint.endpoint_id, canonical(self.launcher.inputs.to_references(
                cell.arguments))) for cell in planned.cells if cell.index not in kept}
            runs = reusable_runs(self.launcher.runner.results.read(), self.kept.scope(visitor), set(wanted.values()))
            reused = {index: runs[key] for index, key in wanted.items() if key in runs}
        return Arrangement(planned, kept, reused)

    def _extended(self, batch_id: str, visitor: Visitor) -> KeptBatch:
        """The batch an extension joins, or InputError on ``extend`` while it runs or is still being recovered."""
        if batch_id in self._batches:
            raise InputError([("extend", RUNNING_ALREADY)])
        extended = self.kept.get(batch_id, visitor, "extend")
        if recovering := self.kept.in_flight(batch_id):
            raise InputError([("extend", f"{len(recovering)} paid request(s) of this batch are still being "
                                         "finished from fal after a restart (runs made with your own key wait "
                                         "until you enter it again); extend it once they are in, so nothing is "
                                         "paid for twice")])
        return extended

    # -- running ---------------------------------------------------------------------------------------
    async def run_form(self, form: CompareForm, visitor: Visitor) -> AsyncGenerator[BatchSnapshot, None]:
        """The Compare tab's Run: its form as a request, run (see ``batches``)."""
        async with aclosing(self.batches(self.request_for(form), visitor)) as snapshots:  # leaving cancels at once
            async for snapshot in snapshots:
                yield snapshot

    async def run(self, asked: Any, visitor: Visitor | None = None) -> AsyncIterator[dict[str, Any]]:
        """`/compare`: ``batches``, each snapshot as the answer's JSON (``BatchSnapshot.as_dict``, and the suite
        it ran as ``suite``: name and content hash, when it ran one)."""
        async with aclosing(self.batches(asked, visitor)) as snapshots:
            async for snapshot in snapshots:
                suite = self._suites_running.get(snapshot.batch_id)
                yield snapshot.as_dict() | ({"suite": suite.as_dict()} if suite else {})

    async def batches(self, asked: Any, visitor: Visitor | None = None) -> AsyncGenerator[BatchSnapshot, None]:
        """Run every cell of a `/compare` request concurrently; yields the batch at each change, the last time when
        all are done.

        Nothing is submitted when the spec is invalid, or when a paid batch is estimated above the cap
        without ``confirm``. Leaving early cancels every cell still going (each still ends as a row).
        """
        visitor = visitor or Visitor()
        arranged = await asyncio.to_thread(self.arrange, asked, visitor)  # parsing and the log: off the event loop
        planned, cost = arranged.plan, arranged.new_usd
        if planned.spec.extend in self._batches:  # asked twice at once: from here on no await until it is claimed
            raise InputError([("extend", RUNNING_ALREADY)])
        backend = self.launcher.backend_for(visitor.key)
        cap = self.limits.max_batch_usd
        if backend.paid and cost > cap and not planned.spec.confirm:
            raise InputError([("confirm", f"the new cells are estimated at ${cost:.4f}, above the ${cap:.2f} "
                                          "cap (PLAYGROUND_MAX_BATCH_USD); confirm to run them anyway")])
        server_billed = self.launcher.billed_to(visitor.key) == "server"
        self.launcher.guard.check(visitor.limited_as, cost, server_billed, runs=len(arranged.new))
        batch = Batch.start(planned.spec.extend or uuid.uuid4().hex[:12], arranged, backend.name, backend.paid)
        self._batches[batch.batch_id] = batch
        if planned.spec.suite:
            self._suites_running[batch.batch_id] = planned.spec.suite
        changed, finished = asyncio.Event(), asyncio.Event()

        def on_change() -> None:
            changed.set()
            if batch.done:
                finished.set()
        batch.changed = on_change
        slots = asyncio.Semaphore(self.limits.batch_concurrency)
        for state in batch.cells:
            if state.status.final:  # kept or reused: nothing to run, nothing to pay
                continue
            task = asyncio.create_task(self._cell(batch, state, visitor, server_billed, slots, on_change))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        kept_at = -1  # cells ended when the batch was last kept
        try:
            while True:
                snapshot = batch.snapshot()
                ended = sum(1 for state in batch.cells if state.status.final)
                if ended != kept_at or snapshot.done:  # a batch stopped at any moment holds what it finished
                    self._keep(snapshot, visitor, planned)
                    kept_at = ended
                yield snapshot
                if snapshot.done:  # decided from what was yielded, so the last word is always "done"
                    break
                await changed.wait()
                with contextlib.suppress(TimeoutError):  # a burst of cell events becomes one snapshot, the latest;
                    await asyncio.wait_for(finished.wait(), COALESCE_S)  # the batch ending cuts the wait short
                changed.clear()
        except (asyncio.CancelledError, GeneratorExit):
            batch.cancel()
            raise
        finally:
            self._batches.pop(batch.batch_id, None)
            self._suites_running.pop(batch.batch_id, None)

    def _keep(self, snapshot: BatchSnapshot, visitor: Visitor, planned: Plan) -> None:
        """The batch on disk as it is now, for `/vote`, exports and extensions (its runs are in the results log
        whatever happens). Never raises: cells already paid for are answered even if the disk refuses."""
        spec: StoredSpec = planned.spec.as_stored()
        try:
            self.store.save(snapshot, visitor.owner, replace(spec, arguments=self.launcher.inputs.to_references(
                spec.arguments)))
        except Exception as exc:
            log.error("batch %s not kept for votes and extensions: %s: %s", snapshot.batch_id,
                      exc.__class__.__name__, exc)

    async def _cell(self, batch: Batch, state: CellState, visitor: Visitor, server_billed: bool,
                    slots: asyncio.Semaphore, changed: Callable[[], None]) -> None:
        cell = state.cell
        try:
            async with slots:
                ticket = await self.launcher.guard.admit_waiting(visitor.limited_as, cell.estimate.usd, server_billed)
                if state.cancel_requested:
                    ticket.release()
                    state.finish(None, Status.CANCELLED, "cancelled before it started")
                    return
                state.watch = self.launcher.start(cell.endpoint.endpoint_id, cell.arguments, visitor, batch.batch_id,
                                                  ticket)
                try:
                    async for event in state.watch.events():
                        state.apply(event)
                        changed()
                except RunError as exc:
                    state.finish(exc.result, exc.status, str(exc))
        except PlaygroundError as exc:
            state.finish(None, Status.FAILED, str(exc))
        except Exception as exc:  # one cell's surprise must not stop the batch
            log.error("cell %d of batch %s: %s: %s", cell.index, batch.batch_id, exc.__class__.__name__, exc)
            state.finish(None, Status.FAILED, f"{exc.__class__.__name__}: {exc}")
        finally:
            if not state.status.final:
                state.finish(None, Status.FAILED, "the cell ended without a result")
            changed()

    def cancel(self, batch_id: str | None, cells: list[str] | None = None) -> str:
        """Stop some cells of a running batch (all when ``cells``, their clip keys, is None); says what happens."""
        batch = self._batches.get(batch_id or "")
        if batch is None:
            return "No comparison of yours is running."
        return cancel_said(*batch.cancel(None if cells is None else set(cells)), paid=batch.paid)

    # -- showing and judging ------------------------------------------------------------------------------
    def openable(self, visitor: Visitor, limit: int = 50) -> list[tuple[str, str]]:
        """Kept comparisons this visitor may open, newest first: (label, batch id), found through the results log
        (each cell's row carries its batch id), so a teammate's batch is listed as soon as its first cell ends."""
        kept = batches(owned_by(self.launcher.runner.results.read(), self.kept.scope(visitor)), limit)
        return [(batch_label(b.batch_id, b.prompt, b.cells, b.at), b.batch_id) for b in kept]

    def view(self, snapshot: BatchSnapshot | None, blind: bool, file_url: Callable[[str], str],
             row: str | None = None, judge: str = "") -> BatchView:
        """What the tab shows of a batch (blind rows stay blind until ``judge`` votes on them), with ``row`` chosen
        for the vote."""
        revealed = self.voting.revealed(snapshot, judge) if snapshot and snapshot.done else set()
        verdicts: dict[str, list[RowJudgement]] = {}
        if snapshot is not None and snapshot.done:  # judges judge finished rows only
            for (_, judged_row, _), verdict in sorted(self.judging.verdicts(snapshot.batch_id).items()):
                verdicts.setdefault(judged_row, []).append(verdict)
        return batch_view(snapshot, blind, revealed, file_url, row, verdicts)
