"""Texts and tables for the Compare tab: the plan before, each cell while running, the outcome after."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playground.compare.cells import CellStatus
from playground.compare.extend import Arrangement
from playground.compare.grid import clip_key, grid_html, shown_cells
from playground.compare.plan import Plan
from playground.compare.snapshot import BatchSnapshot
from playground.compare.verdicts import RowJudgement
from playground.record import RunRecord, Status

STATUS_HEADERS = ["prompt × seed", "clip", "status", "queue", "last log", "est. cost", "billed", "error"]
UNIT_PRICE_UNKNOWN = "unit price unknown"


def _plain(text: str, limit: int = 160) -> str:
    """A visitor's text shown as itself in Markdown (no formatting, links or HTML of its own), on one line."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[:limit - 1] + "…"
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~])", r"\\\1", text)


def plan_markdown(arranged: Arrangement, cap_usd: float, paid: bool) -> str:
    plan, cost = arranged.plan, arranged.new_usd
    cells = plan.cells
    new, reused, kept = len(arranged.new), len(arranged.reused), len(arranged.kept)
    lines = [f"### {len(cells)} cells · estimated ${cost:.4f}" + (" in total" if new == len(cells) else
                                                                  f" for the {new} new one(s)"),
             f"{len(plan.spec.prompts)} prompt(s) × {len(plan.spec.endpoint_ids)} endpoint(s) × "
             f"{len(plan.spec.seeds)} seed(s): {', '.join(str(s) for s in plan.spec.seeds)}"]
    if plan.spec.extend or plan.spec.reuse:
        unknown = sum(1 for record in arranged.kept.values() if record.status != Status.COMPLETED)
        lines.append(f"**{new} new** (to run and pay for) · **{reused} reused** from your earlier runs · **{kept} "
                     f"skipped**, already in batch {plan.spec.extend or '—'}"
                     + ("" if plan.spec.seeded else " · drawn seeds are never reused")
                     + (f" · {unknown} of them lost their submit's answer (fal may have run them; look in your fal "
                        "dashboard): not sent again" if unknown else ""))
    if not paid:
        lines.append("_Offline preview: estimates show what fal would charge; nothing is billed._")
        if cost > cap_usd:
            lines.append(f"**On fal this batch would be above the ${cap_usd:.2f} batch cap** "
                         "(PLAYGROUND_MAX_BATCH_USD) and would need confirming.")
    elif cost > cap_usd:
        lines.append(f"**Above the ${cap_usd:.2f} batch cap** (PLAYGROUND_MAX_BATCH_USD): tick *Run even though "
                     "it is above the cap* to run it.")
    if len(plan.spec.prompts) > 1:  # what a template expanded to, before anything is paid for
        lines += ["", "Prompt variants:", *(f"{n}. {_plain(prompt)}" for n, prompt in enumerate(plan.spec.prompts, 1))]
    lines += ["", "| endpoint | output | estimate per cell |", "|---|---|---|"]
    for endpoint_id in plan.spec.endpoint_ids:
        cell = next(c for c in cells if c.endpoint.endpoint_id == endpoint_id)
        lines.append(f"| {cell.endpoint.short_label} | {cell.estimate.width}×{cell.estimate.height}, "
                     f"{cell.estimate.seconds:g} s | ${cell.estimate.usd:.4f} |")
    lines += ["", fairness_markdown(plan)]
    return "\n".join(lines)


def fairness_markdown(plan: Plan) -> str:
    """What each endpoint is sent compared with what was asked (the same for every prompt × seed)."""
    lines = ["#### Fairness: what each endpoint receives"]
    lines += [f"- ⚠️ {w}" for w in plan.warnings] or ["- ✅ every cell of a row gets the same settings and output size"]
    lines += [f"- ℹ️ {n} (left at its default where it exists)" for n in plan.notes]
    changes = []
    seen = set()
    harmless = {note.split(":", 1)[0] for note in plan.notes}  # dropped where it would only have been a default
    for cell in plan.cells:
        for change in cell.changes:
            key = (cell.endpoint.endpoint_id, change.field)
            if key not in seen and not (change.sent is None and change.field in harmless):
                seen.add(key)
                sent = "dropped" if change.sent is None else f"`{change.sent}`"
                changes.append(f"| {cell.endpoint.short_label} | {change.field} | `{change.asked}` | {sent} | {change.why} |")
    if changes:
        lines += ["", "| endpoint | field | asked | sent | why |", "|---|---|---|---|---|", *changes]
    return "\n".join(lines)


