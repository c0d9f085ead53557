"""Presets: named starting points — an endpoint and its arguments — to load into a tab or Compare.

Built-in presets live in ``presets/`` beside the code, a user's saved ones in ``<data dir>/presets/`` (or, with
``PLAYGROUND_DATABASE_URL``, in the database: ``playground.store``).
Every file is checked against the catalog when loaded (known endpoint, arguments that validate); a
broken or odd file (not JSON, a pipe, a link to a device, too big) is reported with its file and key and
left out, and everything else still loads. A saved preset's file is named by its name: an ASCII slug (safe on
any file system, never a path) and a short hash of the exact name, so two names never share a file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playground.catalog import Catalog
from playground.errors import InputError, PresetError
from playground.request import validate
from playground.store.base import PresetShelf
from playground.store.preset_folder import MAX_PRESET_BYTES, PresetFolder
from playground.text import escape_surrogates, is_blank, surrogate_problem

log = logging.getLogger(__name__)
BUILT_IN_DIR = Path(__file__).resolve().parent.parent / "presets"
KEYS = {"name", "endpoint_id", "description", "arguments"}
MAX_NAME = 80
LINE_BREAKS = set("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
DIRECTION_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")  # marks (U+200E/F) are fine


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


@dataclass(frozen=True)
class Saved:
    """A preset just written, and the saved preset of the same name it replaced (None when it is new)."""

    preset: Preset
    replaced: Preset | None


def clean_name(name: str) -> str:
    """A name as it is kept and compared: composed (NFC, so "é" typed two ways is one name), without the blank
    characters a person cannot see at either end."""
    text = unicodedata.normalize("NFC", name)
    start, end = 0, len(text)
    while start < end and is_blank(text[start]):
        start += 1
    while end > start and is_blank(text[end - 1]):
        end -= 1
    return text[start:end]


def name_problem(name: Any) -> str | None:
    """Why ``name`` cannot name a preset (None when it can): a name is one visible line of at most MAX_NAME."""
    if not isinstance(name, str):
        return "must be text"
    if broken := surrogate_problem(name):
        return broken
    name = clean_name(name)
    if is_blank(name):
        return "is empty: give the preset a name you will recognise in the list"
    if len(name) > MAX_NAME:
        return f"is {len(name):,} characters long; a preset name holds at most {MAX_NAME}"
    for at, character in enumerate(name, start=1):
        code = f"U+{ord(character):04X}"
        if character in LINE_BREAKS:
            return f"must be one line: it holds a line break ({code}) at character {at}"
        if unicodedata.category(character) == "Cc":
            return f"holds a control character ({code}) at character {at}; type the name again without it"
        if character in DIRECTION_CONTROLS:
            return (f"holds a text-direction control ({code}) at character {at}, which would show the name "
                    "differently from what it is")
    return None


def slugify(name: str) -> str:
    """The readable, ASCII-only part of a file name: "Café noir" → "cafe-noir", a name in another script → "preset"."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-") or "preset"


def file_name(name: str) -> str:
    """The saved file of a (clean) name: slug plus the first 12 hex digits of the name's SHA-256."""
    return f"{slugify(name)}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:12]}.json"


def markdown_literal(text: str) -> str:
    """Text shown in Markdown exactly as typed: every ASCII punctuation mark escaped ("**x**" stays stars)."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def save_message(saved: Saved, catalog: Catalog) -> str:
    """What the save panel says of a save: saved anew, or which earlier preset it replaced."""
    label = f"**{markdown_literal(saved.preset.label)}**"
    here = markdown_literal(catalog[saved.preset.endpoint_id].label)
    if saved.replaced is None:
        return f"Saved {label}: it is in the {here} tab's preset list now."
    if saved.replaced.endpoint_id == saved.preset.endpoint_id:
        return f"Replaced {label}: the saved preset of that name now holds this form."
    before = markdown_literal(catalog[saved.replaced.endpoint_id].label)
    return f"Replaced {label}: it was a {before} preset; now it holds this {here} form."


def refusal_message(exc: InputError) -> str:
    """What the save panel says when nothing was saved: every problem, as plain text."""
    lines = "\n".join(f"- {markdown_literal(f'{where}: {message}')}" for where, message in exc.problems)
    return f"**Not saved** — nothing was changed:\n\n{lines}"


def parse_preset(raw: Any, catalog: Catalog, file: str, source: str) -> Preset:
    """A Preset from a file's JSON, or PresetError naming the file and every offending key."""
    if not isinstance(raw, dict):
        raise PresetError(file, [("-", "must be a JSON object with name, endpoint_id and arguments")])
    problems = [(escape_surrogates(str(key)), f"unknown key; allowed: {sorted(KEYS)}")
                for key in raw if key not in KEYS]
    name = raw.get("name")
    if problem := name_problem(name):
        problems.append(("name", problem))
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
    return Preset(clean_name(name), endpoint_id, arguments, description, source, file)


