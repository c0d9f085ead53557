"""A comparison as asked: prompt variants × endpoints × fixed seeds, shared settings, per-endpoint overrides.

Read once, here, from the `/compare` JSON (the Compare tab builds the same JSON from its form, see form.py): every
problem is reported at once as ``field: message`` before anything runs, and what comes out is a ``Spec``. An
extension is merged into the spec its batch kept (``StoredSpec``) before it is read, so the whole is checked as one
comparison.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from playground.catalog import Catalog
from playground.compare.template import COUNT_CEILING, TemplateError, parse
from playground.errors import InputError
from playground.text import escape_surrogates, is_blank

MAX_PROMPTS = 8
# The prompts field as a whole (text, or listed prompts with a break between each), checked before any line is
# read. Real prompts are a few hundred to a few thousand characters and fal states no maximum; this is twice the
# 100,000-character line the playground promises to take, and keeps the worst read of any shape (200,000 braces,
# 15,625 different lines) near a tenth of a second: the scan is linear, this bounds how long it can be.
MAX_PROMPT_CHARACTERS = 200_000
COUNTED = 1_000  # prompts counted before a list far too long is refused without reading the rest
MAX_SEEDS = 8
SEED_MAX = 2**31 - 1
KEYS = {"prompts", "endpoints", "seeds", "random_seeds", "arguments", "overrides", "confirm", "extend", "reuse",
        "suite"}
BATCH_ID = re.compile(r"[0-9a-f]{12}")  # a suite's content hash has the same shape


def content_hash(mode: str, prompts: Iterable[str], seeds: Iterable[int], arguments: Mapping[str, Any]) -> str:
    """What defines a prompt suite's cells (its mode, prompt texts, seeds and shared settings; their order, its
    layout, description and tags aside) as 12 hex digits of a SHA-256: an edited suite is a new suite."""
    defined = {"mode": mode, "prompts": sorted(prompts), "seeds": sorted(seeds), "arguments": arguments}
    text = json.dumps(defined, sort_keys=True, ensure_ascii=True, separators=(",", ":"), default=str)  # canonical
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:12]


@dataclass(frozen=True)
class SuiteMark:
    """The prompt suite a batch ran (playground/suites.py), by name and the hash of its content then."""

    name: str
    hash: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "hash": self.hash}

    @classmethod
    def checked(cls, name: Any, hashed: Any) -> SuiteMark | None:
        """A mark from its dict form's two values, or None when they are not one."""
        ok = isinstance(name, str) and name and isinstance(hashed, str) and BATCH_ID.fullmatch(hashed)
        return cls(name, hashed) if ok else None


def normal_batch_id(raw: Any, field: str = "batch_id") -> str:
    """A batch id as typed or pasted (spaces, line breaks, capitals around it) made exact, or InputError on
    ``field``: checked before anything is sent or any path is built from it."""
    text = raw.strip().lower() if isinstance(raw, str) else ""
    if not BATCH_ID.fullmatch(text):
        shown = escape_surrogates(raw[:40]) if isinstance(raw, str) else type(raw).__name__
        raise InputError([(field, f"{shown!r} is not a batch id: 12 characters 0-9 a-f, as /compare's batch_id")])
    return text


@dataclass(frozen=True)
class StoredSpec:
    """The spec a batch keeps (its seeds fixed), to be extended later; ``as_dict`` is the kept file's ``spec``."""

    prompts: tuple[str, ...] = ()
    endpoint_ids: tuple[str, ...] = ()
    seeds: tuple[int, ...] = ()
    arguments: dict[str, Any] = field(default_factory=dict)  # inline files as data URIs, or references on disk
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    suite: SuiteMark | None = None  # the prompt suite it ran, if any

    def as_dict(self) -> dict[str, Any]:
        return {"prompts": list(self.prompts), "endpoints": list(self.endpoint_ids), "seeds": list(self.seeds),
                "arguments": self.arguments, "overrides": self.overrides,
                "suite": self.suite.as_dict() if self.suite else None}

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> StoredSpec:
        """The kept file's ``spec`` (a missing key is empty); what it holds is checked when an extension of it is
        read, as one comparison with what the extension adds."""
        def listed(key: str) -> tuple[Any, ...]:
            value = spec.get(key)
            return tuple(value) if isinstance(value, list) else ()

        arguments, overrides, suite = spec.get("arguments"), spec.get("overrides"), spec.get("suite")
        return cls(listed("prompts"), listed("endpoints"), listed("seeds"),
                   dict(arguments) if isinstance(arguments, dict) else {},
                   dict(overrides) if isinstance(overrides, dict) else {},  # no suite in files kept before suites
                   SuiteMark.checked(suite.get("name"), suite.get("hash")) if isinstance(suite, dict) else None)


