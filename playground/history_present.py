"""What the History tab shows: a table that fits the screen, a chosen run with the price of each thing it can do
again, a promotion's plan before it is sent, and a re-run as it goes (plain Python, testable)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from playground.catalog import Catalog
from playground.checks import SeedVerdict
from playground.compare.adapt import Change
from playground.errors import PlaygroundError
from playground.estimate import Estimate
from playground.present import RunWatcher, Shown, event_text, result_markdown
from playground.record import RunRecord
from playground.signal_board import signals_line

TABLE_HEADERS = ["when (UTC)", "endpoint", "status", "backend", "seed", "prompt", "est. $", "time"]
KEEP = "keep"


def run_label(catalog: Catalog, endpoint_id: str) -> str:
    """A run's endpoint, short: "1.0 Lite · T2V" (an endpoint no longer in the catalog by its id)."""
    endpoint = catalog.get(endpoint_id)
    return f"{endpoint.short_label} · {endpoint.mode_short}" if endpoint else endpoint_id


def table_row(run: RunRecord, endpoint_label: str) -> list[Any]:
    """One run as a short table row: month-day time, a short endpoint name, the prompt cut to a line."""
    when = run.created_at[5:16].replace("T", " ")
    prompt = run.prompt if len(run.prompt) <= 70 else run.prompt[:69] + "…"
    total = "" if run.total_s is None else f"{run.total_s:.1f} s"
    return [when, endpoint_label, str(run.status), run.backend, "" if run.seed is None else str(run.seed), prompt,
            f"{run.estimated_cost_usd:.4f}", total]


def details_markdown(run: RunRecord, endpoint_label: str) -> str:
    """The run as its tab said it when it ended (what the log does not know: a seed as "?", rates as 0)."""
    result = {**run.as_dict(), "seed": "?" if run.seed is None else run.seed, "fps": run.fps or 0.0,
              "duration_s": run.duration_s or 0.0, "frames": "" if run.frames is None else run.frames}
    head = (f"**{endpoint_label}** `{run.endpoint_id}` · run `{run.run_id}` · "
            f"{run.created_at[:19].replace('T', ' ')} UTC")
    measured = signals_line(run)
    answer = run.output_text[:4000].replace("`", "ˋ")  # no fence of its own can end the block it is shown in
    judged = (f"\n\n**A model judge's call**: its answer, as it came:\n\n```\n{answer}\n```"
              if run.judged and run.output_text else "")
    return head + "\n\n" + result_markdown(result) + (f"\n\n**Signals**: {measured}" if measured else "") + judged


@dataclass(frozen=True)
class RunPick:
    """A run chosen in the table: what it was, and what each action on it would cost before it is pressed."""

    run_id: str
    details: str
    video_path: str
    code: dict[str, str]
    rerun_label: str
    seed_check_label: str
    can_seed_check: bool
    can_refetch: bool
    targets: list[tuple[str, str]]


@dataclass(frozen=True)
class PromotionPlan:
    """A promotion as it would be sent: its price, what was fitted to the target, and the target's own choices."""

    label: str
    note: str
    can_promote: bool
    resolutions: list[str]
    durations: list[str]


def price_label(action: str, cost: Estimate | None) -> str:
    return f"{action} · ${cost.usd:.4f}" if cost else action


def promotion_note(target_label: str, changes: list[Change], cost: Estimate | None, problems: list[str]) -> str:
    if problems:
        return "**Cannot promote as chosen:**\n" + "\n".join(f"- `{p}`" for p in problems)
    lines = [f"On **{target_label}**: {cost.width}×{cost.height}, {cost.seconds:g} s · estimated **${cost.usd:.4f}**"
             if cost else f"On **{target_label}**"]
    lines += [f"- {c.field}: `{c.asked}` → {'dropped' if c.sent is None else f'`{c.sent}`'} ({c.why})" for c in changes]
    return "\n".join(lines)


@dataclass(frozen=True)
class ActionView:
    """What History shows while a re-run, seed check or promotion goes: its outcome text, and the video to show
    (None leaves the player as it is; "" clears it)."""

    outcome: str
    video: str | None = None


def seed_verdict_text(verdict: SeedVerdict) -> str:
    psnr = f", mean PSNR {verdict.psnr_db} dB" if verdict.psnr_db is not None else ""
    return f"**{verdict.verdict}** ({verdict.frames_equal} of {verdict.frames} frames identical{psnr})"


async def follow(items: AsyncIterator[Any], heading: str, shown: Shown) -> AsyncIterator[ActionView]:
    """A History action's progress, then its result (a seed check's verdict last). An action that could not start,
    or whose run failed, says so here once (no pop-up)."""
    result: RunRecord | None = None
    try:
        async for item in items:
            if isinstance(item, RunRecord):
                result = item
                yield ActionView(f"{heading}\n\n" + result_markdown(shown(item.as_dict())), item.video_path)
            elif isinstance(item, SeedVerdict) and result is not None:
                yield ActionView(f"{heading}: {seed_verdict_text(item)}\n\n" + result_markdown(shown(result.as_dict())),
                                 result.video_path)
            else:
                yield ActionView(f"{heading} · {event_text(item)}")
    except PlaygroundError as exc:
        view = RunWatcher(shown).refused(exc)
        yield ActionView(f"{heading}: {view.status or ''}\n\n{view.result or ''}")
