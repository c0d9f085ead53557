"""An append-only CSV file with fixed columns, safe for several writers (threads or processes).

Rows are appended under a file lock, flushed and fsynced; values are written as text, every field quoted,
and read back as text (``keep_default_na=False``), so "NA", commas, quotes, every kind of line break (a bare
``\r`` included: unquoted, readers would split the row there) and emoji come back exactly. The one thing
UTF-8 cannot hold, a lone UTF-16 surrogate (it can only come from a remote text; user input with one is
refused earlier), is stored as its backslash escape, so an append never fails on its text.

A writer killed in the middle of a (large) row leaves a torn last row; it was never acknowledged, so the
next reader or writer moves it aside (and says so) before going on — unless it is a complete row that lacks only
its final newline, which is kept and given one. Rows that cannot be read (an extra or missing field, an unclosed
quote: see ``csvread``) never stop a read: every other row is read, and they are *set aside*, never deleted —
appended, byte for byte, to ``<name>.set-aside.jsonl`` beside the log and taken out of it, so the log reads
cleanly again; ``set_aside_note`` says so for History. A file that cannot be written (read-only) is still read,
its unreadable rows skipped in memory and left where they are.

Reading is cached per process and incremental: the file only grows, so a read parses just the bytes
appended since the last one (a 100,000-row log is parsed once, then kept up to date cheaply). A file
written with fewer columns (an older version of the app) is rewritten once with the new columns empty.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast

import pandas as pd
from filelock import FileLock

from playground.csvread import Parsed, Unreadable, header_length, parse_rows
from playground.errors import PlaygroundError
from playground.record import now_iso
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
        self.set_aside_path = self.path.with_name(self.path.name + ".set-aside.jsonl")
        self._lock = FileLock(str(self.path) + ".lock")
        self._cache: _Cache | None = None
        self._cache_lock = threading.Lock()
        self._header_checked = False
        self._left_in_place = 0  # unreadable rows of a file that could not be rewritten (read-only)

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
            self._mend_tail()
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

    def _mend_tail(self) -> None:
        """A file that does not end with a newline (call under the file lock): its last row was cut short by a
        writer that died, or only lacks its newline. The file is rewritten with every readable row."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with open(self.path, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) == b"\n":
                return
        self._parse_file(self._header())

    def _set_aside(self, stretches: list[Unreadable]) -> None:
        """Append unreadable stretches, exactly as they were (surrogate escapes keep every byte), to the set-aside
        file beside the log (call under the file lock, before they leave the log)."""
        lines = "".join(json.dumps({"set_aside_at": now_iso(), "line": bad.line, "why": bad.why,
                                    "text": bad.data.decode("utf-8", "surrogateescape")}, ensure_ascii=True) + "\n"
                        for bad in stretches)
        with open(self.set_aside_path, "a", encoding="ascii") as handle:
            handle.write(lines)
            handle.flush()
            os.fsync(handle.fileno())
        for bad in stretches:
            log.warning("%s line %d could not be read (%s): set aside in %s", self.path, bad.line, bad.why,
                        self.set_aside_path.name)

    def _header(self) -> list[str]:
        with open(self.path, encoding="utf-8", errors="backslashreplace", newline="") as handle:
            return next(csv.reader(handle), [])

    def _upgrade_header(self) -> None:
        """Rewrite a file from an older version with today's columns (call under the file lock)."""
        header = self._header()
        if header == self.columns:
            return
        if not set(header) <= set(self.columns):
            raise PlaygroundError(f"{self.path}: unexpected columns {sorted(set(header) - set(self.columns))}; "
                                  "move the file aside to start a new one")
        self._write(self._parse_file(header).frame.reindex(columns=self.columns, fill_value=""))

    def _write(self, frame: pd.DataFrame) -> None:
        """Replace the whole file atomically (call under the file lock)."""
        temporary = self.path.with_suffix(self.path.suffix + ".tmp")
        write_frame(frame, temporary)
        _fsync_replace(temporary, self.path)

    def _parse_file(self, header: list[str], writable: bool = True) -> Parsed:
        """Every readable row of the file. Its unreadable rows are set aside and the file rewritten with the
        readable ones exactly as they were (a last row that lacked only its newline gets one); a file that cannot
        be written is left as it is, its unreadable rows skipped. Call under the file lock."""
        data = self.path.read_bytes()
        start = header_length(data) or len(data)
        parsed = parse_rows(data[start:], header, first_line=2)
        self._left_in_place = len(parsed.unreadable)
        if writable and (parsed.unreadable or not data.endswith(b"\n")):
            try:
                if parsed.unreadable:
                    self._set_aside(parsed.unreadable)
                else:
                    log.warning("%s: its last row lacked only its final newline; it is kept", self.path)
                temporary = self.path.with_suffix(self.path.suffix + ".tmp")
                temporary.write_bytes(data[:start].rstrip(b"\r\n") + b"\n" + parsed.rows)
                _fsync_replace(temporary, self.path)
                self._left_in_place = 0
            except OSError as exc:
                log.warning("%s: %d unreadable row(s) skipped and left in place (%s)", self.path,
                            len(parsed.unreadable), exc)
        return parsed

    def update(self, key: str, value: str, changes: dict[str, Any]) -> bool:
        """Change columns of the row whose ``key`` column is ``value`` (rare: the file is rewritten)."""
        unknown = set(changes) - set(self.columns)
        if unknown:
            raise ValueError(f"unknown columns for {self.path.name}: {sorted(unknown)}")
        with self._lock:
            if not self.path.exists():
                return False
            self._upgrade_header()
            frame = self._parse_file(self.columns).frame
            match = frame[key] == value
            if not match.any():
                return False
            for column, new in changes.items():
                frame.loc[match, column] = storable(new)
            self._write(frame)
            return True

    # -- reading ---------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _reading(self) -> Iterator[bool]:
        """The file lock for a read, and whether the file may be mended; a log that cannot be written (a
        read-only file or folder) is read without the lock and left as it is."""
        with self._cache_lock:
            try:
                self._lock.acquire()
            except OSError:
                yield False
                return
            try:
                yield os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)
            finally:
                self._lock.release()

    def read(self) -> pd.DataFrame:
        """Every readable row, as text, in file order (oldest first). Shared and cached: do not modify it."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return pd.DataFrame(columns=self.columns)
        with self._reading() as writable:
            if writable:
                self._mend_tail()
                if self._header() != self.columns:
                    self._upgrade_header()
            elif self._header() != self.columns:
                raise PlaygroundError(f"{self.path} has other columns than expected and cannot be written: make it "
                                      "writable so the app can add its new columns")
            stat = self.path.stat()
            cache = self._cache
            if cache and cache.inode == stat.st_ino and cache.size == stat.st_size:
                return cache.frame
            if cache and cache.inode == stat.st_ino and cache.size < stat.st_size:
                with open(self.path, "rb") as handle:
                    handle.seek(cache.size)
                    tail = handle.read()
                parsed = parse_rows(tail, self.columns)
                if not parsed.unreadable:  # the common case: new whole rows, appended to what is known
                    frame = pd.concat([cache.frame, parsed.frame], ignore_index=True)
                    self._cache = _Cache(stat.st_ino, stat.st_size, frame)
                    return frame
            frame = self._parse_file(self.columns, writable).frame.reset_index(drop=True)
            stat = self.path.stat()
            self._cache = _Cache(stat.st_ino, stat.st_size, frame)
            return frame

    def set_aside_note(self) -> str:
        """What a person should know about rows of this log that could not be read ('' when there are none)."""
        try:
            count = sum(1 for _ in open(self.set_aside_path, encoding="ascii")) if self.set_aside_path.exists() else 0
        except OSError:
            count = 0
        parts = []
        if count:
            parts.append(f"{count} unreadable row(s) of {self.path.name} were set aside, unchanged, in "
                         f"{self.set_aside_path.name} (an extra or missing field, or an unclosed quote); every other "
                         "row is shown")
        if self._left_in_place:
            parts.append(f"{self._left_in_place} unreadable row(s) are skipped and left in {self.path.name}, which "
                         "cannot be written")
        return "; ".join(parts)
