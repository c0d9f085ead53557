"""The facade's Compare and Leaderboard calls (``Playground`` inherits them): one method per page event.

Split from ``service`` to keep each file small; the UI still calls them on the ``Playground``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from pathlib import Path
from typing import Any

from playground.catalog import Catalog
from playground.compare.comparisons import Comparisons
from playground.compare.form import CompareForm
from playground.compare.present import BatchView, CompareMode, PlanView, clip_labels, refused_view
from playground.compare.snapshot import BatchSnapshot
from playground.compare.spec import draw_seeds
from playground.errors import PlaygroundError
from playground.leaderboard import LeaderboardView, separation_note, standings
from playground.presets import Presets
from playground.results import ResultsLog
from playground.revisit import Revisits
from playground.visitor import Visitor

FileUrl = Callable[[str], str]  # a local file → the URL the page loads it from (the UI serves a copy)


class CompareFacade:
    """Compare and Leaderboard, on the parts ``Playground`` builds."""

    catalog: Catalog
    comparisons: Comparisons
    presets: Presets
    results: ResultsLog
    revisits: Revisits

    def compare_mode(self, mode: str) -> CompareMode:
        choices, selected = self.comparisons.endpoints_for(mode)
        return CompareMode(choices, selected, [p.label for p in self.presets.for_mode(mode)])

    def compare_plan(self, form: CompareForm, visitor: Visitor) -> PlanView:
        return self.comparisons.preview_form(form, visitor)

    def compare_preset(self, label: str) -> tuple[str, str, str | None, dict[str, Any]]:
        """A preset as the Compare tab shows it: (mode, prompt, seed or None, shared-settings form)."""
        return self.comparisons.preset_form(label)

    def drawn_seeds(self, count: float | None) -> str:
        return ", ".join(str(seed) for seed in draw_seeds(max(1, min(8, int(count or 1)))))

    async def run_compare(self, form: CompareForm, visitor: Visitor, blind: bool,
                          file_url: FileUrl) -> AsyncIterator[BatchView]:
        """The Compare tab's Run, snapshot by snapshot; a comparison that cannot start says why in its outcome."""
        try:
            async with aclosing(self.comparisons.run_form(form, visitor)) as snapshots:  # leaving stops the batch
                async for snapshot in snapshots:
                    yield self.comparisons.view(snapshot, blind, file_url)
        except PlaygroundError as exc:  # nothing was sent
            yield refused_view(exc)

    def compare_view(self, snapshot: BatchSnapshot | None, blind: bool, row: str | None, file_url: FileUrl) -> BatchView:
        return self.comparisons.view(snapshot, blind, file_url, row)

    def cancel_cells(self, snapshot: BatchSnapshot | None, cells: list[str] | None = None) -> str:
        """Stop some cells of the batch shown (all when ``cells``, their opaque keys, is None); says what happens."""
        return self.comparisons.cancel(snapshot.batch_id if snapshot else None, cells)

    def row_choices(self, snapshot: BatchSnapshot | None, row: str, blind: bool) -> tuple[list[str], list[str]]:
        """For a row chosen under the grid: what a vote can say, and the clips an export can take sound from."""
        choices = self.comparisons.voting.choices(snapshot, row, blind)
        return choices, clip_labels(choices)

    def vote(self, snapshot: BatchSnapshot | None, row: str, choice: str, blind: bool,
             file_url: FileUrl) -> tuple[str, BatchView]:
        """Record a vote; what to say, and the batch as it shows now (a blind row is revealed)."""
        said = self.comparisons.voting.vote(snapshot, row, choice, blind)
        return said, self.comparisons.view(snapshot, blind, file_url, row)

    def vote_key(self, snapshot: BatchSnapshot | None, row: str, key: str, blind: bool,
                 file_url: FileUrl) -> tuple[str, BatchView]:
        """A vote given with a key on a row of the grid (1–9 a clip, 0 a tie, x all bad), as ``vote``."""
        return self.vote(snapshot, row, self.comparisons.voting.choice_for_key(snapshot, row, key, blind), blind,
                         file_url)

    def export_row(self, snapshot: BatchSnapshot | None, row: str | None, blind: bool, audio: str | None) -> Path:
        """The row shown on the page as one side-by-side MP4 (blind rows not yet voted on show letters only)."""
        return self.comparisons.exports.for_page(snapshot, row or "", blind, audio)

    def leaderboard_view(self, backend: str) -> LeaderboardView:
        labels = self.catalog.short_labels()
        table, fitted = standings(self.comparisons.votes.current(), self.results.read(), labels, backend)
        return LeaderboardView.of(table, backend, self.revisits.seed_stability(), separation_note(fitted, labels))
