"""Turn a tab's form values into request arguments, and back (the UI hands over plain values, per field kind).

Form values per kind: plain values for prompt/text/enum/boolean/integers; ``{"value", "random"}`` for the
seed; ``{"value", "enabled"}`` for optional ranges without a default; ``{"upload", "url"}`` for an image;
``{"uploads", "urls"}`` for a list of media files. Uploads are file paths, read inline (data URIs).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playground.catalog import Endpoint, Field
from playground.errors import InputError
from playground.inputs import Inputs
from playground.media import MediaError, file_to_data_uri, is_data_uri
from playground.text import is_blank

Problems = list[tuple[str, str]]
ReadFile = Callable[[str], str]  # an upload's path → its data URI (MediaError/OSError when it cannot be used)


def is_toggled(field: Field) -> bool:
    """Optional bounded integers without a default get an on/off switch (a slider always has a value)."""
    return field.kind == "integer_range" and not field.required and field.default is None


WHOLE = re.compile(r"^[+-]?\d+$")
BOTH_GIVEN = "an upload and a URL are both given: remove one (only one image can be sent)"


def _number(value: Any) -> Any:
    """A whole number where the form holds one (42.0, "42"); anything else as it is, for validation to name."""
    if isinstance(value, str) and WHOLE.match(value.strip()):
        return int(value.strip())
    return int(value) if isinstance(value, float) and value.is_integer() else value


class _Reader:
    """Converts one form, collecting every problem on the way instead of stopping at the first."""

    def __init__(self, read_file: ReadFile):
        self.read_file = read_file
        self.problems: Problems = []

    def file(self, path: str | None, name: str) -> str | None:
        if not path:
            return None
        try:
            return self.read_file(path)
        except (MediaError, OSError) as exc:
            message = str(exc) if isinstance(exc, MediaError) else "the uploaded file can no longer be read; upload it again"
            self.problems.append((name, f"upload: {message}"))
            return None

    def convert(self, field: Field, value: Any) -> Any:
        kind = field.kind
        if kind == "seed":
            value = value or {}
            if value.get("random", True):
                return None
            if value.get("value") is None or not str(value["value"]).strip():
                self.problems.append((field.name, "give a whole number, or tick Random seed"))
                return None
            return _number(value["value"])
        if is_toggled(field):
            value = value or {}
            return _number(value.get("value")) if value.get("enabled") else None
        if kind in ("integer", "integer_range"):
            return None if value in (None, "") else _number(value)
        if kind == "image_url":
            value = value or {}
            url = "" if is_blank(value.get("url") or "") else str(value["url"]).strip()
            if value.get("upload") and url:  # which one to send is the person's call, not a silent rule
                self.problems.append((field.name, BOTH_GIVEN))
                return None
            return self.file(value.get("upload"), field.name) or url or None
        if kind in ("image_urls", "video_urls", "audio_urls"):
            value = value or {}
            files = [self.file(p, field.name) for p in value.get("uploads") or []]
            urls = [line.strip() for line in (value.get("urls") or "").splitlines() if line.strip()]
            return ([f for f in files if f] + urls) or None
        if kind == "text":
            return (value or "").strip() or None
        return value


def read_form(endpoint: Endpoint, values: dict[str, Any],
              read_file: ReadFile = file_to_data_uri) -> tuple[dict[str, Any], Problems]:
    """Arguments in schema order, leaving out what the user left empty (so fal applies its defaults), and the
    problems found in the form itself (an unreadable upload, a fixed seed left blank)."""
    reader = _Reader(read_file)
    arguments = {}
    for field in endpoint.fields:
        value = reader.convert(field, values.get(field.name))
        if value is not None:
            arguments[field.name] = value
    return arguments, reader.problems


def arguments_from_form(endpoint: Endpoint, values: dict[str, Any],
                        read_file: ReadFile = file_to_data_uri) -> dict[str, Any]:
    """The arguments a form stands for; InputError when the form itself has problems."""
    arguments, problems = read_form(endpoint, values, read_file)
    if problems:
        raise InputError(problems)
    return arguments


def _form_value(field: Field, value: Any, inputs: Inputs) -> Any:
    kind = field.kind
    if kind == "seed":
        return {"value": value, "random": value is None}
    if is_toggled(field):
        return {"value": field.minimum if value is None else value, "enabled": value is not None}
    if kind == "image_url":
        if isinstance(value, str) and is_data_uri(value):
            return {"upload": str(inputs.kept_file(value)), "url": ""}
        return {"upload": None, "url": value or ""}
    if kind in ("image_urls", "video_urls", "audio_urls"):
        items = value or []
        return {"uploads": [str(inputs.kept_file(v)) for v in items if is_data_uri(v)],
                "urls": "\n".join(v for v in items if not is_data_uri(v))}
    if value is None:
        return "" if kind in ("prompt", "text") else field.default
    return value


def form_from_arguments(endpoint: Endpoint, arguments: dict[str, Any], files_dir: Path) -> dict[str, Any]:
    """The form values that give back ``arguments`` (the inverse of arguments_from_form): restore, presets.

    Inline files become the kept input files under ``files_dir`` (one per content, the same file every time);
    fields the arguments leave out show their defaults.
    """
    inputs = Inputs(files_dir)
    return {field.name: _form_value(field, arguments.get(field.name), inputs) for field in endpoint.fields}
