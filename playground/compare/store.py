"""Comparisons kept, so a batch can be voted on (`/vote`) or extended after its page is gone.

A batch is kept as one JSON text: who ran it, the spec it ran and its latest snapshot, in their dict forms
(``StoredSpec.as_dict``, ``BatchSnapshot.as_dict``), read back typed. The embedded store keeps each as a file under
``<data dir>/batches/`` (``BatchFiles``); the PostgreSQL store as a row (``store.sql_parts.SqlBatches``); both get
the same text. Batch ids are checked against their shape before anything is looked up by them, and a batch named
with an owner is found only by that owner (another visitor's id reads as unknown, never as "not yours").
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from playground.compare.snapshot import BatchSnapshot
from playground.compare.spec import BATCH_ID, StoredSpec, normal_batch_id
from playground.store.base import BatchTexts

__all__ = ["BatchFiles", "BatchStore", "KeptBatch", "normal_batch_id"]


@dataclass(frozen=True)
class KeptBatch:
    """A batch as it is kept: whose it is, the spec it ran (to extend it) and how it stood."""

    owner: str
    spec: StoredSpec
    snapshot: BatchSnapshot


class BatchFiles:
    """The embedded store's kept batches: ``<directory>/<batch id>.json``, each written under a temporary name and
    renamed over the old one."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def _path(self, batch_id: str) -> Path:
        return self.directory / f"{batch_id}.json"

    def put(self, batch_id: str, owner: str, text: str) -> None:  # noqa: ARG002 (the file holds its owner)
        self.directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="ascii", dir=self.directory, suffix=".tmp",
                                         delete=False) as handle:
            handle.write(text)
        os.replace(handle.name, self._path(batch_id))

    def get(self, batch_id: str) -> str | None:
        path = self._path(batch_id)
        try:
            return path.read_text(encoding="utf-8") if path.is_file() else None
        except (OSError, ValueError):
            return None

    def ids(self) -> list[str]:
        names = sorted(self.directory.glob("*.json")) if self.directory.is_dir() else []
        return [path.stem for path in names if BATCH_ID.fullmatch(path.stem)]


class BatchStore:
    """``save`` as a batch runs; ``load`` by id (for its owner). ``directory``: the data dir's ``batches`` folder,
    where the embedded store keeps them (``BatchFiles``) unless ``texts`` keeps them elsewhere (the database)."""

    def __init__(self, directory: Path | str, texts: BatchTexts | None = None):
        self.directory = Path(directory)
        self.texts: BatchTexts = texts if texts is not None else BatchFiles(self.directory)

    def save(self, snapshot: BatchSnapshot, owner: str, spec: StoredSpec) -> None:
        """Keep the batch whole (a reader never sees half of it)."""
        if not BATCH_ID.fullmatch(snapshot.batch_id or ""):
            raise ValueError(f"not a batch id: {snapshot.batch_id!r}")
        record = {"owner": owner, "spec": spec.as_dict(), "snapshot": snapshot.as_dict()}
        # ASCII JSON: a prompt's lone surrogate, a NUL or any line break is escaped, kept and read back as it was
        self.texts.put(snapshot.batch_id, owner, json.dumps(record, ensure_ascii=True, default=str))

    def load(self, batch_id: str, owner: str | None) -> KeptBatch | None:
        """A batch of ``owner``'s (of anyone's when None: a shared workspace), or None (no such batch, another
        owner's, or one that cannot be read)."""
        text = self.texts.get(batch_id) if BATCH_ID.fullmatch(batch_id or "") else None
        if text is None:
            return None
        try:
            record = json.loads(text)
            if not isinstance(record, dict) or (owner is not None and record.get("owner") != owner):
                return None
            return KeptBatch(str(record.get("owner") or ""), StoredSpec.from_dict(record.get("spec") or {}),
                             BatchSnapshot.from_dict(record.get("snapshot") or {}))
        except (ValueError, TypeError, AttributeError, RecursionError):
            return None

    def batch_ids(self) -> list[str]:
        """Every kept batch's id (to copy them into another store)."""
        return self.texts.ids()

    def text(self, batch_id: str) -> str | None:
        """A kept batch's text exactly as it is kept (to copy it into another store)."""
        return self.texts.get(batch_id) if BATCH_ID.fullmatch(batch_id or "") else None
