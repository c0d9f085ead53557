"""The facade's calls for the Compare and Leaderboard tabs (``Playground.compare``): one method per page event,
returning what the tab shows (``compare.present``, ``leaderboard``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from pathlib import Path
from typing import Any

from playground.backends import registry
from playground.compare.comparisons import Comparisons
from playground.compare.form import CompareForm
from playground.compare.present import BatchView, CompareMode, PlanView, clip_labels, refused_view
from playground.compare.snapshot import BatchSnapshot
from playground.compare.spec import draw_seeds
from playground.errors import PlaygroundError
from playground.leaderboard import LeaderboardView, separation_note, standings
from playground.present import FormLayout, form_layout
from playground.revisit import Revisits
from playground.visitor import Visitor

FileUrl = Callable[[str], str]  # a local file → the URL the page loads it from (the UI serves a copy)


class CompareCalls:
    """Compare (plan, run, cancel, judge, export a row) and the Leaderboard its votes make."""

    def __init__(self, comparisons: Comparisons, revisits: Revisits):
        self.comparisons, self.revisits = comparisons, revisits  # revisits: the seed checks beside the standings

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
                    yield self.comparisons.view(snapshot, blind, file_url)
        except PlaygroundError as exc:  # nothing was sent
            yield refused_view(exc)

    def view(self, snapshot: BatchSnapshot | None, blind: bool, row: str | None, file_url: FileUrl) -> BatchView:
        return self.comparisons.view(snapshot, blind, file_url, row)

    def cancel_cells(self, snapshot: BatchSnapshot | None, cells: list[str] | None = None) -> str:
        """Stop some cells of the batch shown (all when ``cells``, their opaque keys, is None); says what happens."""
        return self.comparisons.cancel(snapshot.batch_id if snapshot else None, cells)

    # -- judging -------------------------------------------------------------------------------------------
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

    # -- the Leaderboard -----------------------------------------------------------------------------------
    def leaderboard_filters(self) -> tuple[list[str], str]:
        """The backend filter: its choices (each backend, then "all") and the one it opens on."""
        return [*registry.names(), registry.ALL], registry.judged_first()

    def leaderboard(self, backend: str) -> LeaderboardView:
        labels = self.comparisons.launcher.catalog.short_labels()
        table, fitted = standings(self.comparisons.votes.current(), self.revisits.results.read(), labels, backend)
        return LeaderboardView.of(table, backend, self.revisits.seed_stability(), separation_note(fitted, labels))
