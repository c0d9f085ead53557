"""The Compare tab's form, typed: what the page hands the core, read into the `/compare` request it stands for.

The tab and `/compare` then go the same way (spec.py reads the request once), so the page can never ask for
something the API would refuse, or the other way round.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from playground.catalog import Endpoint
from playground.errors import InputError
from playground.form import ReadFile, read_form
from playground.request import parse_arguments


@dataclass(frozen=True)
class CompareForm:
    """The Compare tab as filled in (fields in the order the tab lists them)."""

    mode: str
    endpoint_ids: Sequence[str] = ()
    prompts: str = ""  # one per line; {a|b} groups make variants
    seeds: str = ""  # fixed seeds, separated by spaces, commas or semicolons
    shared: Mapping[str, Any] = field(default_factory=dict)  # the shared settings' widgets, by field name
    overrides: str = ""  # per-endpoint overrides as JSON
    confirm: bool = False  # run even though it is above the cost cap
    reuse: bool = False  # reuse completed runs with the same arguments and seed
    extend: str = ""  # the batch the cells join ('' for a new comparison)


def form_request(form: CompareForm, forms: Mapping[str, Endpoint], read_file: ReadFile) -> dict[str, Any]:
    """The `/compare` request ``form`` stands for (files inlined by ``read_file``), or InputError naming each field
    of the form that cannot be read; ``forms``: each mode's shared-settings form."""
    if form.mode not in forms:
        raise InputError([("mode", f"choose one of {list(forms)}")])
    problems: list[tuple[str, str]] = []
    seeds = []
    for word in re.split(r"[\s,;]+", form.seeds or ""):
        if word:
            try:
                seeds.append(int(word))
            except ValueError:
                problems.append(("seeds", f"{word!r} is not a whole number"))
    try:
        overrides = parse_arguments(form.overrides, "overrides") if (form.overrides or "").strip() else {}
    except InputError as exc:
        problems += exc.problems
        overrides = {}
    arguments, form_problems = read_form(forms[form.mode], dict(form.shared or {}), read_file)
    problems += form_problems
    if problems:
        raise InputError(problems)
    return {"prompts": form.prompts or "", "endpoints": list(form.endpoint_ids or []), "seeds": seeds,
            "arguments": arguments, "overrides": overrides, "confirm": bool(form.confirm), "reuse": bool(form.reuse),
            **({"extend": form.extend} if form.extend else {})}
