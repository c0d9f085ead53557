"""Finished comparisons kept on disk, so a batch can be voted on (`/vote`) or extended after its page is gone.

One JSON file per batch under ``<data dir>/batches/``: who ran it, the spec it ran and its last snapshot.
Batch ids are checked against their shape before any path is built from them, and a batch is found only by
its owner (another visitor's id reads as unknown, never as "not yours").
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from playground.errors import InputError
from playground.text import escape_surrogates

BATCH_ID = re.compile(r"[0-9a-f]{12}")


def normal_batch_id(raw: Any, field: str = "batch_id") -> str:
    """A batch id as typed or pasted (spaces, line breaks, capitals around it) made exact, or InputError on
    ``field``: checked before anything is sent or any path is built from it."""
    text = raw.strip().lower() if isinstance(raw, str) else ""
    if not BATCH_ID.fullmatch(text):
        shown = escape_surrogates(raw[:40]) if isinstance(raw, str) else type(raw).__name__
        raise InputError([(field, f"{shown!r} is not a batch id: 12 characters 0-9 a-f, as /compare's batch_id")])
    return text


class BatchStore:
    """``save`` after a batch ends; ``load`` by id for its owner."""

    def __init__(self, directory: Path):
        self.directory = directory

    def _path(self, batch_id: str) -> Path | None:
        return self.directory / f"{batch_id}.json" if BATCH_ID.fullmatch(batch_id or "") else None

    def save(self, snapshot: dict[str, Any], owner: str, spec: dict[str, Any]) -> None:
        """Write the batch whole (a new file renamed over the old: a reader never sees half of it)."""
        path = self._path(snapshot["batch_id"])
        if path is None:
            raise ValueError(f"not a batch id: {snapshot['batch_id']!r}")
        self.directory.mkdir(parents=True, exist_ok=True)
        record = {"owner": owner, "spec": spec, "snapshot": snapshot}
        # ASCII JSON: a prompt's lone surrogate or any line break is escaped, written and read back as it was
        text = json.dumps(record, ensure_ascii=True, default=str)
        with tempfile.NamedTemporaryFile("w", encoding="ascii", dir=self.directory, suffix=".tmp",
                                         delete=False) as handle:
            handle.write(text)
        os.replace(handle.name, path)

    def load(self, batch_id: str, owner: str) -> dict[str, Any] | None:
        """{"owner", "spec", "snapshot"} of a finished batch of ``owner``'s, or None."""
        path = self._path(batch_id)
        if path is None or not path.is_file():
            return None
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) and record.get("owner") == owner else None
