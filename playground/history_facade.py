"""The facade's calls for the History tab (``Playground.history``): one per event, each for the visitor who asked
(on a public deployment, only their own runs), returning what the tab shows (``history_present``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from playground.backends import registry
from playground.catalog import Endpoint
from playground.history import Filters
from playground.history_present import ActionView, PromotionPlan, RunPick, follow, run_label, table_row
from playground.present import Shown
from playground.revisit import Revisits
from playground.visitor import Visitor


class HistoryCalls:
    """The results log as the History tab browses it, and what a chosen run can do again."""

    def __init__(self, revisits: Revisits, shown: Shown):
        self.revisits, self.shown = revisits, shown

    # -- the table -----------------------------------------------------------------------------------------
    def endpoint_choices(self) -> list[tuple[str, str]]:
        """The endpoint filter's (label, id) choices."""
        return [(e.label, e.endpoint_id) for e in self.revisits.launcher.catalog.values()]

    def backend_names(self) -> list[str]:
        """The backends a run's row can name (the backend filter)."""
        return registry.names()

    def page(self, filters: Filters, number: int | float | None,
             visitor: Visitor) -> tuple[list[list[Any]], int, str, list[str]]:
        """(table rows, page number, "page 1 of 3 · 60 run(s)", their run ids) of the runs this visitor may see."""
        runs, shown_number, pages, matching = self.revisits.page(filters, int(number or 1), owners=visitor.owners)
        catalog = self.revisits.launcher.catalog
        note = self.revisits.results.set_aside_note()
        info = f"page {shown_number} of {pages} · {matching} run(s)" + (f"\n\n⚠️ {note}" if note else "")
        table = [table_row(run, run_label(catalog, run.endpoint_id)) for run in runs]
        return table, shown_number, info, [run.run_id for run in runs]

    def export(self, filters: Filters, fmt: str, visitor: Visitor) -> Path:
        return self.revisits.export(filters, fmt, visitor.owners)

    # -- a chosen run --------------------------------------------------------------------------------------
    def pick(self, run_id: str, visitor: Visitor) -> RunPick:
        return self.revisits.pick(run_id, visitor)

    def restore(self, run_id: str, visitor: Visitor) -> tuple[Endpoint, dict[str, Any]]:
        """The endpoint and form values that put a run back into its tab (a random seed fixed to the one it got)."""
        return self.revisits.restore(run_id, visitor.owners)

    def promotion_plan(self, run_id: str, target_id: str, resolution: str, duration: str,
                       visitor: Visitor) -> PromotionPlan:
        return self.revisits.promotion_plan(run_id, target_id, resolution, duration, visitor.owners)

    async def rerun(self, run_id: str, visitor: Visitor) -> AsyncIterator[ActionView]:
        async for view in follow(self.revisits.rerun(run_id, visitor), "Run again", self.shown):
            yield view

    async def seed_check(self, run_id: str, visitor: Visitor) -> AsyncIterator[ActionView]:
        async for view in follow(self.revisits.seed_check(run_id, visitor), "Seed check", self.shown):
            yield view

    async def promote(self, run_id: str, target_id: str, resolution: str, duration: str,
                      visitor: Visitor) -> AsyncIterator[ActionView]:
        chosen = {"resolution": resolution, "duration": duration}
        async for view in follow(self.revisits.promote(run_id, target_id, chosen, visitor), "Promoted", self.shown):
            yield view

    async def refetch(self, run_id: str, visitor: Visitor) -> RunPick:
        """Fetch a run's result again, then show the run as it is now."""
        await self.revisits.refetch(run_id, visitor)
        return self.revisits.pick(run_id, visitor)
