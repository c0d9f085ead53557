"""Turn a tab's form values into request arguments (the UI hands over plain values, per field kind).

Form values per kind: plain values for prompt/text/enum/boolean/integers; ``{"value", "random"}`` for the
seed; ``{"value", "enabled"}`` for optional ranges without a default; ``{"upload", "url"}`` for an image;
``{"uploads", "urls"}`` for a list of media files.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from typing import Any

from playground.catalog import Endpoint, Field
from playground.errors import InputError
from playground.media import MediaError, decode_data_uri, file_to_data_uri, is_data_uri


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


def _to_file(value: str, files_dir: Path) -> str:
    """A data URI as a content-addressed file (upload boxes take files), the same bytes every time."""
    mime, data = decode_data_uri(value)
    path = Path(files_dir) / f"{hashlib.sha256(data).hexdigest()[:32]}{mimetypes.guess_extension(mime) or '.bin'}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return str(path)


def _form_value(field: Field, value: Any, files_dir: Path) -> Any:
    kind = field.kind
    if kind == "seed":
        return {"value": value, "random": value is None}
    if is_toggled(field):
        return {"value": field.minimum if value is None else value, "enabled": value is not None}
    if kind == "image_url":
        if isinstance(value, str) and is_data_uri(value):
            return {"upload": _to_file(value, files_dir), "url": ""}
        return {"upload": None, "url": value or ""}
    if kind in ("image_urls", "video_urls", "audio_urls"):
        items = value or []
        return {"uploads": [_to_file(v, files_dir) for v in items if is_data_uri(v)],
                "urls": "\n".join(v for v in items if not is_data_uri(v))}
    if value is None:
        return "" if kind in ("prompt", "text") else field.default
    return value


def form_from_arguments(endpoint: Endpoint, arguments: dict[str, Any], files_dir: Path) -> dict[str, Any]:
    """The form values that give back ``arguments`` (the inverse of arguments_from_form): restore, presets.

    Inline files become files under ``files_dir``; fields the arguments leave out show their defaults.
    """
    return {field.name: _form_value(field, arguments.get(field.name), files_dir) for field in endpoint.fields}
