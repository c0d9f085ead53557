"""The in-flight journal: paid requests that are being submitted or were submitted but are not yet in results.csv.

One small JSON file per run under ``<data dir>/inflight/``, written atomically and fsynced *before* the submit
is sent (so even a request whose answer never arrived is on record), rewritten with fal's request id as soon
as it is known, and removed only after the run's row is in results.csv. On start-up whatever is left here
is finished into the log (see ``playground.runner``). Entries hold the request's URLs and a key
*fingerprint*, never a key.

Each entry has a lock file beside it, held by the process that is running (or finishing) that run: the
kernel drops it when that process dies, so a second process — or a second recovery in the same one — can
never finish a run that someone else is still following, and no run is logged twice.
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


class Journal:
    """Durable set of in-flight runs, keyed by run id, each held by at most one owner at a time."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._held: dict[str, FileLock] = {}
        self._lock = threading.Lock()

    def _path(self, run_id: str) -> Path:
        if not _SAFE_ID.match(run_id or ""):
            raise ValueError(f"bad run id {run_id!r}")
        return self.directory / f"{run_id}.json"

    def claim(self, run_id: str) -> bool:
        """Take ownership of a run's entry; False when another owner (process or task) holds it."""
        path = self._path(run_id)
        with self._lock:
            if run_id in self._held:
                return False
            self.directory.mkdir(parents=True, exist_ok=True)
            lock = FileLock(str(path) + ".lock", timeout=0, thread_local=False)
            try:
                lock.acquire()
            except Timeout:
                return False
            self._held[run_id] = lock
            return True

    def release(self, run_id: str) -> None:
        """Give up ownership without removing the entry (another owner may finish it)."""
        with self._lock:
            lock = self._held.pop(run_id, None)
        if lock is not None:
            lock.release()

    def add(self, entry: dict[str, Any]) -> None:
        """Record (or update) a run this journal owns; returns only once the entry is on disk under its name."""
        run_id = entry["run_id"]
        path = self._path(run_id)
        if run_id not in self._held and not self.claim(run_id):
            raise ValueError(f"run {run_id} is owned by another process")
        temporary = path.with_suffix(".json.tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(entry, handle, ensure_ascii=True)  # escapes keep any text, even a lone surrogate
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        _fsync_dir(self.directory)

    def remove(self, run_id: str) -> None:
        """Forget a finished run (its row is on disk) and give up its lock."""
        path = self._path(run_id)
        try:
            path.unlink()
            _fsync_dir(self.directory)
        except FileNotFoundError:
            pass
        with self._lock:
            held = run_id in self._held
        if held:
            Path(str(path) + ".lock").unlink(missing_ok=True)
            self.release(run_id)

    def read(self, run_id: str) -> dict[str, Any] | None:
        """One entry as it is on disk now (None when it is gone or unusable)."""
        path = self._path(run_id)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        return None if entry_problem(entry, path.stem) else entry

    def pending(self) -> list[dict[str, Any]]:
        """Every usable entry, oldest first; an unusable file is reported and left for a person to look at."""
        entries = []
        for path in sorted(self.directory.glob("*.json")) if self.directory.is_dir() else []:
            try:
                entry = json.loads(path.read_text(encoding="utf-8"))
                problem = entry_problem(entry, path.stem)
            except (OSError, ValueError, RecursionError) as exc:
                problem = f"{exc.__class__.__name__}: {str(exc)[:80]}"
            if problem:
                log.warning("in-flight journal: skipping %s (%s); it is kept for a person to look at", path.name,
                            problem)
                continue
            entries.append(entry)
        return sorted(entries, key=lambda e: e["created_at"])
