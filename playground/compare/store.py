"""Comparisons kept on disk, so a batch can be voted on (`/vote`) or extended after its page is gone.

One JSON file per batch under ``<data dir>/batches/``: who ran it, the spec it ran and its latest snapshot, in
their dict forms (``StoredSpec.as_dict``, ``BatchSnapshot.as_dict``), read back typed. Batch ids are checked
against their shape before any path is built from them, and a batch is found only by its owner (another
visitor's id reads as unknown, never as "not yours").
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from playground.compare.snapshot import BatchSnapshot
from playground.compare.spec import BATCH_ID, StoredSpec, normal_batch_id

__all__ = ["BatchStore", "KeptBatch", "normal_batch_id"]


@dataclass(frozen=True)
class KeptBatch:
    """A batch as its file holds it: whose it is, the spec it ran (to extend it) and how it stood."""

    owner: str
    spec: StoredSpec
    snapshot: BatchSnapshot


class BatchStore:
    """``save`` as a batch runs; ``load`` by id for its owner."""

    def __init__(self, directory: Path):
        self.directory = directory

    def _path(self, batch_id: str) -> Path | None:
        return self.directory / f"{batch_id}.json" if BATCH_ID.fullmatch(batch_id or "") else None

    def save(self, snapshot: BatchSnapshot, owner: str, spec: StoredSpec) -> None:
        """Write the batch whole (a new file renamed over the old: a reader never sees half of it)."""
        path = self._path(snapshot.batch_id)
        if path is None:
            raise ValueError(f"not a batch id: {snapshot.batch_id!r}")
        self.directory.mkdir(parents=True, exist_ok=True)
        record = {"owner": owner, "spec": spec.as_dict(), "snapshot": snapshot.as_dict()}
        # ASCII JSON: a prompt's lone surrogate or any line break is escaped, written and read back as it was
        text = json.dumps(record, ensure_ascii=True, default=str)
        with tempfile.NamedTemporaryFile("w", encoding="ascii", dir=self.directory, suffix=".tmp",
                                         delete=False) as handle:
            handle.write(text)
        os.replace(handle.name, path)

    def load(self, batch_id: str, owner: str) -> KeptBatch | None:
        """A batch of ``owner``'s, or None (no such file, another owner's, or a file that cannot be read)."""
        path = self._path(batch_id)
        if path is None or not path.is_file():
            return None
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(record, dict) or record.get("owner") != owner:
                return None
            return KeptBatch(owner, StoredSpec.from_dict(record.get("spec") or {}),
                             BatchSnapshot.from_dict(record.get("snapshot") or {}))
        except (OSError, ValueError, TypeError, AttributeError, RecursionError):
            return None
