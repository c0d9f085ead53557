"""Short human-readable texts for the UI: estimate, progress and result summaries (plain Python, testable)."""

from __future__ import annotations

from pathlib import PurePath

from playground.estimate import Estimate
from playground.events import Event, InProgress, Queued, Submitted

BACKEND_LABELS = {"offline": "offline preview (synthetic clip, not model output)", "fal": "fal.ai (billed)"}


def _seconds(value) -> str:
    return "–" if value is None else f"{value:g} s"


def estimate_markdown(cost: Estimate | None, problems: list[str]) -> str:
    lines = []
    if cost is not None:
        lines += [f"### Estimated cost: ${cost.usd:.4f}",
                  f"{cost.width}×{cost.height} · {cost.frames} frames at {cost.fps} fps · {cost.seconds:g} s",
                  "", f"`{cost.formula}`"]
        lines += [f"- {note}" for note in cost.notes]
        lines += ["", "_An estimate from fal's published token formula, not a bill._"]
    if problems:
        lines += ["", "**Fix before running:**"] + [f"- `{p}`" for p in problems]
    return "\n".join(lines)


def event_text(event: Event) -> str:
    if isinstance(event, Submitted):
        return f"submitted · request {event.request_id}"
    if isinstance(event, Queued):
        return "in queue · next up" if event.position == 0 else f"in queue · position {event.position}"
    if isinstance(event, InProgress):
        return f"in progress · {event.logs[-1][:120]}" if event.logs else "in progress"
    return "completed"


def result_markdown(result: dict) -> str:
    if result.get("status") != "completed":
        return f"**{result.get('status', 'failed')}** · {result.get('error', '')}"
    backend = BACKEND_LABELS.get(result["backend"], result["backend"])
    lines = [f"**Completed** with seed **{result['seed']}** · backend: {backend}"
             + (f" · request `{result['request_id']}`" if result.get("request_id") else "")]
    billed = f" · billed units {result['billed_units']}" if result.get("billed_units") else ""
    timing = f"queue {_seconds(result.get('queue_s'))}, run {_seconds(result.get('run_s'))}"
    if result.get("width"):
        lines.append(f"Probed: {result['width']}×{result['height']} · {result['fps']:g} fps · {result['frames']} frames · "
                     f"{result['duration_s']:g} s · estimated cost ${result['estimated_cost_usd']:.4f}{billed} · {timing}")
    else:
        lines.append(f"Estimated cost ${result['estimated_cost_usd']:.4f}{billed} · {timing}")
    if result.get("checks"):
        audio = "with audio" if result.get("has_audio") else "no audio track"
        verdict = "✅ matches the request" if result["checks"] == "ok" else f"⚠️ {result['checks']}"
        lines.append(f"Checks: {verdict} · {audio}")
    if result.get("video_path"):
        lines.append(f"Saved in the app's outputs as `{PurePath(result['video_path']).name}` (fal's URLs expire)")
    if result.get("error"):
        lines.append(f"**Note:** {result['error']}")
    if result.get("video_url") and not result.get("video_path"):
        lines.append(f"Remote video: {result['video_url']}")
    return "\n\n".join(lines)