@dataclass(frozen=True)
class Spec:
    """A validated comparison; seeds are fixed (random ones are drawn once, here)."""

    prompts: tuple[str, ...]
    endpoint_ids: tuple[str, ...]
    seeds: tuple[int, ...]
    arguments: dict[str, Any] = field(default_factory=dict)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    confirm: bool = False
    extend: str = ""  # the finished batch these cells join (see extend.py)
    reuse: bool = False  # take a completed run with the same sent arguments instead of paying again
    seeded: bool = True  # seeds the person chose (drawn ones are random: never reused)
    suite: SuiteMark | None = None  # the prompt suite these cells are, whole (its hash checked against them)

    def as_stored(self) -> StoredSpec:
        """The spec as its batch keeps it (seeds fixed), to be extended later."""
        return StoredSpec(self.prompts, self.endpoint_ids, self.seeds, self.arguments, self.overrides, self.suite)


def draw_seeds(count: int) -> list[int]:
    """``count`` distinct random seeds, to be fixed from then on."""
    drawn: list[int] = []
    while len(drawn) < count:
        seed = secrets.randbelow(SEED_MAX)
        if seed not in drawn:
            drawn.append(seed)
    return drawn


def _prompt_lines(raw: Any, problems: list[tuple[str, str]]) -> Iterator[str] | None:
    """The distinct non-blank lines of ``raw`` (text, or a list of prompts), trimmed and read lazily; or None (and
    why) when ``raw`` is not prompts or is too long, before any line is read."""
    lines = raw.splitlines() if isinstance(raw, str) else raw if isinstance(raw, list) else None
    if lines is None or not all(isinstance(p, str) for p in lines):
        problems.append(("prompts", "must be a list of prompts (or one prompt per line)"))
        return None
    size = len(raw) if isinstance(raw, str) else sum(map(len, lines)) + max(len(lines) - 1, 0)  # a break each
    if size > MAX_PROMPT_CHARACTERS:
        problems.append(("prompts", f"are {size:,} characters long; at most {MAX_PROMPT_CHARACTERS:,} characters "
                                    "of prompts per comparison (a long prompt is a few thousand)"))
        return None
    return (p.strip() for p in dict.fromkeys(lines) if not is_blank(p))  # a repeated line adds no prompt


def _prompts(raw: Any, problems: list[tuple[str, str]]) -> tuple[str, ...]:
    """One prompt per line, each line expanded from its ``{a|b}`` groups (template.py), duplicates dropped.
    Reading stops past ``COUNTED`` prompts: 100,000 distinct lines would take a second to read for nothing."""
    lines = _prompt_lines(raw, problems)
    if lines is None:
        return ()
    prompts: dict[str, None] = {}
    for line in lines:
        shown = line if len(line) <= 60 else line[:59] + "…"
        try:
            template = parse(line)
        except TemplateError as exc:
            problems.append(("prompts", f"the template {shown!r} {exc}"))
            return ()
        if (n := template.count) > MAX_PROMPTS:
            size = f"{n:,}" if n < COUNT_CEILING else f"over {COUNT_CEILING:,}"
            problems.append(("prompts", f"the template {shown!r} expands to {size} variants; at most {MAX_PROMPTS} "
                                        "prompt variants per comparison"))
            return ()
        prompts.update(dict.fromkeys(p for p in template.variants() if not is_blank(p)))
        if len(prompts) > COUNTED:
            break
    if not prompts:
        problems.append(("prompts", "give at least one prompt"))
    elif len(prompts) > MAX_PROMPTS:
        got = f"over {COUNTED:,}" if len(prompts) > COUNTED else len(prompts)
        problems.append(("prompts", f"at most {MAX_PROMPTS} prompt variants per comparison, got {got}"))
    return tuple(prompts)


