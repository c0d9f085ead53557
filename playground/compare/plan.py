"""A comparison planned cell by cell: adapted arguments, estimate, and the fairness report.

Cells are ordered prompt → seed → endpoint, so each prompt × seed is a row to judge side by side.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from playground.catalog import Catalog, Endpoint, Field
from playground.compare.adapt import Change, adapt, scale
from playground.compare.cells import Fairness
from playground.compare.spec import Spec
from playground.errors import InputError
from playground.estimate import Estimate, estimate
from playground.request import validate
from playground.snippets import display_arguments, display_value


@dataclass(frozen=True)
class Cell:
    """One prompt × seed × endpoint of a comparison, as it will be sent."""

    index: int
    endpoint: Endpoint
    prompt_index: int
    prompt: str
    seed: int
    asked: dict[str, Any]
    arguments: dict[str, Any]
    changes: tuple[Change, ...]
    estimate: Estimate

    @property
    def row_key(self) -> str:
        return f"p{self.prompt_index + 1}-s{self.seed}"

    @property
    def row_label(self) -> str:
        return f"prompt {self.prompt_index + 1} · seed {self.seed}"

    def fairness(self) -> Fairness:
        """What this cell asked for, what it sends, and each change with its reason (contract: `/compare`)."""
        return Fairness(self.index, self.endpoint.endpoint_id, self.endpoint.label, self.prompt_index, self.seed,
                        display_arguments(self.asked), display_arguments(self.arguments), self.changes,
                        f"{self.estimate.width}×{self.estimate.height}, {self.estimate.frames} frames "
                        f"({self.estimate.seconds:g} s)")


@dataclass(frozen=True)
class Plan:
    """Every cell, the batch estimate, and where cells differ in anything but the endpoint."""

    spec: Spec
    cells: tuple[Cell, ...]
    total_usd: float
    warnings: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())


def plan(spec: Spec, catalog: Catalog) -> Plan:
    """Adapt, validate and estimate every cell; InputError (per endpoint) if any cell cannot be sent."""
    cells: list[Cell] = []
    problems: list[tuple[str, str]] = []
    for prompt_index, prompt in enumerate(spec.prompts):
        for seed in spec.seeds:
            for endpoint_id in spec.endpoint_ids:
                endpoint = catalog[endpoint_id]
                asked = {**spec.arguments, "prompt": prompt, "seed": seed}
                sent, changes = adapt(endpoint, asked, spec.overrides.get(endpoint_id))
                try:
                    cleaned = validate(endpoint, sent)
                except InputError as exc:
                    problems += [(f"{name} ({endpoint.short_label})", message) for name, message in exc.problems]
                    continue
                cells.append(Cell(len(cells), endpoint, prompt_index, prompt, seed, asked, cleaned, tuple(changes),
                                  estimate(endpoint, cleaned)))
    if problems:
        raise InputError(list(dict.fromkeys(problems)))
    warnings, notes = differences(cells)
    return Plan(spec, tuple(cells), round(sum(c.estimate.usd for c in cells), 6), warnings, notes)


def _shown(value: Any) -> str:
    if value is None:
        return "not sent"
    return str(value).lower() if isinstance(value, bool) else str(display_value(value))


def _sent(cell: Cell, shared: str) -> Any:
    return cell.arguments.get(cell.endpoint.own_name(shared))


def _field(cell: Cell, shared: str) -> Field | None:
    return cell.endpoint.field(cell.endpoint.own_name(shared))


def differences(cells: list[Cell]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Warnings where cells of one prompt × seed would differ in anything but the endpoint; notes for the harmless.

    A field only some endpoints have, left at its default where it exists, is a note; any other
    difference in what is sent, or in the output size or length, is a warning.
    """
    warnings: dict[str, None] = {}
    notes: dict[str, None] = {}
    rows: dict[str, list[Cell]] = {}
    for cell in cells:
        rows.setdefault(cell.row_key, []).append(cell)
    for row in rows.values():
        if len(row) < 2:
            continue
        names = dict.fromkeys(c.endpoint.shared_name(n) for c in row for n in c.arguments)
        for name in names:
            if name == "prompt":
                continue  # prompts differ by row, never within one
            values = {c.endpoint.short_label: _sent(c, name) for c in row}
            if len({repr(v) for v in values.values()}) < 2:
                continue
            listing = "; ".join(f"{_shown(v)} on {label}" for label, v in values.items())
            present = [(c, f) for c in row if (f := _field(c, name)) is not None]
            at_default = all(_sent(c, name) in (None, f.default) for c, f in present)
            (notes if at_default and len(present) < len(row) else warnings)[f"{name}: {listing}"] = None
        shapes = {c.endpoint.short_label: f"{c.estimate.width}×{c.estimate.height}, {c.estimate.seconds:g} s" for c in row}
        if len(set(shapes.values())) > 1:
            warnings["output: " + "; ".join(f"{s} on {label}" for label, s in shapes.items())] = None
    return tuple(warnings), tuple(notes)


