"""Prompt suites: named, fixed sets of prompts × seeds × shared settings kept as data (``suites/*.json``), so a tier
that appears later is measured on the very prompts the others were. Each file is checked against the catalog at
start-up like a preset (a malformed one is reported naming its file and key, and left out). A batch records the
suite's name and content hash (``compare.spec.content_hash``): an edited suite is a new suite and never pools with
the batches of what it was. Running a suite again on more endpoints extends its newest batch: nothing is paid twice.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playground.catalog import Catalog, Endpoint
from playground.compare.extend import Arrangement
from playground.compare.kept import KeptBatches
from playground.compare.plan import one_per_family, union_endpoint
from playground.compare.present import PlanView, plan_markdown, problems_markdown
from playground.compare.spec import MAX_PROMPT_CHARACTERS, MAX_PROMPTS, MAX_SEEDS, SEED_MAX, SuiteMark, content_hash
from playground.compare.store import KeptBatch
from playground.compare.template import TemplateError, parse
from playground.config import Limits
from playground.errors import InputError, PlaygroundError, PresetError
from playground.history import batches, owned_by
from playground.presets import LINE_BREAKS, clean_name, markdown_literal, name_problem
from playground.request import validate
from playground.results import ResultsLog
from playground.store.preset_folder import PresetFolder
from playground.text import escape_surrogates, is_blank, surrogate_problems
from playground.visitor import Visitor

log = logging.getLogger(__name__)
BUILT_IN_DIR = Path(__file__).resolve().parent.parent / "suites"
KEYS = {"name", "description", "mode", "prompts", "seeds", "arguments", "endpoints"}
TAG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # "faces-hands": what a prompt probes, as a filter names it


class SuiteError(PresetError):
    """A suite file that cannot be used, with its file and every bad key (the app still starts without it)."""


@dataclass(frozen=True)
class SuitePrompt:
    text: str
    tags: tuple[str, ...]  # what it probes: motion, faces-hands, text, physics, camera, multi-subject…


@dataclass(frozen=True)
class Suite:
    """One suite, checked against the catalog."""

    name: str
    mode: str
    prompts: tuple[SuitePrompt, ...]
    seeds: tuple[int, ...]
    arguments: dict[str, Any] = field(hash=False)
    endpoints: tuple[str, ...] = ()  # suggested, for a `/compare` that names none
    description: str = ""
    file: str = ""

    @property
    def hash(self) -> str:
        return content_hash(self.mode, (p.text for p in self.prompts), self.seeds, self.arguments)

    @property
    def tags(self) -> list[str]:
        return sorted({tag for prompt in self.prompts for tag in prompt.tags})


def _unique_json(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if twice := sorted({key for key in keys if keys.count(key) > 1}):
        raise ValueError(f"the key(s) {twice} are given twice")
    return dict(pairs)


def read_suite_json(text: str, where: str) -> Any:
    """A suite file's JSON (a key given twice is refused: which one counts would be a guess), or SuiteError."""
    try:
        return json.loads(text, object_pairs_hook=_unique_json)
    except json.JSONDecodeError as exc:
        raise SuiteError(where, [(f"line {exc.lineno}", f"invalid JSON ({exc.msg})")]) from None
    except (ValueError, RecursionError) as exc:
        raise SuiteError(where, [("-", str(exc) if isinstance(exc, ValueError) else "nested too deeply")]) from None


def _prompt(raw: Any, at: str, problems: list[tuple[str, str]]) -> SuitePrompt | None:
    """One prompt of a suite: one line of text, sent exactly as written (no template), and its tags."""
    if not isinstance(raw, dict) or set(raw) - {"text", "tags"} or not isinstance(text := raw.get("text"), str):
        problems.append((at, 'must be {"text": "one line", "tags": ["motion", …]}'))
        return None
    try:
        as_written = not is_blank(text) and text == text.strip() and parse(text).variants() == [text]
    except TemplateError:
        as_written = False
    if bad_text := not as_written or any(c in LINE_BREAKS for c in text):
        problems.append((f"{at}.text", "must be one line of text, sent as written: no line break, no blank, no "
                                       "spaces around it, no {a|b} group"))
    tags = raw.get("tags")
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) and TAG.fullmatch(t) for t in tags):
        problems.append((f"{at}.tags", 'must list what the prompt probes, in lower case: e.g. ["motion", "camera"]'))
        return None
    return None if bad_text else SuitePrompt(text, tuple(dict.fromkeys(tags)))


