"""What the page shows, as plain text and values: a form's fields, problems and estimate, a run's progress and
result (where runs go: ``backend_present``). The UI only puts these into components (plain Python, testable)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from playground.backends.registry import label
from playground.catalog import Endpoint, Field
from playground.errors import InputError, PlaygroundError, RunError
from playground.estimate import Estimate
from playground.events import Event, InProgress, Queued, Submitted
from playground.form import is_toggled
from playground.snippets import display_arguments, snippets

CODE_LANGUAGES = ("Request JSON", "Python", "JavaScript", "cURL")
MAX_LOG_LINES = 200
SEED_INFO = ("Fixed seeds make runs comparable. With Random seed ticked the model picks one, and the result shows "
             "which, so you can fix it later.")
_SCHEMA_NOTE = re.compile(r"\s*\[[^\]]*(minimum|maximum|item count)[^\]]*\]", re.I)
PRIMARY_COUNT = 6  # fields past this position in x-fal-order-properties, unless required, fold into "Advanced"
Shown = Callable[[dict[str, Any]], dict[str, Any]]  # an answer as this visitor may see it (see SessionCalls.for_visitor)


def _seconds(value: Any) -> str:
    return "–" if value is None else f"{value:g} s"


# -- fields ------------------------------------------------------------------------------------------------
def field_label(f: Field) -> str:
    """A field's label as a person reads it: fal's title without schema words ("Image Url" → "Image")."""
    title = re.sub(r"\s+Urls?$", "", f.title).strip() or f.name
    if f.kind in ("image_urls", "video_urls", "audio_urls"):
        title += " clips" if title.endswith("Audio") else "s"
    return title + (" *" if f.required else "")


def field_info(f: Field) -> str:
    """A field's help text: fal's description without notes meant for the schema ("[minimum/maximum = …]")."""
    if f.kind == "seed":
        return SEED_INFO
    return _SCHEMA_NOTE.sub("", f.description).strip()


def url_label(f: Field) -> str:
    """The label of the URL box beside an upload."""
    many = f.kind != "image_url"
    return "…or URLs, one per line" if many else "…or an image URL"


@dataclass(frozen=True)
class FieldView:
    """One field as its tab lays it out: the schema's facts, and the words and place the page gives it."""

    field: Field
    label: str
    info: str
    url_label: str
    toggled: bool  # an optional range without a default: an on/off switch beside the slider
    advanced: bool  # folded under "Advanced"


@dataclass(frozen=True)
class FormLayout:
    """An endpoint's form (or a comparison's shared settings): its slug (element ids start with it) and its fields."""

    slug: str
    fields: tuple[FieldView, ...]


def form_layout(endpoint: Endpoint) -> FormLayout:
    return FormLayout(endpoint.slug, tuple(
        FieldView(f, field_label(f), field_info(f), url_label(f), is_toggled(f),
                  not f.required and f.position >= PRIMARY_COUNT) for f in endpoint.fields))


# -- the form, while it is edited ---------------------------------------------------------------------------
def estimate_markdown(cost: Estimate | None, problems: list[str]) -> str:
    """Problems first (what stops Run), then the estimate with its formula and notes."""
    lines: list[str] = []
    if problems:
        lines += ["**Fix before running:**"] + [f"- `{p}`" for p in problems] + [""]
    if cost is not None:
        lines += [f"### Estimated cost: ${cost.usd:.4f}",
                  f"{cost.width}×{cost.height} · {cost.frames} frames at {cost.fps} fps · {cost.seconds:g} s",
                  "", f"`{cost.formula}`"]
        lines += [f"- {note}" for note in cost.notes]
        lines += ["", "_An estimate from fal's published prices (its per-second quote where it gives one, else its "
                      "token formula), not a bill._"]
    return "\n".join(lines)


def price_line(cost: Estimate | None, problems: list[str]) -> str:
    """The one line beside Run: the price, or why Run is off."""
    price = f"**${cost.usd:.4f}** · {cost.width}×{cost.height} · {cost.seconds:g} s · estimate" if cost else ""
    if problems:
        fix = f"⚠️ {len(problems)} problem{'s' if len(problems) > 1 else ''} to fix before running (listed below)"
        return f"{price} — {fix}" if price else fix
    return price or "No estimate yet"


def code_panes(endpoint_id: str, arguments: dict[str, Any]) -> dict[str, str]:
    """The request as JSON and as client code, one entry per CODE_LANGUAGES (files that are not URLs: uploaded first
    from a path placeholder in the code, shown as a placeholder in the JSON)."""
    code = snippets(endpoint_id, arguments)
    request_json = json.dumps(display_arguments(arguments), indent=2, ensure_ascii=False)
    return dict(zip(CODE_LANGUAGES, (request_json, code["python"], code["javascript"], code["curl"]), strict=True))


@dataclass(frozen=True)
class FormView:
    """What an endpoint tab shows beside Run for the form as it is now."""

    price: str
    estimate: str
    problems: tuple[str, ...]
    code: dict[str, str]  # one entry per CODE_LANGUAGES

    @property
    def can_run(self) -> bool:
        return not self.problems

    @classmethod
    def of(cls, cost: Estimate | None, problems: list[str], code: dict[str, str]) -> FormView:
        return cls(price_line(cost, problems), estimate_markdown(cost, problems), tuple(problems), code)


