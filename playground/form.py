"""Turn a tab's form values into request arguments (the UI hands over plain values, per field kind).

Form values per kind: plain values for prompt/text/enum/boolean/integers; ``{"value", "random"}`` for the
seed; ``{"value", "enabled"}`` for optional ranges without a default; ``{"upload", "url"}`` for an image;
``{"uploads", "urls"}`` for a list of media files.
"""

from __future__ import annotations

from typing import Any

from playground.catalog import Endpoint, Field
from playground.errors import InputError
from playground.media import MediaError, file_to_data_uri


def is_toggled(field: Field) -> bool:
    """Optional bounded integers without a default get an on/off switch (a slider always has a value)."""
    return field.kind == "integer_range" and not field.required and field.default is None


def _file(path: str | None, embed: bool, name: str) -> str | None:
    if not path:
        return None
    if not embed:
        return str(path)
    try:
        return file_to_data_uri(path)
    except (MediaError, OSError) as exc:
        raise InputError([(name, f"upload: {exc}")])


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _convert(field: Field, value: Any, embed: bool) -> Any:
    kind = field.kind
    if kind == "seed":
        value = value or {}
        return None if value.get("random", True) or value.get("value") in (None, "") else _number(value["value"])
    if is_toggled(field):
        value = value or {}
        return _number(value.get("value")) if value.get("enabled") else None
    if kind in ("integer", "integer_range"):
        return None if value in (None, "") else _number(value)
    if kind == "image_url":
        value = value or {}
        return _file(value.get("upload"), embed, field.name) or (value.get("url") or "").strip() or None
    if kind in ("image_urls", "video_urls", "audio_urls"):
        value = value or {}
        files = [_file(p, embed, field.name) for p in value.get("uploads") or []]
        urls = [line.strip() for line in (value.get("urls") or "").splitlines() if line.strip()]
        return (files + urls) or None
    if kind == "text":
        return (value or "").strip() or None
    return value


def arguments_from_form(endpoint: Endpoint, values: dict[str, Any], embed_files: bool = True) -> dict[str, Any]:
    """Arguments in schema order, leaving out what the user left empty (so fal applies its defaults)."""
    arguments = {}
    for field in endpoint.fields:
        value = _convert(field, values.get(field.name), embed_files)
        if value is not None:
            arguments[field.name] = value
    return arguments