def _seeds(raw: dict[str, Any], problems: list[tuple[str, str]]) -> tuple[int, ...]:
    seeds, random_count = raw.get("seeds"), raw.get("random_seeds")
    if random_count is not None:
        if isinstance(random_count, bool) or not isinstance(random_count, int) or not 1 <= random_count <= MAX_SEEDS:
            problems.append(("random_seeds", f"must be a whole number from 1 to {MAX_SEEDS}"))
            return ()
        return tuple(draw_seeds(random_count))
    if not isinstance(seeds, list) or not seeds:
        problems.append(("seeds", "give a list of seeds, e.g. [7, 42], or random_seeds: N (fixed seeds compare fairly)"))
        return ()
    if any(isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= SEED_MAX for s in seeds):
        problems.append(("seeds", f"each seed must be a whole number from 0 to {SEED_MAX} (no random -1 in a comparison)"))
        return ()
    unique = tuple(dict.fromkeys(seeds))
    if len(unique) > MAX_SEEDS:
        problems.append(("seeds", f"at most {MAX_SEEDS} seeds per comparison, got {len(unique)}"))
    return unique


def _endpoints(raw: Any, catalog: Catalog, problems: list[tuple[str, str]]) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(e, str) for e in raw):
        problems.append(("endpoints", "give a list of endpoint ids to compare (see /catalog)"))
        return ()
    ids = tuple(dict.fromkeys(e.strip() for e in raw))
    unknown = [e for e in ids if e not in catalog]
    if unknown:
        problems.append(("endpoints", f"unknown endpoint(s) {unknown}; see /catalog"))
        return ()
    modes = {catalog[e].mode for e in ids}
    if len(modes) > 1:
        problems.append(("endpoints", f"compare endpoints of one mode at a time, got {sorted(modes)}"))
    return ids


def extension_of(raw: Any) -> str:
    """The batch a `/compare` request extends, its id made exact ('' for a new comparison), or InputError on
    ``extend``: read first, so a bad id stops the request before anything is read, run or paid for."""
    extend = raw.get("extend") if isinstance(raw, dict) else None
    return normal_batch_id(extend, "extend") if extend else ""


def _merged(raw: dict[str, Any], stored: StoredSpec) -> dict[str, Any]:
    """``raw`` (an extension of a batch) merged into the batch's stored spec: its prompts, endpoints and seeds
    first, then the new ones (its rows and votes stay where they were); InputError if the shared settings differ."""
    if (raw.get("arguments") or {}) != stored.arguments:
        raise InputError([("arguments", "an extension keeps the batch's shared settings "
                                        f"({json.dumps(stored.arguments, ensure_ascii=False)[:200]}); start a "
                                        "new comparison to change them")])
    asked = raw.get("overrides") or {}
    overrides = dict(asked) if isinstance(asked, dict) else {}
    changed = [e for e, o in overrides.items() if e in stored.overrides and o != stored.overrides[e]]
    if changed:
        raise InputError([("overrides", f"an extension keeps the overrides of the batch's endpoints: {changed}")])

    suite = raw.get("suite")
    if stored.suite and suite is None:
        suite = stored.suite.as_dict()  # it stays that suite's batch: its content is checked against the mark
    elif stored.suite and isinstance(suite, dict) and suite != stored.suite.as_dict():
        raise InputError([("extend", f"this batch ran the suite {stored.suite.name!r} as it was then "
                                     f"(#{stored.suite.hash}); an edited suite is a new suite: run it anew")])

    def joined(new: Any, kept: tuple[Any, ...]) -> Any:
        return [*kept, *(v for v in new if v not in kept)] if isinstance(new, list) else new

    prompts = raw.get("prompts")
    merged = {**raw, "prompts": joined(prompts.splitlines() if isinstance(prompts, str) else prompts, stored.prompts),
              "endpoints": joined(raw.get("endpoints"), stored.endpoint_ids),
              "overrides": {**stored.overrides, **overrides}, "extend": extension_of(raw), "suite": suite}
    drawn = raw.get("random_seeds")
    if drawn is None:
        merged["seeds"] = joined(raw.get("seeds"), stored.seeds) if raw.get("seeds") is not None else list(stored.seeds)
    elif isinstance(drawn, int) and not isinstance(drawn, bool) and 1 <= drawn <= MAX_SEEDS:
        merged.pop("random_seeds")  # drawn here to join the batch's own; drawn seeds are never reused
        merged.update(seeds=[*stored.seeds, *draw_seeds(drawn)], reuse=False)
    return merged