# -- a run, while it goes and when it ends ----------------------------------------------------------------------
def event_text(event: Event) -> str:
    if isinstance(event, Submitted):
        return f"submitted · request {event.request_id}"
    if isinstance(event, Queued):
        return "in queue · next up" if event.position == 0 else f"in queue · position {event.position}"
    if isinstance(event, InProgress):
        return f"in progress · {event.logs[-1][:120]}" if event.logs else "in progress"
    return "completed"


def result_markdown(result: dict[str, Any]) -> str:
    if result.get("status") != "completed":
        return f"**{result.get('status', 'failed')}** · {result.get('error', '')}"
    backend = label(result["backend"])
    lines = [f"**Completed** with seed **{result['seed']}** · backend: {backend}"
             + (f" · request `{result['request_id']}`" if result.get("request_id") else "")]
    billed = ""
    if result.get("billed_units"):
        cost = result.get("billed_cost_usd")
        billed = (f" · billed ${float(cost):.4f} ({result['billed_units']} units)" if cost not in (None, "") else
                  f" · billed {result['billed_units']} units (unit price unknown)")
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
    if result.get("served_by"):
        lines.append(f"⚠️ **fal served this with {result['served_by']}**, not the endpoint asked: it is not a clip of "
                     "the model you chose")
    if result.get("error"):
        lines.append(f"**Note:** {result['error']}")
    if result.get("video_url") and not result.get("video_path") and not str(result["video_url"]).startswith("file:"):
        lines.append(f"Remote video: {result['video_url']}")
    return "\n\n".join(lines)


def outcome_line(result: dict[str, Any]) -> str:
    """How a run ended, in one line for the Run bar (which stays in sight; the result itself may be below the fold)."""
    status = str(result.get("status") or "failed")
    if status == "completed":
        return f"✅ **Completed** · seed {result.get('seed')} · the result is below"
    return f"⚠️ **{status.replace('_', ' ').capitalize()}** · why is said below"


@dataclass
class RunView:
    """One update of a tab's run area; None leaves that part as it is."""

    status: str | None = None
    logs: str | None = None
    result: str | None = None
    details: dict[str, Any] | None = None
    video: str | None = None  # a local file to show ("" clears the player)
    done: bool = False


def _as_is(answer: dict[str, Any]) -> dict[str, Any]:
    return answer


@dataclass
class RunWatcher:
    """Turns a run's events into what its tab shows (log lines kept, newest last)."""

    shown: Shown = _as_is
    lines: list[str] = field(default_factory=list)

    def starting(self) -> RunView:
        return RunView(status="⏳ submitting…", logs="", result="", details={}, video="")

    def event(self, event: Event) -> RunView:
        self.lines = (self.lines + list(getattr(event, "logs", ())))[-MAX_LOG_LINES:]
        return RunView(status=f"⏳ {event_text(event)}", logs="\n".join(self.lines))

    def finished(self, outcome: dict[str, Any], video: str) -> RunView:
        outcome = self.shown(outcome)
        return RunView(status=outcome_line(outcome), result=result_markdown(outcome), details=outcome,
                       video=video or "", done=True)

    def refused(self, exc: PlaygroundError) -> RunView:
        """Why a run did not start (nothing was sent): said once, where the run's result would be."""
        if isinstance(exc, InputError):
            listing = "\n".join(f"- `{field_name}: {message}`" for field_name, message in exc.problems)
            return RunView(status="**Not run** — nothing was sent", result=f"**Fix before running:**\n{listing}",
                           done=True)
        if isinstance(exc, RunError) and exc.result is not None:
            return self.finished(exc.result.as_dict(), exc.result.video_path)
        return RunView(status="**Not run** — nothing was sent", result=f"**{exc}**", done=True)


def endpoint_title(label: str, endpoint_id: str, retired: str, notes: tuple[str, ...]) -> str:
    """The line at the top of an endpoint's tab: its name and id, a retirement warning, its facts' notes folded."""
    lines = [f"**{label}** · `{endpoint_id}`"]
    if retired:
        lines.append(f"⚠️ **Retired**: fal no longer serves this endpoint ({retired}). Runs on fal will likely fail; "
                     "the offline preview and your history still work.")
    if notes:
        items = "".join(f"<li>{note}</li>" for note in notes)
        lines.append(f"<details><summary>Notes on this endpoint's facts</summary><ul>{items}</ul></details>")
    return "\n\n".join(lines)


@dataclass(frozen=True)
class KeyChange:
    """A visitor entered or forgot their key: what their session now holds ("" for none), and the new backend line."""

    key: str
    backend_line: str


@dataclass(frozen=True)
class Progress:
    """How far a named-API call has got: a fraction or (done, of), and what is happening."""

    done: float | tuple[int, int]
    text: str


@dataclass(frozen=True)
class Answer:
    """A named-API call's answer: the JSON, and the video file to send with it (if any)."""

    value: Any
    video: str | None = None
