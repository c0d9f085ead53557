"""The judges on fal, as data: one facts file per judge endpoint under ``catalog/judges/`` (like the generators'
facts: its id, how its inputs are named, its models, what it costs, with sources and doubts), and the instructions
in force. From these: every judge (an endpoint × each of its models) by name, the request bodies that judge a row's
clips, and what judging them is estimated to cost.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from playground.catalog.loader import CATALOG_DIR
from playground.errors import CatalogError, InputError
from playground.judging.instructions import Instructions, load_instructions, read_data

JUDGES_DIR = CATALOG_DIR / "judges"
FILE_KEYS = {"endpoint_id", "position", "label", "scope", "inputs", "extra", "models", "pricing", "billing", "notes"}
BILLING_KEYS = {"unit", "usd_per_unit", "source"}


@dataclass(frozen=True)
class JudgeModel:
    """A model a judge endpoint can run, with its token prices and how many tokens a second of video makes."""

    model_id: str
    usd_per_million_input_tokens: float
    usd_per_million_audio_tokens: float
    usd_per_million_output_tokens: float
    video_tokens_per_second: float
    audio_tokens_per_second: float
    reasoning_tokens: int  # thinking billed as output, per call
    confidence: str
    source: str


@dataclass(frozen=True)
class SecondsPricing:
    """``usd_per_block`` per ``block_seconds`` of each clip's video; a partial block rounded up, or its fraction."""

    usd_per_block: float
    block_seconds: float
    rounding: Literal["up", "fraction"]
    confidence: str
    source: str


@dataclass(frozen=True)
class TokenPricing:
    """Tokens at the model's prices: text as UTF-8 bytes ÷ ``utf8_bytes_per_token``, video and audio per second,
    an answer of ``answer_tokens_per_clip`` per clip plus ``answer_tokens_per_call`` per call."""

    utf8_bytes_per_token: float
    answer_tokens_per_clip: int
    answer_tokens_per_call: int
    confidence: str
    source: str


RULES: dict[str, type[SecondsPricing | TokenPricing]] = {"per_video_seconds": SecondsPricing, "per_tokens": TokenPricing}


@dataclass(frozen=True)
class JudgeEndpoint:
    """A judge endpoint on fal as its facts file describes it (``billing_*``: fal's billing unit, where known)."""
    endpoint_id: str
    label: str
    scope: Literal["clip", "row"]  # one clip per call, or the whole row in one call
    video_field: str
    prompt_field: str
    system_field: str  # "" when the endpoint takes no system prompt
    model_field: str  # "" when it takes no model choice
    extra: dict[str, Any]  # fixed arguments sent with every call
    models: tuple[JudgeModel, ...]
    pricing: SecondsPricing | TokenPricing
    billing_usd_per_unit: float | None
    notes: tuple[str, ...]
    billing_unit: str = ""


@dataclass(frozen=True)
class Judge:
    """An endpoint, a model (or "" when the endpoint takes none) and the instructions in force."""

    endpoint: JudgeEndpoint
    model: str
    instructions: Instructions

    @property
    def name(self) -> str:
        """``OpenRouter video (fal) · google/gemini-2.5-flash · rubric 1#a3f9c2``: what a verdict records."""
        return " · ".join(p for p in (self.endpoint.label, self.model, self.instructions.tag) if p)

    @property
    def model_facts(self) -> JudgeModel | None:
        return next((m for m in self.endpoint.models if m.model_id == self.model), None)


class Judges:
    """Every judge the data defines (each endpoint × each of its models), in order: the first is the default."""

    def __init__(self, endpoints: list[JudgeEndpoint], instructions: Instructions):
        self.instructions = instructions
        self._endpoints = {e.endpoint_id: e for e in endpoints}
        judges = [Judge(e, m, instructions) for e in endpoints for m in ([m.model_id for m in e.models] or [""])]
        self._by_name = {j.name: j for j in judges}
        if not judges or len(self._by_name) != len(judges):
            raise ValueError("judges need at least one endpoint, and distinct names")

    def names(self) -> list[str]:
        return list(self._by_name)

    def all(self) -> list[Judge]:
        return list(self._by_name.values())

    def get(self, name: str) -> Judge:
        """The judge of that name ("" → the default); InputError naming the known ones otherwise."""
        if not name:
            return next(iter(self._by_name.values()))
        if name not in self._by_name:
            raise InputError([("judge", f"unknown judge {name[:120]!r}; known: {'; '.join(self._by_name)}")])
        return self._by_name[name]

    def endpoint(self, endpoint_id: str) -> JudgeEndpoint | None:
        return self._endpoints.get(endpoint_id)

    def unit_price(self, endpoint_id: str) -> float | None:
        """fal's price per billable unit of a judge endpoint, where known."""
        endpoint = self._endpoints.get(endpoint_id)
        return endpoint.billing_usd_per_unit if endpoint else None


