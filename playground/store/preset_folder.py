"""Presets kept as files in a folder: the built-in ones beside the code, and the embedded store's saved ones under
``<data dir>/presets/``.

Start-up reads every ``*.json`` here, so this must survive whatever is there: a folder, a named pipe or a link to a
device (never opened in a way that waits), a dangling link, a huge file, bytes that are not UTF-8 — each is a
problem naming its file, and everything else still loads. A preset is written whole or not at all: a new file
renamed over the old (a pipe or link there is replaced, never written through).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from playground.errors import PresetError
from playground.small_files import SmallFileError, read_small_text
from playground.store.base import SavedText

MAX_PRESET_BYTES = 16 * 1024 * 1024  # a saved form keeps its uploads inline; more than this is not a preset


class PresetFolder:
    """The ``*.json`` files of one folder, by name."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)

    def texts(self) -> tuple[list[SavedText], list[str]]:
        if not self.directory.is_dir():
            return [], []
        try:
            paths = sorted(self.directory.glob("*.json"))
        except OSError as exc:
            return [], [f"{self.directory}: -: the folder cannot be listed "
                        f"({exc.strerror or exc.__class__.__name__})"]
        found: list[SavedText] = []
        problems: list[str] = []
        for path in paths:
            try:
                found.append(SavedText(path.name, str(path), read_small_text(path, MAX_PRESET_BYTES)))
            except SmallFileError as exc:
                problems += PresetError(str(path), [("-", exc.reason)]).lines
        return found, problems

    def label(self, file: str) -> str:
        return str(self.directory / file)

    def write(self, label: str, text: str) -> None:
        path = Path(label)
        assert path.parent == self.directory, path  # names are slugs: never another folder
        temporary = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("wb", dir=self.directory, prefix=".", suffix=".tmp",
                                             delete=False) as handle:
                temporary = handle.name
                handle.write(text.encode("utf-8"))
            os.replace(temporary, path)
        except OSError:
            if temporary:
                Path(temporary).unlink(missing_ok=True)
            raise
