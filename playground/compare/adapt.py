"""Map shared Compare settings onto one endpoint's schema, saying what changed and why.

Unknown fields are dropped; a value an endpoint does not allow becomes its nearest allowed value
(``1080p`` → ``720p``, ``2`` s → ``4`` s, ``9:21`` → ``9:16``), ``auto`` where there is none becomes the
endpoint's default, and numbers are clamped to the field's range. Nothing here is endpoint-specific:
it works from each field's own values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from playground.catalog import Endpoint, Field

_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)(p|s)?$")
_K = re.compile(r"^(\d+)k$")
_RATIO = re.compile(r"^(\d+):(\d+)$")


@dataclass(frozen=True)
class Change:
    """One difference between what the comparison asked for and what a cell sends (``sent`` None = dropped)."""

    field: str
    asked: Any
    sent: Any
    why: str

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "asked": self.asked, "sent": self.sent, "why": self.why}

    @classmethod
    def from_dict(cls, change: Mapping[str, Any]) -> Change:
        """A change as a kept batch's fairness report holds it."""
        return cls(str(change.get("field", "")), change.get("asked"), change.get("sent"), str(change.get("why", "")))


def scale(value: str) -> tuple[str, float] | None:
    """("number", n) for "720p"/"5"/"4k", ("ratio", log w/h) for "16:9", None for anything else."""
    if (m := _NUMBER.match(value)) is not None:
        return "number", float(m.group(1))
    if (m := _K.match(value)) is not None:
        return "number", float(m.group(1)) * 540  # 4k ≈ 2160 lines
    if (m := _RATIO.match(value)) is not None and int(m.group(2)):
        return "ratio", math.log(int(m.group(1)) / int(m.group(2)))
    return None


def _default(field: Field) -> str:
    if field.default is not None and field.default != "auto":
        return str(field.default)
    return next((v for v in field.enum if v != "auto"), field.enum[0])


def nearest(field: Field, value: str) -> tuple[str, str]:
    """The allowed value closest to ``value`` and why it was chosen (ties go to the lower, cheaper one)."""
    if value == "auto":
        return _default(field), "auto is not offered here; the endpoint's default is sent"
    asked = scale(value) if isinstance(value, str) else None
    if asked is not None:
        options = [(abs(option[1] - asked[1]), option[1], v) for v in field.enum
                   if (option := scale(v)) is not None and option[0] == asked[0]]
        if options:
            chosen = min(options)[2]
            return chosen, f"{value} is not offered here; {chosen} is the nearest allowed value"
    return _default(field), f"{value!r} is not offered here; the endpoint's default is sent"


def fit(field: Field, value: Any) -> tuple[Any, str | None]:
    """``value`` made acceptable to ``field`` where a clear nearest choice exists, with the reason."""
    if field.kind == "enum" and isinstance(value, str) and value not in field.enum:
        return nearest(field, value)
    if field.kind == "integer_range" and isinstance(value, int) and not isinstance(value, bool):
        if field.maximum is not None and value > field.maximum:
            return field.maximum, f"above this endpoint's maximum {field.maximum}"
        if field.minimum is not None and value < field.minimum:
            return field.minimum, f"below this endpoint's minimum {field.minimum}"
    return value, None


def adapt(endpoint: Endpoint, asked: dict[str, Any],
          overrides: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[Change]]:
    """What ``endpoint`` is sent for the shared ``asked`` settings, and every change made on the way."""
    sent: dict[str, Any] = {}
    changes: list[Change] = []
    for name, value in asked.items():
        own = endpoint.own_name(name)
        field = endpoint.field(own)
        if field is None:
            changes.append(Change(name, value, None, "not in this endpoint's schema; dropped"))
            continue
        new, why = fit(field, value)
        sent[own] = new
        if why:
            changes.append(Change(name, value, new, why))
        elif own != name:
            changes.append(Change(name, value, new, f"the same input, called {own} here"))
    for name, value in (overrides or {}).items():
        own = endpoint.own_name(name)
        changes.append(Change(name, sent.get(own, asked.get(name)), value, "per-endpoint override"))
        sent[own] = value
    return sent, changes
