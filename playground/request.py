"""Validate a request against its endpoint's schema before anything is sent or logged."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from playground.catalog import Endpoint, Field
from playground.errors import InputError
from playground.media import (
    MediaError,
    decode_data_uri,
    is_data_uri,
    is_http_url,
    open_checked_image,
)
from playground.text import (
    escape_surrogates,
    is_blank,
    surrogate_problem,
    surrogate_problems,
)

SEED_MIN, SEED_MAX = -1, 2**31 - 1  # -1 asks fal for a random seed
MEDIA_MIME_PREFIX = {"image_urls": "image/", "video_urls": "video/", "audio_urls": "audio/"}
Problems = list[tuple[str, str]]


def parse_arguments(text: str | dict[str, Any] | None, name: str = "arguments") -> dict[str, Any]:
    """A JSON object from the API's text (``name`` is the field the error names); clear errors otherwise."""
    if isinstance(text, dict):
        return text
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise InputError([(name, f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")]) from None
    except RecursionError:
        raise InputError([(name, "nested too deeply to read (thousands of [ or { levels); send a flat JSON "
                                 "object")]) from None
    if not isinstance(value, dict):
        raise InputError([(name, f"must be a JSON object, got {type(value).__name__}")])
    broken = surrogate_problems(value)
    if broken:
        raise InputError(broken)
    return value


def _check_media(value: str, endpoint: Endpoint, mime_prefix: str = "image/") -> str | None:
    if broken := surrogate_problem(value):
        return broken
    if is_http_url(value):
        return None
    if not is_data_uri(value):
        return "must be an http(s) URL or a data URI"
    try:
        mime, data = decode_data_uri(value)
        if mime_prefix == "image/":
            open_checked_image(data, endpoint.image_formats)
        elif not mime.startswith(mime_prefix):
            return f"must be {mime_prefix}* data, got {mime}"
    except MediaError as exc:
        return str(exc)
    return None


def _check_one(field: Field, value: Any, endpoint: Endpoint) -> str | None:
    """Problem with one present, non-null value, or None."""
    kind = field.kind
    if kind in ("prompt", "text", "enum", "image_url") and not isinstance(value, str):
        hint = f' (send "{value}" as a string)' if kind == "enum" and str(value) in field.enum else ""
        return f"must be a string, got {type(value).__name__}{hint}"
    if isinstance(value, str) and (broken := surrogate_problem(value)):
        return broken
    if kind == "prompt" and is_blank(value):
        return "is required and must not be blank (it holds only spaces or invisible characters)"
    if kind == "enum" and value not in field.enum:
        return f"{value!r} is not allowed here; choose one of {list(field.enum)}"
    if kind == "boolean" and not isinstance(value, bool):
        return f"must be true or false, got {value!r}"
    if kind in ("seed", "integer", "integer_range"):
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number, got {value!r}"
        low, high = (SEED_MIN, SEED_MAX) if kind == "seed" else (field.minimum, field.maximum)
        if (low is not None and value < low) or (high is not None and value > high):
            return f"{value} is out of range {low}–{high}"
    if kind == "image_url":
        return _check_media(value, endpoint)
    if kind in MEDIA_MIME_PREFIX:
        return _check_list(field, value, endpoint)
    return None


def _check_list(field: Field, value: Any, endpoint: Endpoint) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "must be a list of URLs or data URIs"
    if field.min_items is not None and len(value) < field.min_items:
        return f"needs at least {field.min_items} item(s), got {len(value)}"
    if field.max_items is not None and len(value) > field.max_items:
        return f"takes at most {field.max_items} item(s), got {len(value)}"
    for i, item in enumerate(value):
        problem = _check_media(item, endpoint, MEDIA_MIME_PREFIX[field.kind])
        if problem:
            return f"item {i + 1}: {problem}"
    return None


def _count(arguments: dict[str, Any], name: str) -> int:
    return len(arguments.get(name) or [])


CONSTRAINT_CHECKS: dict[str, Callable[[dict[str, Any], dict[str, Any]], tuple[str, str] | None]] = {
    "max_total_items": lambda c, a: (
        (c["fields"][0], f"{' + '.join(c['fields'])} together take at most {c['max']} files")
        if sum(_count(a, n) for n in c["fields"]) > c["max"] else None),
    "requires_any": lambda c, a: (
        (c["field"], f"needs at least one of {', '.join(c['any_of'])}")
        if _count(a, c["field"]) and not any(_count(a, n) for n in c["any_of"]) else None),
}


def validate(endpoint: Endpoint, arguments: dict[str, Any]) -> dict[str, Any]:
    """The cleaned request (schema order, nulls dropped) or InputError listing every bad field."""
    problems: Problems = []
    known = set(endpoint.field_names)
    problems += [(escape_surrogates(str(name)), f"unknown field for {endpoint.endpoint_id}; allowed: "
                                                f"{', '.join(endpoint.field_names)}") for name in arguments if name not in known]
    cleaned: dict[str, Any] = {}
    for field in endpoint.fields:
        value = arguments.get(field.name)
        if value is None or (isinstance(value, (str, list)) and not value and field.kind != "prompt"):
            if field.required:
                problems.append((field.name, "is required"))
            continue
        problem = _check_one(field, value, endpoint)
        if problem:
            problems.append((field.name, problem))
        else:
            cleaned[field.name] = value
    for constraint in endpoint.constraints:
        broken = CONSTRAINT_CHECKS[constraint["kind"]](constraint, cleaned)
        if broken:
            problems.append(broken)
    if problems:
        raise InputError(problems)
    return cleaned