def parse_spec(raw: Any, catalog: Catalog, max_cells: int, extending: StoredSpec | None = None) -> Spec:
    """A Spec, or InputError listing every problem with the request; ``extending``: the spec kept by the batch
    the request extends (see ``extension_of``), merged with it first and read as one."""
    if extending is not None and isinstance(raw, dict):
        raw = _merged(raw, extending)
    if not isinstance(raw, dict):
        raise InputError([("spec", f"must be a JSON object, got {type(raw).__name__}")])
    problems: list[tuple[str, str]] = [(k, f"unknown key; allowed: {sorted(KEYS)}") for k in raw if k not in KEYS]
    prompts = _prompts(raw.get("prompts"), problems)
    endpoint_ids = _endpoints(raw.get("endpoints"), catalog, problems)
    seeds = _seeds(raw, problems)
    arguments = raw.get("arguments") or {}
    if not isinstance(arguments, dict):
        problems.append(("arguments", "must be a JSON object of shared settings"))
        arguments = {}
    problems += [(k, "is set per cell from prompts/seeds; leave it out of arguments")
                 for k in ("prompt", "seed") if k in arguments]
    overrides = raw.get("overrides") or {}
    if not isinstance(overrides, dict) or not all(isinstance(v, dict) for v in overrides.values()):
        problems.append(("overrides", 'must map endpoint ids to settings, e.g. {"<endpoint id>": {"resolution": "480p"}}'))
        overrides = {}
    problems += [("overrides", f"{e!r} is not one of the endpoints being compared") for e in overrides if e not in endpoint_ids]
    for flag in ("confirm", "reuse"):
        if not isinstance(raw.get(flag, False), bool):
            problems.append((flag, "must be true or false"))
    extend = raw.get("extend") or ""
    if not isinstance(extend, str):
        problems.append(("extend", "must be the batch_id of a finished comparison of yours"))
        extend = ""
    suite = raw.get("suite")
    mark = SuiteMark.checked(suite.get("name"), suite.get("hash")) if isinstance(suite, dict) else None
    if suite is not None and mark is None:
        problems.append(("suite", "name one of the prompt suites (the Compare tab lists them)"))
    elif mark and prompts and endpoint_ids and seeds and mark.hash != content_hash(
            catalog[endpoint_ids[0]].mode, prompts, seeds, arguments):
        problems.append(("suite", f"these are not the cells of the suite {mark.name!r} (#{mark.hash}): its batch "
                                  "may gain endpoints only; other prompts, seeds or settings are another comparison"))
    cells = len(prompts) * len(endpoint_ids) * len(seeds)
    if cells > max_cells:
        problems.append(("cells", f"{len(prompts)} prompts × {len(endpoint_ids)} endpoints × {len(seeds)} seeds = "
                                  f"{cells} cells, over the cap of {max_cells} per batch (PLAYGROUND_MAX_BATCH_CELLS)"))
    if problems:
        raise InputError(problems)
    return Spec(prompts, endpoint_ids, seeds, dict(arguments), {k: dict(v) for k, v in overrides.items()},
                raw.get("confirm") is True, extend, raw.get("reuse") is True, raw.get("random_seeds") is None, mark)