def status_rows(snapshot: BatchSnapshot | None, blind: bool, revealed: set[str]) -> list[list[Any]]:
    """One row per cell for the live status table, in the order the grid shows them. A blind row not yet voted
    on shows its clip letters and bare statuses only: a log line, an error, a queue place or a cost could each
    tell which endpoint a clip is."""
    if snapshot is None:
        return []
    table: list[list[Any]] = []
    for row in snapshot.rows():
        hidden = blind and row not in revealed
        for label, cell in shown_cells(snapshot, row, blind, revealed):
            table.append([cell.row_label, label, cell.status.value,
                          "" if hidden or cell.position is None else cell.position,
                          "" if hidden else cell.last_log[:80],
                          "" if hidden else f"{cell.run.estimated_cost_usd:.4f}",
                          "" if hidden else billed_text(cell.run), "" if hidden else cell.error[:200]])
    return table


def billed_text(run: RunRecord) -> str:
    """What fal billed a run: dollars where the unit price is known, the units alone where it is not."""
    if run.billed_cost_usd is not None:
        return f"{run.billed_cost_usd:.4f}"
    if run.billed_units:
        return f"{run.billed_units} units ({UNIT_PRICE_UNKNOWN})"
    return ""


def cancel_choices(snapshot: BatchSnapshot | None, blind: bool, revealed: set[str]) -> list[tuple[str, str]]:
    """(label, opaque value) per cell still going, for "Cancel these cells" (no endpoint order in the values)."""
    if snapshot is None:
        return []
    return [(f"{cell.row_label} · {label}", clip_key(snapshot.batch_id, cell.index))
            for row in snapshot.rows() for label, cell in shown_cells(snapshot, row, blind, revealed)
            if not cell.status.final]


def problems_markdown(exc: Exception) -> str:
    """What stops a comparison from running, one line per problem."""
    return "**Fix before running:**\n" + "\n".join(f"- `{line}`" for line in str(exc).splitlines())


def cancel_said(started: int, waiting: int, paid: bool) -> str:
    """What a cancel does: started cells are told to stop (and still end as rows); waiting ones never run."""
    where = "at fal.ai" if paid else "here"
    said = []
    if started:
        said.append(f"{started} started cell(s) told to stop {where}; each still ends as a row in the results log")
    if waiting:
        said.append(f"{waiting} cell(s) that had not started will not run (no row, nothing billed)")
    return "Cancelling: " + "; ".join(said) + "." if said else "Every cell had already ended."


TIE_CHOICE, ALL_BAD_CHOICE = "Tie: equally good", "All bad"


def vote_choices(snapshot: BatchSnapshot, row: str, blind: bool, revealed: set[str]) -> list[str]:
    """What a vote on a row can name: its finished clips, labelled as the page shows them, then a tie and "all
    bad" (only where there are two clips to judge)."""
    clips = [label for label, cell in shown_cells(snapshot, row, blind, revealed)
             if cell.status is CellStatus.COMPLETED]
    return clips + [TIE_CHOICE, ALL_BAD_CHOICE] if len(clips) >= 2 else clips


@dataclass(frozen=True)
class CompareMode:
    """What the Compare tab offers for a mode: its endpoints (label, id), those chosen by default, its presets."""

    endpoints: list[tuple[str, str]]
    selected: list[str]
    presets: list[str]


@dataclass(frozen=True)
class PlanView:
    """The Compare tab's plan panel for its form as it is now, and whether Run may be pressed."""

    markdown: str
    can_run: bool


