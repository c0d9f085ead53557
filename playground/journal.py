"""The in-flight journal: paid requests that were submitted but are not yet in results.csv.

One small JSON file per run under ``<data dir>/inflight/``, written atomically and fsynced *before* the
app waits on the request, and removed only after the run's row is in results.csv. On start-up whatever
is left here is looked up on fal and finished into the log (see ``playground.runner``). Entries hold the
request's URLs and a key *fingerprint*, never a key.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Journal:
    """Durable set of in-flight runs, keyed by run id."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def _path(self, run_id: str) -> Path:
        if not _SAFE_ID.match(run_id):
            raise ValueError(f"bad run id {run_id!r}")
        return self.directory / f"{run_id}.json"

    def add(self, entry: dict[str, Any]) -> None:
        """Record a run; returns only once the entry is on disk under its final name."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(entry["run_id"])
        temporary = path.with_suffix(".json.tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(entry, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        _fsync_dir(self.directory)

    def remove(self, run_id: str) -> None:
        try:
            self._path(run_id).unlink()
        except FileNotFoundError:
            return
        _fsync_dir(self.directory)

    def pending(self) -> list[dict[str, Any]]:
        """Every readable entry, oldest first; an unreadable file is reported and left for a person to look at."""
        entries = []
        for path in sorted(self.directory.glob("*.json")) if self.directory.is_dir() else []:
            try:
                entry = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(entry, dict) or entry.get("run_id") != path.stem:
                    raise ValueError("not an entry for this file name")
            except (OSError, ValueError) as exc:
                log.warning("in-flight journal: skipping unreadable %s (%s)", path.name, exc)
                continue
            entries.append(entry)
        return sorted(entries, key=lambda e: e.get("created_at", ""))