def _keys(raw: Any, required: set[str], allowed: set[str], file: str, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise CatalogError(file, where, "must be a JSON object")
    if unknown := sorted(set(raw) - allowed):
        raise CatalogError(file, f"{where}.{unknown[0]}", f"unknown key; allowed: {sorted(allowed)}")
    if missing := sorted(required - set(raw)):
        raise CatalogError(file, f"{where}.{missing[0]}", "missing")
    return raw


def _text(raw: dict[str, Any], key: str, file: str, where: str, default: str | None = None) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str) or (not value.strip() and default is None):
        raise CatalogError(file, f"{where}.{key}", f"must be non-empty text, got {value!r:.60}")
    return value


def _number(raw: dict[str, Any], key: str, file: str, where: str, integer: bool = False) -> Any:
    """A price or rate (a number > 0), or a count of tokens (a whole number ≥ 0)."""
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int if integer else int | float) or not math.isfinite(value) \
            or value < 0 or (value == 0 and not integer):
        wanted = "a whole number ≥ 0" if integer else "a number > 0"
        raise CatalogError(file, f"{where}.{key}", f"must be {wanted}, got {value!r:.60}")
    return value


def _facts(cls: type[Any], raw: Any, file: str, where: str, more: frozenset[str] = frozenset()) -> Any:
    """A JudgeModel or pricing from a JSON object whose keys are its fields' names, each checked by its type."""
    kinds = {f.name: str(f.type) for f in dataclasses.fields(cls)}
    found = _keys(raw, set(kinds), set(kinds) | more, file, where)
    if "rounding" in kinds and found["rounding"] not in ("up", "fraction"):
        raise CatalogError(file, f"{where}.rounding", f"must be 'up' or 'fraction', got {found['rounding']!r:.60}")
    return cls(**{name: _text(found, name, file, where) if kind == "str" else found[name] if name == "rounding"
                  else _number(found, name, file, where, kind == "int") for name, kind in kinds.items()})


def _pricing(raw: Any, file: str) -> SecondsPricing | TokenPricing:
    rule = raw.get("rule") if isinstance(raw, dict) else None
    if rule not in RULES:
        raise CatalogError(file, "pricing.rule", f"must be one of {sorted(RULES)}, got {rule!r:.60}")
    pricing: SecondsPricing | TokenPricing = _facts(RULES[rule], raw, file, "pricing", frozenset({"rule"}))
    return pricing


def parse_judge_endpoint(raw: Any, file: str) -> JudgeEndpoint:
    """One judge endpoint from its decoded facts; CatalogError naming ``file`` and the field at the first problem."""
    facts = _keys(raw, FILE_KEYS, FILE_KEYS, file, "-")
    inputs = _keys(facts["inputs"], {"video", "prompt"}, {"video", "prompt", "system", "model"}, file, "inputs")
    fields = {k: _text(inputs, k, file, "inputs", "" if k in ("system", "model") else None) for k in
              ("video", "prompt", "system", "model")}
    if not isinstance(facts["extra"], dict) or set(facts["extra"]) & set(fields.values()):
        raise CatalogError(file, "extra", "must be an object of fixed arguments, none of them an input named in inputs")
    if facts["scope"] not in ("clip", "row"):
        raise CatalogError(file, "scope", f"must be 'clip' or 'row', got {facts['scope']!r:.60}")
    if not isinstance(facts["models"], list):
        raise CatalogError(file, "models", "must be a list (empty when the endpoint takes no model)")
    models: tuple[JudgeModel, ...] = tuple(_facts(JudgeModel, m, file, f"models[{i}]")
                                           for i, m in enumerate(facts["models"]))
    if bool(models) != bool(fields["model"]) or len({m.model_id for m in models}) != len(models):
        raise CatalogError(file, "models", "lists each model once, when (and only when) inputs names a model field")
    pricing = _pricing(facts["pricing"], file)
    if isinstance(pricing, TokenPricing) and not models:
        raise CatalogError(file, "pricing.rule", "per_tokens needs models with token prices")
    billing = None if facts["billing"] is None else _keys(facts["billing"], BILLING_KEYS, BILLING_KEYS, file, "billing")
    notes = facts["notes"]
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise CatalogError(file, "notes", "must be a list of text")
    return JudgeEndpoint(
        endpoint_id=_text(facts, "endpoint_id", file, "-"), label=_text(facts, "label", file, "-"),
        scope=facts["scope"], video_field=fields["video"], prompt_field=fields["prompt"], system_field=fields["system"],
        model_field=fields["model"], extra=dict(facts["extra"]), models=models, pricing=pricing,
        billing_usd_per_unit=float(_number(billing, "usd_per_unit", file, "billing")) if billing else None,
        notes=tuple(notes), billing_unit=_text(billing, "unit", file, "billing") if billing else "")


def _read(path: Path) -> tuple[int, JudgeEndpoint]:
    raw = read_data(path)
    position = raw.get("position") if isinstance(raw, dict) else None
    if type(position) is not int:
        raise CatalogError(str(path), "position", f"must be a whole number (the judges' order), got {position!r:.60}")
    return position, parse_judge_endpoint(raw, str(path))