def _refused(endpoint: Endpoint, arguments: dict[str, Any], prefix: str) -> list[tuple[str, str]]:
    """Why ``endpoint`` refuses ``arguments`` (its prompt as ``text``), field by field."""
    try:
        validate(endpoint, arguments)
    except InputError as exc:
        return [(prefix + ("text" if f == "prompt" else f), m) for f, m in exc.problems]
    return []


def parse_suite(raw: Any, catalog: Catalog, file: str) -> Suite:
    """A Suite from a file's JSON, or SuiteError naming the file and every offending key."""
    if not isinstance(raw, dict):
        raise SuiteError(file, [("-", "must be a JSON object with name, mode, prompts, seeds and arguments")])
    problems = [(escape_surrogates(str(k)), f"unknown key; allowed: {sorted(KEYS)}") for k in raw if k not in KEYS]
    if broken := surrogate_problems(raw):
        raise SuiteError(file, problems + broken)
    name, description, mode = raw.get("name"), raw.get("description", ""), raw.get("mode")
    if problem := name_problem(name):
        problems.append(("name", problem))
    if not isinstance(description, str):
        problems.append(("description", "must be text"))
    modes = {e.mode for e in catalog.values()}
    if mode not in modes:
        problems.append(("mode", f"{escape_surrogates(repr(mode))} is not one of {sorted(modes)}"))
    listed = raw.get("prompts")
    if not isinstance(listed, list) or not 1 <= len(listed) <= MAX_PROMPTS:
        problems.append(("prompts", f"must list 1 to {MAX_PROMPTS} prompts"))
        listed = []
    prompts = [p for i, raw_prompt in enumerate(listed) if (p := _prompt(raw_prompt, f"prompts[{i}]", problems))]
    size = sum(len(p.text) for p in prompts)
    if len({p.text for p in prompts}) < len(prompts) or size > MAX_PROMPT_CHARACTERS:
        problems.append(("prompts", "a prompt is listed twice" if size <= MAX_PROMPT_CHARACTERS else
                         f"are {size:,} characters together; at most {MAX_PROMPT_CHARACTERS:,}, as any comparison"))
    seeds = raw.get("seeds")
    if (not isinstance(seeds, list) or not 1 <= len(seeds) <= MAX_SEEDS or len(set(seeds)) < len(seeds)
            or any(isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= SEED_MAX for s in seeds)):
        problems.append(("seeds", f"must list 1 to {MAX_SEEDS} different whole numbers from 0 to {SEED_MAX}"))
    arguments, endpoints = raw.get("arguments", {}), raw.get("endpoints", [])
    if not isinstance(arguments, dict) or {"prompt", "seed"} & set(arguments):
        problems.append(("arguments", "must be an object of shared settings (no prompt or seed: the suite's own)"))
    elif mode in modes:
        problems += _refused(union_endpoint(catalog, mode), arguments, "arguments.")
        for endpoint, (i, prompt) in itertools.product(catalog.values(), enumerate(prompts)):  # fits every tier
            if endpoint.mode == mode:
                problems += [(f"prompts[{i}].{where}", f"{m} ({endpoint.short_label})") for where, m in
                             _refused(endpoint, {"prompt": prompt.text}, "") if where == "text"]
    if not isinstance(endpoints, list) or any(not isinstance(e, str) or e not in catalog or catalog[e].mode != mode
                                              for e in endpoints):
        problems.append(("endpoints", f"must list endpoint ids of the suite's mode ({mode}), or be left out"))
    if problems:
        raise SuiteError(file, list(dict.fromkeys(problems)))
    assert isinstance(name, str) and isinstance(mode, str) and isinstance(seeds, list)  # checked above
    return Suite(clean_name(name), mode, tuple(prompts), tuple(seeds), dict(arguments), tuple(endpoints),
                 description, file)