def read_preset_json(text: str, where: str) -> Any:
    """A preset's JSON from its text, or PresetError naming where it is kept."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PresetError(where, [(f"line {exc.lineno}", f"invalid JSON ({exc.msg})")]) from None
    except RecursionError:
        raise PresetError(where, [("-", "JSON nested too deeply to read")]) from None


class Presets:
    """Every usable preset (built-in first), the problems found loading them, and saving new ones. ``saved``: where
    saved presets are kept — a folder (the embedded store), the ``PresetShelf`` a store made, or None (no saving)."""

    def __init__(self, catalog: Catalog, built_in: Path = BUILT_IN_DIR, saved: Path | PresetShelf | None = None):
        self.catalog, self.built_in = catalog, PresetFolder(built_in)
        self.saved: PresetShelf | None = PresetFolder(saved) if isinstance(saved, (str, os.PathLike)) else saved
        self.all: list[Preset] = []
        self.problems: list[str] = []
        self._saving = threading.Lock()  # one save at a time: "replaced" is decided and written together
        self.reload()

    def reload(self) -> None:
        """Read both places again (a preset saved by another replica of the app appears): built-in presets in file
        order, then saved ones by name (their files are named by hashes)."""
        presets: list[Preset] = []
        problems: list[str] = []
        for shelf, source in ((self.built_in, "built-in"), (self.saved, "saved")):
            texts, unread = shelf.texts() if shelf is not None else ([], [])
            problems += unread
            for kept in texts:
                try:
                    preset = parse_preset(read_preset_json(kept.text, kept.label), self.catalog, kept.label, source)
                except PresetError as exc:
                    problems += exc.lines
                    continue
                if any(p.label == preset.label for p in presets):
                    problems.append(escape_surrogates(f"{kept.label}: name: {preset.name!r} is used by another "
                                                      "preset"))
                    continue
                presets.append(preset)
        for problem in problems:
            log.warning("preset skipped: %s", problem)
        saved = sorted((p for p in presets if p.source == "saved"), key=lambda p: (p.name.casefold(), p.name))
        self.all, self.problems = [p for p in presets if p.source != "saved"] + saved, problems  # saved: by name

    def for_endpoint(self, endpoint_id: str) -> list[Preset]:
        return [p for p in self.all if p.endpoint_id == endpoint_id]

    def for_mode(self, mode: str) -> list[Preset]:
        return [p for p in self.all if self.catalog[p.endpoint_id].mode == mode]

    def get(self, label: str) -> Preset:
        preset = next((p for p in self.all if p.label == label), None)
        if preset is None:
            raise InputError([("preset", f"no preset called {label!r}")])
        return preset

    def save(self, name: str, endpoint_id: str, arguments: dict[str, Any], description: str = "") -> Saved:
        """Validate and write a saved preset; a saved preset of the same (clean) name is replaced in its own file,
        any other name gets a file of its own. Refused (nothing written): a bad name, a built-in's name, a preset
        that does not validate or is over MAX_PRESET_BYTES."""
        if self.saved is None:
            raise InputError([("preset", "saving presets is not available here")])
        if problem := name_problem(name):
            raise InputError([("preset name", problem)])
        name = clean_name(name)
        raw = {"name": name, "endpoint_id": endpoint_id, "description": description, "arguments": arguments}
        with self._saving:
            replaced = next((p for p in self.all if p.source == "saved" and p.name == name), None)
            where = replaced.file if replaced else self.saved.label(file_name(name))
            try:
                preset = parse_preset(raw, self.catalog, where, "saved")
            except PresetError as exc:
                raise InputError([(f"preset {key}", message) for key, message in exc.problems]) from None
            if any(p.name == name and p.source == "built-in" for p in self.all):
                raise InputError([("preset name", f"{name!r} is a built-in preset; choose another name")])
            if replaced is None and any(p.file == where for p in self.all):  # a 48-bit hash collision
                raise InputError([("preset name", "another saved preset has this name's file; choose another name")])
            self._write(self.saved, where, json.dumps(raw, indent=2, ensure_ascii=False) + "\n")
            self.reload()
        return Saved(preset, replaced)

    @staticmethod
    def _write(shelf: PresetShelf, where: str, text: str) -> None:
        """The whole preset or nothing; refused when it is too big to read back."""
        size = len(text.encode("utf-8"))
        if size > MAX_PRESET_BYTES:
            raise InputError([("preset", f"would be {size / 2**20:.1f} MB with its uploaded files inside; a "
                                         f"preset holds at most {MAX_PRESET_BYTES // 2**20} MB: give big files as "
                                         "links (URLs) instead of uploads")])
        try:
            shelf.write(where, text)
        except OSError as exc:
            raise InputError([("preset", f"could not be written as {Path(where).name} "
                                         f"({exc.strerror or exc.__class__.__name__}); nothing was saved")]) from None
