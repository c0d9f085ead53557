"""The in-flight journal: paid requests that are being submitted or were submitted but are not yet in the results log.

One entry per run, kept durably *before* the submit is sent (so even a request whose answer never arrived is on
record), rewritten with fal's request id as soon as it is known, and removed only after the run's row is in the
results log. On start-up whatever is left is finished into the log (see ``playground.recovery``). Entries hold the
request's URLs and a key *fingerprint*, never a key.

Each entry is held by at most one owner at a time, the one running (or finishing) that run, so a second process —
or a second recovery in the same one — never finishes a run someone else is still following, and no run is logged
twice. ``Journal`` checks ids and entries and speaks JSON; where entries are kept is its ``JournalEntries``: in the
embedded store ``JournalFiles`` (one small JSON file per run under ``<data dir>/inflight/``, written atomically and
fsynced, held by a lock file beside it that the kernel drops when its process dies); with PostgreSQL a row held by
a lease (``store.sql_parts.SqlJournal``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from playground.store.base import JournalEntries

log = logging.getLogger(__name__)
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# key → type every entry must have; anything else means the file is not ours (or damaged) and is left alone
ENTRY_SHAPE: dict[str, type] = {"run_id": str, "created_at": str, "request_id": str, "key_fingerprint": str,
                                "resume": dict, "row": dict}


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def entry_problem(entry: Any, stem: str) -> str | None:
    """Why a journal file's content is not a usable entry (None when it is)."""
    if not isinstance(entry, dict):
        return "not a JSON object"
    wrong = [key for key, kind in ENTRY_SHAPE.items() if not isinstance(entry.get(key), kind)]
    if wrong:
        return f"missing or malformed {', '.join(wrong)}"
    if entry["run_id"] != stem:
        return "not an entry for this file name"
    if not isinstance(entry["row"].get("endpoint_id"), str):
        return "its row has no endpoint_id"
    return None


def skipped(name: str, problem: str) -> None:
    """Say that an entry cannot be used; it is left where it is."""
    log.warning("in-flight journal: skipping %s (%s); it is kept for a person to look at", name, problem)


class JournalFiles:
    """The embedded store's entries: ``<directory>/<run id>.json``, each held through ``<run id>.json.lock``."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._held: dict[str, FileLock] = {}
        self._lock = threading.Lock()

    def _path(self, run_id: str) -> Path:
        return self.directory / f"{run_id}.json"

    def claim(self, run_id: str) -> bool:
        with self._lock:
            if run_id in self._held:
                return False
            self.directory.mkdir(parents=True, exist_ok=True)
            lock = FileLock(str(self._path(run_id)) + ".lock", timeout=0, thread_local=False)
            try:
                lock.acquire()
            except Timeout:
                return False
            self._held[run_id] = lock
            return True

    def holds(self, run_id: str) -> bool:
        with self._lock:
            return run_id in self._held

    def release(self, run_id: str) -> None:
        with self._lock:
            lock = self._held.pop(run_id, None)
        if lock is not None:
            lock.release()

    def put(self, run_id: str, text: str) -> None:
        path = self._path(run_id)
        temporary = path.with_suffix(".json.tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        _fsync_dir(self.directory)

    def delete(self, run_id: str) -> None:
        path = self._path(run_id)
        try:
            path.unlink()
            _fsync_dir(self.directory)
        except FileNotFoundError:
            pass
        if self.holds(run_id):
            Path(str(path) + ".lock").unlink(missing_ok=True)
            self.release(run_id)

    def get(self, run_id: str) -> str | None:
        try:
            return self._path(run_id).read_text(encoding="utf-8")
        except (OSError, ValueError):
            return None

    def texts(self) -> list[tuple[str, str]]:
        found = []
        for path in sorted(self.directory.glob("*.json")) if self.directory.is_dir() else []:
            try:
                found.append((path.stem, path.read_text(encoding="utf-8")))
            except (OSError, ValueError) as exc:
                skipped(path.name, f"{exc.__class__.__name__}: {str(exc)[:80]}")
        return found


class Journal:
    """Durable set of in-flight runs, keyed by run id, each held by at most one owner at a time. ``where``: a folder
    (the embedded store) or the ``JournalEntries`` a store made."""

    def __init__(self, where: Path | str | JournalEntries):
        self.entries: JournalEntries = JournalFiles(Path(where)) if isinstance(where, (str, os.PathLike)) else where

    @staticmethod
    def _checked(run_id: str) -> str:
        if not _SAFE_ID.match(run_id or ""):
            raise ValueError(f"bad run id {run_id!r}")
        return run_id

    def claim(self, run_id: str) -> bool:
        """Take ownership of a run's entry; False when another owner (process or task) holds it."""
        return self.entries.claim(self._checked(run_id))

    def release(self, run_id: str) -> None:
        """Give up ownership without removing the entry (another owner may finish it)."""
        self.entries.release(self._checked(run_id))

    def add(self, entry: dict[str, Any]) -> None:
        """Record (or update) a run this journal owns; returns only once the entry is kept durably under its id."""
        run_id = self._checked(entry["run_id"])
        if not self.entries.holds(run_id) and not self.claim(run_id):
            raise ValueError(f"run {run_id} is owned by another process")
        self.entries.put(run_id, json.dumps(entry, ensure_ascii=True))  # escapes keep any text, even a lone surrogate

    def remove(self, run_id: str) -> None:
        """Forget a finished run (its row is kept) and give up its ownership."""
        self.entries.delete(self._checked(run_id))

    def read(self, run_id: str) -> dict[str, Any] | None:
        """One entry as it is kept now (None when it is gone or unusable)."""
        text = self.entries.get(self._checked(run_id))
        try:
            entry = json.loads(text) if text is not None else None
        except (ValueError, RecursionError):
            return None
        return None if entry is None or entry_problem(entry, run_id) else entry

    def pending(self) -> list[dict[str, Any]]:
        """Every usable entry, oldest first; an unusable one is reported and left for a person to look at."""
        entries = []
        for name, text in self.entries.texts():
            try:
                entry = json.loads(text)
                problem = entry_problem(entry, name)
            except (ValueError, RecursionError) as exc:
                problem = f"{exc.__class__.__name__}: {str(exc)[:80]}"
            if problem:
                skipped(f"{name}.json", problem)
                continue
            entries.append(entry)
        return sorted(entries, key=lambda e: e["created_at"])