class Suites:
    """Every usable suite, in file order, and the problems found loading the others."""

    def __init__(self, catalog: Catalog, directory: Path = BUILT_IN_DIR):
        self.catalog, self.all = catalog, list[Suite]()
        texts, self.problems = PresetFolder(directory).texts()
        for kept in texts:
            try:
                suite = parse_suite(read_suite_json(kept.text, kept.label), catalog, kept.label)
            except SuiteError as exc:
                self.problems += exc.lines
                continue
            if any(s.name == suite.name for s in self.all):
                self.problems.append(f"{kept.label}: name: {suite.name!r} is used by another suite")
                continue
            self.all.append(suite)
        for problem in self.problems:
            log.warning("suite skipped: %s", problem)

    def names(self, mode: str | None = None) -> list[str]:
        return [s.name for s in self.all if mode is None or s.mode == mode]

    def choices(self) -> dict[str, list[str]]:
        """What a decision can be filtered to: each suite's name, and every tag of their prompts."""
        return {"suite": self.names(), "tag": sorted({tag for suite in self.all for tag in suite.tags})}

    def get(self, name: Any) -> Suite:
        """A suite by its name (or its file's name without .json), or InputError on ``suite``."""
        found = next((s for s in self.all if name in (s.name, Path(s.file).stem)), None)
        if found is None:
            shown = escape_surrogates(str(name)[:80]) if isinstance(name, str) else type(name).__name__
            raise InputError([("suite", f"no suite called {shown!r}; the suites: {self.names()}")])
        return found

    def spec_for(self, suite: Suite, endpoints: Iterable[str]) -> dict[str, Any]:
        """The `/compare` request that runs ``suite`` on ``endpoints`` (InputError if one is of another mode)."""
        endpoint_ids = list(endpoints)
        other = [e for e in endpoint_ids if isinstance(e, str) and e in self.catalog
                 and self.catalog[e].mode != suite.mode]
        if other:
            raise InputError([("endpoints", f"the suite {suite.name!r} is {suite.mode}; {other} are not")])
        return {"prompts": [p.text for p in suite.prompts], "endpoints": endpoint_ids, "seeds": list(suite.seeds),
                "arguments": dict(suite.arguments), "suite": SuiteMark(suite.name, suite.hash).as_dict()}

    def expanded(self, asked: Any) -> Any:
        """A `/compare` request naming a suite (``"suite": "<name>"``) as the request it stands for; any other
        request as it is. Giving a suite and prompts, seeds or settings of one's own is an InputError."""
        if not isinstance(asked, dict) or not isinstance(asked.get("suite"), str):
            return asked
        suite = self.get(asked["suite"])
        if both := [key for key in ("prompts", "seeds", "random_seeds", "arguments", "overrides") if key in asked]:
            raise InputError([("suite", f"give a suite or {', '.join(both)}, not both: a suite brings its own "
                                        "prompts, seeds and shared settings")])
        endpoints = asked.get("endpoints") or list(suite.endpoints) or one_per_family(self.catalog, suite.mode)
        request = self.spec_for(suite, endpoints if isinstance(endpoints, list) else [])
        return {**asked, **request, "endpoints": endpoints}  # parse_spec says what is wrong with a bad list