def one_per_family(catalog: Catalog, mode: str) -> list[str]:
    """The default comparison for a mode: the standard tier of each family that offers it (else its first);
    endpoints fal no longer serves are left out."""
    chosen: dict[str, Endpoint] = {}
    for endpoint in catalog.values():
        if endpoint.mode == mode and not endpoint.retired and (endpoint.family not in chosen or
                                      (endpoint.tier == "standard" and chosen[endpoint.family].tier != "standard")):
            chosen[endpoint.family] = endpoint
    return [e.endpoint_id for e in chosen.values()]


def union_endpoint(catalog: Catalog, mode: str) -> Endpoint:
    """One form for a mode's shared settings: every field any endpoint of the mode takes, under its shared name.

    Choices are the union of the endpoints' choices; the default is the most common one; a field only some
    endpoints take says which. Prompt and seed are left out (they come from the prompt and seed lists).
    """
    endpoints = [e for e in catalog.values() if e.mode == mode]
    merged: dict[str, list[Any]] = {}
    for endpoint in endpoints:
        for f in endpoint.fields:
            if f.name not in ("prompt", "seed"):
                merged.setdefault(endpoint.shared_name(f.name), []).append((endpoint, f))
    fields = []
    for position, (name, owners) in enumerate(merged.items()):
        kinds = {f.kind for _, f in owners}
        if len(kinds) > 1:
            continue  # not shareable: the endpoints disagree on what it is
        first = owners[0][1]
        enum = tuple(dict.fromkeys(v for _, f in owners for v in f.enum))
        defaults = Counter(f.default for _, f in owners if f.default is not None)
        missing = [e.short_label for e in endpoints if all(e is not o for o, _ in owners)]
        description = first.description + (f" (not sent to: {', '.join(missing)})" if missing else "")
        fields.append(type(first)(
            name=name, kind=first.kind, title=first.title, description=description,
            required=not missing and all(f.required for _, f in owners), position=position,
            default=defaults.most_common(1)[0][0] if defaults else None, enum=_ordered(enum),
            minimum=min((f.minimum for _, f in owners if f.minimum is not None), default=None),
            maximum=max((f.maximum for _, f in owners if f.maximum is not None), default=None),
            min_items=first.min_items, max_items=max((f.max_items or 0 for _, f in owners), default=0) or None))
    base = endpoints[0]
    return type(base)(endpoint_id=f"compare/{mode}", label=f"Compare · {mode}", family="Compare", tier="standard",
                      mode=mode, fields=tuple(fields), pricing=base.pricing, sizes=base.sizes,
                      image_formats=tuple(dict.fromkeys(x for e in endpoints for x in e.image_formats)),
                      slug=f"compare-{mode}")


def _ordered(values: tuple[str, ...]) -> tuple[str, ...]:
    """Union of choices in a sensible order: auto first, then numbers ascending; other values as first seen."""
    numbers = {v: s[1] for v in values if (s := scale(v)) is not None and s[0] == "number"}
    numeric = [v for v in values if v in numbers]
    if numeric and len(numeric) + values.count("auto") == len(values):
        return tuple(["auto"] * ("auto" in values) + sorted(numeric, key=numbers.__getitem__))
    return values