def load_judges(root: Path = JUDGES_DIR, instructions: Path | None = None) -> Judges:
    """Every judge endpoint under ``root`` in ``position`` order (the first is the default judge), with the
    instructions in ``instructions`` (the package's own when None); CatalogError naming the first bad file."""
    read = sorted((_read(path) for path in sorted(root.glob("*.json"))), key=lambda pair: pair[0])
    if not read:
        raise CatalogError(str(root), "-", "no judge facts files")
    for what, values in (("position", [p for p, _ in read]), ("endpoint_id", [e.endpoint_id for _, e in read]),
                         ("label", [e.label for _, e in read])):
        if len(set(values)) != len(values):
            raise CatalogError(str(root), what, f"two judge files share one {what}: {sorted(map(str, values))}")
    return Judges([endpoint for _, endpoint in read], load_instructions(instructions))


@dataclass(frozen=True)
class Clip:
    """One clip of a row as the judge sees it: where fal can fetch it, how long it is, whether it has sound."""

    url: str
    seconds: float
    has_audio: bool


@dataclass(frozen=True)
class JudgePrice:
    usd: float
    formula: str
    notes: tuple[str, ...]


def _check(clips: list[Clip]) -> None:
    problems = [] if clips else [("clips", "no clips to judge")]
    for n, clip in enumerate(clips, start=1):
        if not isinstance(clip.url, str) or not clip.url.strip():
            problems.append(("clips", f"clip {n} has no URL to send"))
        if not isinstance(clip.seconds, int | float) or not math.isfinite(clip.seconds) or clip.seconds <= 0:
            problems.append(("clips", f"clip {n}'s length is unknown ({clip.seconds!r:.20} s): judging it cannot be "
                                      "priced"))
    if problems:
        raise InputError(problems)


def requests(judge: Judge, clips: list[Clip], prompt: str) -> list[dict[str, Any]]:
    """The bodies to send, clips in order: one per clip (scope clip) or one for the row (scope row). They name no
    endpoint of the row: the judge sees "clip 1..N" (the instructions' words) and the URLs."""
    _check(clips)
    e, instructions = judge.endpoint, judge.instructions
    common = {**e.extra, **({e.model_field: judge.model} if e.model_field else {}),
              **({e.system_field: instructions.system} if e.system_field else {})}
    if e.scope == "clip":
        return [{e.video_field: c.url, e.prompt_field: instructions.clip_prompt(prompt, c.has_audio), **common}
                for c in clips]
    return [{e.video_field: [c.url for c in clips], **common,
             e.prompt_field: instructions.row_prompt(prompt, len(clips), [c.has_audio for c in clips])}]


def price(judge: Judge, clips: list[Clip], prompt: str) -> JudgePrice:
    """What judging these clips (a whole row; a per-clip endpoint prices each clip) is estimated to cost."""
    _check(clips)  # lengths are taken to the millisecond: a probe's 5.0000001 s is 5 s
    p, model = judge.endpoint.pricing, judge.model_facts
    if isinstance(p, SecondsPricing):
        blocks = [math.ceil(round(c.seconds, 3) / p.block_seconds) if p.rounding == "up" else round(c.seconds, 3) / p.block_seconds
                  for c in clips]
        usd = sum(blocks) * p.usd_per_block
        how = "a partial block counted whole" if p.rounding == "up" else "fractions billed"
        return JudgePrice(usd, f"{sum(blocks):g} × {p.block_seconds:g} s of video ({' + '.join(f'{b:g}' for b in blocks)}"
                               f") × ${p.usd_per_block:g} = ${usd:.4f}",
                          (f"${p.usd_per_block:g} per {p.block_seconds:g} s of each clip, {how} ({p.confidence}: "
                           f"{p.source})",))
    assert model is not None  # the loader refuses per_tokens without models
    bodies, fields = requests(judge, clips, prompt), [f for f in (judge.endpoint.prompt_field,
                                                                   judge.endpoint.system_field) if f]
    text = math.ceil(sum(len(str(body[f]).encode("utf-8", "surrogatepass")) for body in bodies for f in fields)
                     / p.utf8_bytes_per_token)
    video = sum(math.ceil(math.ceil(round(c.seconds, 3)) * model.video_tokens_per_second) for c in clips)
    audio = sum(math.ceil(math.ceil(round(c.seconds, 3)) * model.audio_tokens_per_second) for c in clips if c.has_audio)
    output = len(clips) * p.answer_tokens_per_clip + len(bodies) * (p.answer_tokens_per_call + model.reasoning_tokens)
    rates = (model.usd_per_million_input_tokens, model.usd_per_million_audio_tokens, model.usd_per_million_output_tokens)
    usd = ((text + video) * rates[0] + audio * rates[1] + output * rates[2]) / 1e6
    return JudgePrice(usd, f"({text:,} text + {video:,} video tokens) × ${rates[0]:g}/M + {audio:,} audio tokens × "
                           f"${rates[1]:g}/M + {output:,} output tokens × ${rates[2]:g}/M = ${usd:.4f}",
                      (f"{model.model_id}, {model.confidence}: {model.source}", f"{p.confidence}: {p.source}",
                       "fal bills the tokens the model used; where it answers usage.cost, that is the cost"))