class SuiteRuns:
    """A suite run in one click on chosen endpoints (extending its newest batch that they cover), and the batches
    and prompts a decision is filtered to."""

    def __init__(self, suites: Suites, kept: KeptBatches, results: ResultsLog,
                 arrange: Callable[[Any, Visitor], Arrangement], paid: Callable[[Visitor], bool], limits: Limits):
        self.suites, self.kept, self.results, self.arrange = suites, kept, results, arrange
        self.paid, self.limits = paid, limits

    def scope(self, name: str, tag: str) -> tuple[frozenset[str] | None, frozenset[str] | None]:
        """(the ids of the kept batches that ran suite ``name`` as it is now — None when ``name`` is empty —, the
        prompt texts any suite tags ``tag`` — None when ``tag`` is empty); InputError for an unknown one."""
        batch_ids = None
        if name:
            suite = self.suites.get(name)
            mark = SuiteMark(suite.name, suite.hash)
            batch_ids = frozenset(i for i in self.kept.store.batch_ids()
                                  if (b := self.kept.store.load(i, None)) is not None and b.spec.suite == mark)
        if not tag:
            return batch_ids, None
        texts = frozenset(p.text for s in self.suites.all for p in s.prompts if tag in p.tags)
        if not texts:
            raise InputError([("tag", f"no suite prompt is tagged {escape_surrogates(tag[:40])!r}; the tags: "
                                      f"{self.suites.choices()['tag']}")])
        return batch_ids, texts

    def extendable(self, suite: Suite, endpoint_ids: Iterable[str], visitor: Visitor) -> KeptBatch | None:
        """The newest batch of ``suite`` as it is now that this visitor may use and whose endpoints are all among
        ``endpoint_ids``: running the suite on them extends it, so none of its cells is paid for twice."""
        chosen, mark = set(endpoint_ids), SuiteMark(suite.name, suite.hash)
        for summary in batches(owned_by(self.results.read(), self.kept.scope(visitor)), 10_000):
            kept = self.kept.store.load(summary.batch_id, None)
            if kept is not None and kept.spec.suite == mark and set(kept.spec.endpoint_ids) <= chosen:
                return kept
        return None

    def request(self, name: str, endpoint_ids: list[str], visitor: Visitor, confirm: bool = False,
                reuse: bool = False) -> dict[str, Any]:
        """The `/compare` request of a one-click run: the suite on these endpoints, extending its batch if any."""
        suite = self.suites.get(name)
        if not endpoint_ids:
            raise InputError([("endpoints", "choose the endpoints to run the suite on")])
        batch = self.extendable(suite, endpoint_ids, visitor)
        return {**self.suites.spec_for(suite, endpoint_ids), "confirm": confirm, "reuse": reuse,
                **({"extend": batch.snapshot.batch_id} if batch else {})}

    def plan(self, name: str, endpoint_ids: list[str], visitor: Visitor, confirm: bool = False,
             reuse: bool = False) -> PlanView:
        """What a one-click run would do and cost, or what stops it (never raises: the form's changes redraw it)."""
        if not name:
            return PlanView("", False)
        try:
            suite = self.suites.get(name)
            arranged = self.arrange(self.request(name, endpoint_ids, visitor, confirm, reuse), visitor)
            paid = self.paid(visitor)
        except PlaygroundError as exc:
            return PlanView(problems_markdown(exc), False)
        said = plan_markdown(arranged, self.limits.max_batch_usd, paid)
        return PlanView(suite_markdown(suite, arranged) + "\n\n" + said, True)


def suite_markdown(suite: Suite, arranged: Arrangement) -> str:
    """The suite's head above its plan: its name and hash, what it probes, and which batch it extends."""
    lines = [f"### Suite: {markdown_literal(suite.name)} · #{suite.hash}"]
    if suite.description:
        lines.append(markdown_literal(suite.description))
    lines.append("Probes: " + " · ".join(suite.tags))
    extend = arranged.plan.spec.extend
    if extend:
        per_endpoint = Counter(cell.endpoint.short_label for cell in arranged.new)
        new = " and ".join(f"{label}'s {count} cells" for label, count in per_endpoint.items())
        lines.append(f"**Extends batch {extend}**: " + (f"only {new} run" if new else "nothing new runs")
                     + f"; its {len(arranged.kept)} finished cells are kept, not paid for again.")
    return "\n\n".join(lines)
