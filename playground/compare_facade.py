"""The facade's calls for the Compare and Leaderboard tabs (``Playground.compare``): one method per page event,
returning what the tab shows (``compare.present``, ``leaderboard``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from pathlib import Path
from typing import Any

from playground.backends import registry
from playground.compare.comparisons import Comparisons
from playground.compare.form import CompareForm
from playground.compare.judge_present import judged_said
from playground.compare.present import BatchView, CompareMode, PlanView, clip_labels, refused_view
from playground.compare.snapshot import BatchSnapshot
from playground.compare.spec import draw_seeds
from playground.compare.verdicts import model_votes
from playground.decide import Decision, Filters, decide_in
from playground.decide_charts import DecideView
from playground.decide_filters import SOUNDS, SuiteScope, no_suites
from playground.errors import PlaygroundError
from playground.judge_board import judge_board
from playground.leaderboard import LeaderboardView, separation_note, standings
from playground.present import FormLayout, form_layout
from playground.revisit import Revisits
from playground.signal_board import signal_board
from playground.visitor import Visitor
from playground.votes import EVERY_JUDGE, by_judge, judges

FileUrl = Callable[[str], str]  # a local file → the URL the page loads it from (the UI serves a copy)


class CompareCalls:
    """Compare (plan, run, cancel, judge, export a row) and the Leaderboard its votes make."""

    def __init__(self, comparisons: Comparisons, revisits: Revisits):
        self.comparisons, self.revisits = comparisons, revisits  # revisits: the seed checks beside the standings
        self.suite_scope: SuiteScope = no_suites  # (suite, tag) → (batch ids, prompts) they cover; set by suites
        self.suite_choices: Callable[[], dict[str, list[str]]] = dict  # {"suite": names, "tag": tags}; set by suites

    # -- the form ------------------------------------------------------------------------------------------
    def layouts(self) -> dict[str, FormLayout]:
        """Per mode, in the catalog's order of modes, the shared settings (every field any endpoint of that mode
        has); the first mode is the one the tab opens on."""
        return {mode: form_layout(union) for mode, union in self.comparisons.forms.items()}

    def mode(self, mode: str) -> CompareMode:
        choices, selected = self.comparisons.endpoints_for(mode)
        return CompareMode(choices, selected, [p.label for p in self.comparisons.presets.for_mode(mode)])

    def plan(self, form: CompareForm, visitor: Visitor) -> PlanView:
        return self.comparisons.preview_form(form, visitor)

    def preset(self, label: str) -> tuple[str, str, str | None, dict[str, Any]]:
        """A preset as the Compare tab shows it: (mode, prompt, seed or None, shared-settings form)."""
        return self.comparisons.preset_form(label)

    def drawn_seeds(self, count: float | None) -> str:
        return ", ".join(str(seed) for seed in draw_seeds(max(1, min(8, int(count or 1)))))

    # -- a batch -------------------------------------------------------------------------------------------
    async def run(self, form: CompareForm, visitor: Visitor, blind: bool, file_url: FileUrl) -> AsyncIterator[BatchView]:
        """The Compare tab's Run, snapshot by snapshot; a comparison that cannot start says why in its outcome."""
        try:
            async with aclosing(self.comparisons.run_form(form, visitor)) as snapshots:  # leaving stops the batch
                async for snapshot in snapshots:
                    yield self.comparisons.view(snapshot, blind, file_url, None, visitor.judge)
        except PlaygroundError as exc:  # nothing was sent
            yield refused_view(exc)

    def view(self, snapshot: BatchSnapshot | None, blind: bool, row: str | None, file_url: FileUrl,
             visitor: Visitor | None = None) -> BatchView:
        """The batch as this visitor sees it (blind rows stay blind until *they* vote on them)."""
        return self.comparisons.view(snapshot, blind, file_url, row, (visitor or Visitor()).judge)

    def open_choices(self, visitor: Visitor) -> list[tuple[str, str]]:
        """The comparisons this visitor may open (the workspace's, or their own on a public deployment), newest
        first, as (label, batch id)."""
        return self.comparisons.openable(visitor)

    def open(self, batch_id: str, blind: bool, file_url: FileUrl, visitor: Visitor) -> tuple[BatchSnapshot, BatchView]:
        """A kept comparison put on the page, to judge, export or extend, by whoever may see it."""
        snapshot = self.comparisons.kept.get(batch_id, visitor, "open").snapshot
        return snapshot, self.comparisons.view(snapshot, blind, file_url, None, visitor.judge)

    def cancel_cells(self, snapshot: BatchSnapshot | None, cells: list[str] | None = None) -> str:
        """Stop some cells of the batch shown (all when ``cells``, their opaque keys, is None); says what happens."""
        return self.comparisons.cancel(snapshot.batch_id if snapshot else None, cells)

    # -- judging -------------------------------------------------------------------------------------------
    def row_choices(self, snapshot: BatchSnapshot | None, row: str, blind: bool,
                    visitor: Visitor) -> tuple[list[str], list[str]]:
        """For a row chosen under the grid: what a vote can say, and the clips an export can take sound from."""
        choices = self.comparisons.voting.choices(snapshot, row, blind, visitor.judge)
        return choices, clip_labels(choices)

    def vote(self, snapshot: BatchSnapshot | None, row: str, choice: str, blind: bool, file_url: FileUrl,
             visitor: Visitor) -> tuple[str, BatchView]:
        """Record the visitor's vote (their judge's: ``Visitor.judge``); what to say, and the batch as it shows now
        (a blind row is revealed to them)."""
        said = self.comparisons.voting.vote(snapshot, row, choice, blind, visitor.judge)
        return said, self.comparisons.view(snapshot, blind, file_url, row, visitor.judge)

    def vote_key(self, snapshot: BatchSnapshot | None, row: str, key: str, blind: bool, file_url: FileUrl,
                 visitor: Visitor) -> tuple[str, BatchView]:
        """A vote given with a key on a row of the grid (1–9 a clip, 0 a tie, x all bad), as ``vote``."""
        choice = self.comparisons.voting.choice_for_key(snapshot, row, key, blind, visitor.judge)
        return self.vote(snapshot, row, choice, blind, file_url, visitor)

    def export_row(self, snapshot: BatchSnapshot | None, row: str | None, blind: bool, audio: str | None,
                   visitor: Visitor) -> Path:
        """The row shown on the page as one side-by-side MP4 (blind rows this visitor has not voted on show
        letters only)."""
        return self.comparisons.exports.for_page(snapshot, row or "", blind, audio, visitor.judge)

    # -- model judges ----------------------------------------------------------------------------------------
    def judge_names(self) -> list[str]:
        """The model judges a row can be given to, the default first."""
        return self.comparisons.judging.names()

    def judge_quote(self, snapshot: BatchSnapshot | None, row: str | None, judge: str, visitor: Visitor) -> str:
        """The line beside the Judge button: what judging the chosen row costs, or why it cannot be judged."""
        return self.comparisons.judging.quote(snapshot, row, judge, visitor).said

    async def judge_row(self, snapshot: BatchSnapshot | None, row: str | None, judge: str, blind: bool,
                        file_url: FileUrl, visitor: Visitor) -> tuple[str, BatchView]:
        """Have a model judge the chosen row (its calls are runs, each logged); what to say, and the batch as it
        shows now, the verdicts under the clips (on a blind row, once the visitor has voted)."""
        records = await self.comparisons.judging.judge(snapshot, row, judge, visitor)
        return judged_said(records), self.comparisons.view(snapshot, blind, file_url, row, visitor.judge)

    # -- prompt suites -------------------------------------------------------------------------------------
    def suite_names(self, mode: str) -> list[str]:
        """The prompt suites of a mode (playground/suites.py), as the tab lists them."""
        return self.comparisons.suites.names(mode)

    def suite_plan(self, name: str | None, endpoint_ids: list[str] | None, confirm: bool, reuse: bool,
                   visitor: Visitor) -> PlanView:
        """What Run suite would do on the chosen endpoints (which batch of the suite it extends, the new cells and
        their cost), or what stops it."""
        return self.comparisons.suite_runs.plan(name or "", list(endpoint_ids or []), visitor, confirm, reuse)

    async def run_suite(self, name: str | None, endpoint_ids: list[str] | None, confirm: bool, reuse: bool,
                        visitor: Visitor, blind: bool, file_url: FileUrl) -> AsyncIterator[BatchView]:
        """Run suite: the suite on the chosen endpoints, extending its newest batch they cover (only the new
        endpoints' cells run), snapshot by snapshot; a run that cannot start says why in its outcome."""
        try:
            asked = await asyncio.to_thread(self.comparisons.suite_runs.request, name or "",
                                            list(endpoint_ids or []), visitor, confirm, reuse)
            async with aclosing(self.comparisons.batches(asked, visitor)) as snapshots:  # leaving stops the batch
                async for snapshot in snapshots:
                    yield self.comparisons.view(snapshot, blind, file_url, None, visitor.judge)
        except PlaygroundError as exc:  # nothing was sent
            yield refused_view(exc)

    # -- the Leaderboard -----------------------------------------------------------------------------------
    def leaderboard_filters(self) -> tuple[list[str], str]:
        """The backend filter: its choices (each backend, then "all") and the one it opens on."""
        return [*registry.names(), registry.ALL], registry.judged_first()

    def judges(self) -> list[str]:
        """The judge filter's choices: everyone's votes together, then each judge who has voted."""
        return [EVERY_JUDGE, *judges(self.comparisons.votes.current())]

    def leaderboard(self, backend: str, judge: str = EVERY_JUDGE) -> LeaderboardView:
        """The standings from every judge's current votes (one per judge per row), or from one judge's."""
        labels = self.comparisons.launcher.catalog.short_labels()
        votes = by_judge(self.comparisons.votes.current(), judge)
        results = self.revisits.results.read()
        table, fitted = standings(votes, results, labels, backend)
        return LeaderboardView.of(table, backend, self.revisits.seed_stability(), separation_note(fitted, labels),
                                  judge_board(votes, model_votes(results), labels, backend),
                                  signal_board(results, labels, backend))

    # -- the decision --------------------------------------------------------------------------------------
    def decisions(self, filters: Filters | dict[str, Any] | str) -> list[Decision]:
        """One decision per pool (mode × sound) the filters leave, best-populated first (``playground.decide``);
        filters as `/decide` takes them (JSON text, a dict, or parsed); the suite and tag through ``suite_scope``."""
        return decide_in(self.comparisons.launcher.catalog, self.comparisons.votes.current(),
                         self.revisits.results.read(), filters, self.suite_scope)

    def decide(self, filters: Filters | dict[str, Any] | str) -> Decision:
        """The decision of the best-populated pool the filters leave (a "not enough votes" one when none)."""
        return self.decisions(filters)[0]

    def decide_view(self, filters: Filters | dict[str, Any] | str, pool: str | None = None) -> DecideView:
        """The Decide tab for these filters: the pool asked for (else the best-populated one) with its verdict,
        pictures and classes, every pool's standings under it (the same backend and judge), the judges' choices."""
        asked = filters if isinstance(filters, Filters) else Filters.parse(filters)
        return DecideView.of(self.decisions(asked), pool, self.leaderboard(asked.backend, asked.judge), self.judges())

    def decide_choices(self) -> dict[str, list[str]]:
        """Each filter's choices, as the Decide tab offers them: backends (then "all"), judges (everyone first),
        modes and sounds ("" first: every pool), and the suites' and tags' once ``suite_choices`` gives them."""
        backends, _ = self.leaderboard_filters()
        modes = ["", *dict.fromkeys(e.mode for e in self.comparisons.launcher.catalog.values())]
        return {"backend": backends, "judge": self.judges(), "mode": modes, "sound": ["", *SOUNDS],
                **self.suite_choices()}