@dataclass(frozen=True)
class BatchView:
    """Everything the Compare tab shows of a batch: the table, the outcome, the grid, what can still be cancelled,
    and (once it is done) the rows to vote on, the one chosen and its clips. ``snapshot`` is the batch itself, for
    the tab to keep and hand back."""

    snapshot: BatchSnapshot | None
    table: list[list[Any]]
    outcome: str
    grid: str
    cancellable: list[tuple[str, str]]
    vote_rows: list[tuple[str, str]]
    vote_row: str | None
    vote_choices: list[str]
    done: bool

    @property
    def clips(self) -> list[str]:
        """The chosen row's finished clips, as labelled (what an export can take its sound from)."""
        return clip_labels(self.vote_choices)


def clip_labels(choices: list[str]) -> list[str]:
    """A row's vote choices without the tie and all-bad words: its clips."""
    return [c for c in choices if c not in (TIE_CHOICE, ALL_BAD_CHOICE)]


def refused_view(exc: Exception) -> BatchView:
    """A comparison that did not start (nothing was sent): what stops it, in the outcome."""
    return BatchView(None, [], problems_markdown(exc), "", [], [], None, [], True)


def batch_view(snapshot: BatchSnapshot | None, blind: bool, revealed: set[str], file_url: Callable[[str], str],
               row: str | None = None, verdicts: dict[str, list[RowJudgement]] | None = None) -> BatchView:
    """The batch as the tab shows it; ``row`` stays the vote's row if it is one of this batch's, else the first."""
    if snapshot is None:
        return BatchView(None, [], "", grid_html(None, blind, revealed, file_url), [], [], None, [], False)
    done = snapshot.done
    vote_rows = [(cells[0].row_label, key) for key, cells in snapshot.rows().items()] if done else []
    chosen = row if row in {key for _, key in vote_rows} else (vote_rows[0][1] if vote_rows else None)
    return BatchView(snapshot, status_rows(snapshot, blind, revealed), outcome_markdown(snapshot, blind),
                     grid_html(snapshot, blind, revealed, file_url, votes=done, verdicts=verdicts), cancel_choices(snapshot, blind, revealed),
                     vote_rows, chosen, vote_choices(snapshot, chosen, blind, revealed) if chosen else [], done)


def outcome_markdown(batch: BatchSnapshot, blind: bool = False) -> str:
    """After (or during) the run: counts, the cost after (on a paid backend), and what each endpoint actually
    produced."""
    totals = batch.totals
    counts = ", ".join(f"{n} {status}" for status, n in totals.counts.items() if n)
    spent = (f"estimated spend ${totals.spent_usd:.4f} of ${batch.total_usd:.4f} planned"
             if batch.paid else "offline preview: nothing billed")
    if batch.paid and totals.billed_usd is not None:
        spent += f" · billed ${totals.billed_usd:.4f}"
    if totals.billed_unknown:
        spent += f" ({totals.billed_unknown} cell(s) without a billed cost: {UNIT_PRICE_UNKNOWN} or not reported)"
    lines = [f"**Batch `{batch.batch_id}`** · {counts or 'starting'} · {spent}"]
    rerouted = [c for c in batch.cells if c.served_by]
    if rerouted:
        lines.append("⚠️ " + ("a clip was served by another endpoint than asked (named once you vote)" if blind else
                             "; ".join(f"{c.label} ({c.row_label}) was served by {c.served_by}" for c in rerouted)))
    produced = [c for c in batch.cells if c.run.width]
    shapes = {c.label: f"{c.run.width}×{c.run.height}, {c.run.frames} frames" for c in produced}
    if len(set(shapes.values())) == 1:
        lines.append(f"What each endpoint produced (probed): all {next(iter(shapes.values()))}")
    elif shapes:
        lines.append("What each endpoint produced (probed): ⚠️ " + (
            "sizes or lengths differ (shown once you vote)" if blind else
            "; ".join(f"{label} {shape}" for label, shape in shapes.items())))
    return "\n\n".join(lines)


def batch_label(batch_id: str, prompt: str, cells: int, at: str) -> str:
    """A kept comparison as the Open list names it: when, the start of its first prompt, its clips, its id."""
    words = " ".join(str(prompt).split())
    short = words if len(words) <= 48 else words[:47] + "…"
    return f"{str(at)[:16].replace('T', ' ')} · {short or '(no prompt)'} · {cells} clip(s) · {batch_id}"
