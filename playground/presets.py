"""Presets: named starting points — an endpoint and its arguments — to load into a tab or Compare.

Built-in presets live in ``presets/`` beside the code, a user's saved ones in ``<data dir>/presets/``.
Every file is checked against the catalog when loaded (known endpoint, arguments that validate); a
broken file is reported with its file and key and left out, and everything else still loads.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playground.catalog import Catalog
from playground.errors import InputError, PresetError
from playground.request import validate
from playground.text import escape_surrogates, is_blank, surrogate_problem

log = logging.getLogger(__name__)
BUILT_IN_DIR = Path(__file__).resolve().parent.parent / "presets"
KEYS = {"name", "endpoint_id", "description", "arguments"}
MAX_NAME = 80


@dataclass(frozen=True)
class Preset:
    """One preset, validated."""

    name: str
    endpoint_id: str
    arguments: dict[str, Any] = field(hash=False)
    description: str = ""
    source: str = "built-in"  # or "saved"
    file: str = ""

    @property
    def label(self) -> str:
        return self.name + (" (saved)" if self.source == "saved" else "")


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "preset"


def parse_preset(raw: Any, catalog: Catalog, file: str, source: str) -> Preset:
    """A Preset from a file's JSON, or PresetError naming the file and every offending key."""
    if not isinstance(raw, dict):
        raise PresetError(file, [("-", "must be a JSON object with name, endpoint_id and arguments")])
    problems = [(escape_surrogates(str(key)), f"unknown key; allowed: {sorted(KEYS)}") for key in raw if key not in KEYS]
    name = raw.get("name")
    if not isinstance(name, str) or is_blank(name) or len(name) > MAX_NAME:
        problems.append(("name", f"must be a non-empty text of at most {MAX_NAME} characters"))
    elif broken := surrogate_problem(name):
        problems.append(("name", broken))
    description = raw.get("description", "")
    if not isinstance(description, str):
        problems.append(("description", "must be text"))
    elif broken := surrogate_problem(description):
        problems.append(("description", broken))
    endpoint_id = raw.get("endpoint_id")
    arguments = raw.get("arguments")
    if not isinstance(endpoint_id, str) or endpoint_id not in catalog:
        problems.append(("endpoint_id", f"{escape_surrogates(repr(endpoint_id))} is not a known endpoint"))
    if not isinstance(arguments, dict):
        problems.append(("arguments", "must be a JSON object of the endpoint's fields"))
    elif isinstance(endpoint_id, str) and endpoint_id in catalog:
        try:
            validate(catalog[endpoint_id], arguments)
        except InputError as exc:
            problems += [(f"arguments.{field_name}", message) for field_name, message in exc.problems]
    if problems or not (isinstance(name, str) and isinstance(endpoint_id, str) and isinstance(arguments, dict)):
        raise PresetError(file, problems)  # the types fail only where a problem is listed
    return Preset(name.strip(), endpoint_id, arguments, description, source, file)


def read_preset_file(path: Path) -> Any:
    """A preset file's JSON, or PresetError for anything that is not a readable JSON text file.

    Start-up reads every ``*.json`` in the folders, so this must survive whatever is there: a folder or a
    dangling link with that name, bytes that are not UTF-8, JSON nested too deeply for the parser.
    """
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PresetError(str(path), [(f"line {exc.lineno}", f"invalid JSON ({exc.msg})")])
    except UnicodeDecodeError as exc:
        raise PresetError(str(path), [(f"byte {exc.start}", "not UTF-8 text")])
    except RecursionError:
        raise PresetError(str(path), [("-", "JSON nested too deeply to read")])
    except IsADirectoryError:
        raise PresetError(str(path), [("-", "is a folder, not a preset file")])
    except FileNotFoundError:
        raise PresetError(str(path), [("-", "cannot be opened (a link to a file that does not exist?)")])
    except OSError as exc:
        raise PresetError(str(path), [("-", f"cannot be read ({exc.strerror or exc.__class__.__name__})")])


class Presets:
    """Every usable preset (built-in first), the problems found loading them, and saving new ones."""

    def __init__(self, catalog: Catalog, built_in: Path = BUILT_IN_DIR, saved: Path | None = None):
        self.catalog, self.built_in, self.saved = catalog, Path(built_in), Path(saved) if saved else None
        self.all: list[Preset] = []
        self.problems: list[str] = []
        self.reload()

    def reload(self) -> None:
        presets: list[Preset] = []
        problems: list[str] = []
        for directory, source in ((self.built_in, "built-in"), (self.saved, "saved")):
            for path in sorted(directory.glob("*.json")) if directory and directory.is_dir() else []:
                try:
                    preset = parse_preset(read_preset_file(path), self.catalog, str(path), source)
                except PresetError as exc:
                    problems += exc.lines
                    continue
                if any(p.label == preset.label for p in presets):
                    problems.append(f"{path}: name: {preset.name!r} is used by another preset")
                    continue
                presets.append(preset)
        for problem in problems:
            log.warning("preset skipped: %s", problem)
        self.all, self.problems = presets, problems

    def for_endpoint(self, endpoint_id: str) -> list[Preset]:
        return [p for p in self.all if p.endpoint_id == endpoint_id]

    def for_mode(self, mode: str) -> list[Preset]:
        return [p for p in self.all if self.catalog[p.endpoint_id].mode == mode]

    def get(self, label: str) -> Preset:
        preset = next((p for p in self.all if p.label == label), None)
        if preset is None:
            raise InputError([("preset", f"no preset called {label!r}")])
        return preset

    def save(self, name: str, endpoint_id: str, arguments: dict[str, Any], description: str = "") -> Preset:
        """Validate and write ``<data dir>/presets/<slug>.json``; an existing saved preset of that name is replaced."""
        if self.saved is None:
            raise InputError([("preset", "saving presets is not available here")])
        path = self.saved / f"{slugify(name or '')}.json"
        raw = {"name": (name or "").strip(), "endpoint_id": endpoint_id, "description": description,
               "arguments": arguments}
        try:
            preset = parse_preset(raw, self.catalog, str(path), "saved")
        except PresetError as exc:
            raise InputError([(f"preset {key}", message) for key, message in exc.problems])
        if any(p.name == preset.name and p.source == "built-in" for p in self.all):
            raise InputError([("preset name", f"{preset.name!r} is a built-in preset; choose another name")])
        self.saved.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(raw, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        self.reload()
        return preset
