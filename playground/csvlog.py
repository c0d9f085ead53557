"""An append-only CSV file with fixed columns, safe for several writers (threads or processes).

Rows are appended under a file lock, flushed and fsynced; values are written as text, every field quoted,
and read back as text (``keep_default_na=False``), so "NA", commas, quotes, every kind of line break (a bare
``\r`` included: unquoted, readers would split the row there) and emoji come back exactly. The one thing
UTF-8 cannot hold, a lone UTF-16 surrogate (it can only come from a remote text; user input with one is
refused earlier), is stored as its backslash escape, so an append never fails on its text.

A writer killed in the middle of a (large) row leaves a torn last row; it was never acknowledged, so the
next reader or writer cuts it off (and says so) before going on.

Reading is cached per process and incremental: the file only grows, so a read parses just the bytes
appended since the last one (a 100,000-row log is parsed once, then kept up to date cheaply). A file
written with fewer columns (an older version of the app) is rewritten once with the new columns empty.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast

import pandas as pd
from filelock import FileLock

from playground.errors import PlaygroundError
from playground.text import escape_surrogates

log = logging.getLogger(__name__)


@dataclass
class _Cache:
    inode: int
    size: int
    frame: pd.DataFrame


QUOTING: Final = csv.QUOTE_ALL  # a field is quoted whatever it holds: the csv module leaves a bare "\r" unquoted


def storable(value: Any) -> str:
    """``value`` as the text a row stores: None is empty, lone surrogates become their escape (UTF-8 has no form)."""
    return "" if value is None else escape_surrogates(str(value))


def string_records(frame: pd.DataFrame) -> list[dict[str, str]]:
    """A frame read from a log as row dicts; every log is read with ``dtype=str``, so the keys and cells are text."""
    return cast(list[dict[str, str]], frame.to_dict(orient="records"))


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """A whole frame as CSV in the log's own format (every field quoted, ``\n`` between rows)."""
    frame.map(storable).to_csv(path, index=False, lineterminator="\n", quoting=QUOTING, encoding="utf-8")


def complete_length(data: bytes) -> int:
    """How many leading bytes of CSV ``data`` are whole rows (a row ends at a newline outside quotes)."""
    quoted, end, position = False, 0, 0
    for line in data.splitlines(keepends=True):
        position += len(line)
        quoted ^= line.count(b'"') % 2 == 1  # doubled quotes inside a field come in pairs
        if not quoted and line.endswith(b"\n"):
            end = position
    return end


def _fsync_replace(temporary: Path, path: Path) -> None:
    with open(temporary, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class CsvLog:
    """One CSV file, one header, rows appended whole or not at all."""

    columns: list[str] = []

    def __init__(self, path: Path, columns: list[str] | None = None):
        self.path = Path(path)
        self.columns = list(columns or self.columns)
        self._lock = FileLock(str(self.path) + ".lock")
        self._cache: _Cache | None = None
        self._cache_lock = threading.Lock()
        self._header_checked = False

    # -- writing ---------------------------------------------------------------------------------------
    def append(self, row: dict[str, Any]) -> None:
        """Write one row (header first if the file is new); returns only once it is on disk."""
        unknown = set(row) - set(self.columns)
        if unknown:
            raise ValueError(f"unknown columns for {self.path.name}: {sorted(unknown)}")
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=self.columns, lineterminator="\n", quoting=QUOTING)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self._cut_torn_tail()
            if not self.path.exists() or self.path.stat().st_size == 0:
                writer.writeheader()
            elif not self._header_checked:
                self._upgrade_header()
            self._header_checked = True
            writer.writerow({k: storable(row.get(k)) for k in self.columns})
            with open(self.path, "a", encoding="utf-8", newline="") as handle:
                handle.write(buffer.getvalue())
                handle.flush()
                os.fsync(handle.fileno())

    def _cut_torn_tail(self) -> None:
        """Drop an incomplete last row left by a writer that died mid-write (call under the file lock)."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with open(self.path, "rb+") as handle:
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) == b"\n":
                return
            handle.seek(0)
            keep = complete_length(handle.read())
            handle.truncate(keep)
            handle.flush()
            os.fsync(handle.fileno())
        log.warning("%s: cut off an incomplete last row (its writer died mid-write; it was never acknowledged)",
                    self.path)

    def _header(self) -> list[str]:
        with open(self.path, encoding="utf-8", newline="") as handle:
            return next(csv.reader(handle), [])

    def _upgrade_header(self) -> None:
        """Rewrite a file from an older version with today's columns (call under the file lock)."""
        header = self._header()
        if header == self.columns:
            return
        if not set(header) <= set(self.columns):
            raise PlaygroundError(f"{self.path}: unexpected columns {sorted(set(header) - set(self.columns))}; "
                                  "move the file aside to start a new one")
        frame = pd.read_csv(self.path, dtype=str, keep_default_na=False).reindex(columns=self.columns, fill_value="")
        self._write(frame)

    def _write(self, frame: pd.DataFrame) -> None:
        """Replace the whole file atomically (call under the file lock)."""
        temporary = self.path.with_suffix(self.path.suffix + ".tmp")
        write_frame(frame, temporary)
        _fsync_replace(temporary, self.path)

    def update(self, key: str, value: str, changes: dict[str, Any]) -> bool:
        """Change columns of the row whose ``key`` column is ``value`` (rare: the file is rewritten)."""
        unknown = set(changes) - set(self.columns)
        if unknown:
            raise ValueError(f"unknown columns for {self.path.name}: {sorted(unknown)}")
        with self._lock:
            if not self.path.exists():
                return False
            self._upgrade_header()
            frame = pd.read_csv(self.path, dtype=str, keep_default_na=False)
            match = frame[key] == value
            if not match.any():
                return False
            for column, new in changes.items():
                frame.loc[match, column] = storable(new)
            self._write(frame)
            return True

    # -- reading ---------------------------------------------------------------------------------------
    def read(self) -> pd.DataFrame:
        """Every row, as text, in file order (oldest first). Shared and cached: do not modify it."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return pd.DataFrame(columns=self.columns)
        with self._lock, self._cache_lock:
            self._cut_torn_tail()
            if self._header() != self.columns:
                self._upgrade_header()
            stat = self.path.stat()
            cache = self._cache
            if cache and cache.inode == stat.st_ino and cache.size == stat.st_size:
                return cache.frame
            if cache and cache.inode == stat.st_ino and cache.size < stat.st_size:
                with open(self.path, "rb") as handle:
                    handle.seek(cache.size)
                    tail = pd.read_csv(io.BytesIO(handle.read()), names=self.columns, header=None, dtype=str,
                                       keep_default_na=False)
                frame = pd.concat([cache.frame, tail], ignore_index=True)
            else:
                frame = pd.read_csv(self.path, dtype=str, keep_default_na=False)
            self._cache = _Cache(stat.st_ino, stat.st_size, frame)
            return frame
