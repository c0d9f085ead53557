"""Copy an embedded store's records (a data dir) into the PostgreSQL store, idempotently, losing nothing readable.

Each record is keyed as the database keeps it — a run by ``run_id``, a vote by ``vote_id``, a seed check by
``check_id``, a batch by its id, a saved preset by its file name, a journal entry by its run id — and added only
when that key is not there yet, so a second import adds nothing and an import into a database a replica already
writes to never doubles a row. Logs keep their order (each is inserted in file order, after what is there). What
the data dir could not read is said, not copied: rows set aside beside a log (``*.set-aside.jsonl``), a row
without its id (it could not be told apart from itself on a second import), a preset file that is not a small
regular file, a journal entry that is not usable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from playground.csvlog import string_records
from playground.store.base import RecordLog
from playground.store.parts import Store
from playground.store.sql_journal import SqlJournal
from playground.store.sql_parts import SqlBatches, SqlPresets
from playground.store.sql_rows import SqlRows

CHUNK = 5_000  # rows per transaction


@dataclass
class Copied:
    """What an import did with one kind of record."""

    added: int = 0
    present: int = 0
    not_copied: list[str] = field(default_factory=list)  # why, per record left behind

    def said(self, kind: str) -> str:
        line = f"{kind}: {self.added} added, {self.present} already there"
        return line + "".join(f"\n  not imported: {why}" for why in self.not_copied)


def _rows(source: RecordLog, target: RecordLog, key: str) -> Copied:
    rows = target.rows
    assert isinstance(rows, SqlRows), "import into the PostgreSQL store"
    copied = Copied()
    records = string_records(source.read())
    keyed = [row for row in records if row.get(key)]
    if len(keyed) < len(records):
        copied.not_copied.append(f"{len(records) - len(keyed)} row(s) of {source.path} without a {key}")
    for start in range(0, len(keyed), CHUNK):
        chunk = keyed[start:start + CHUNK]
        added = rows.append_new(chunk)
        copied.added, copied.present = copied.added + added, copied.present + len(chunk) - added
    if note := source.set_aside_note():
        copied.not_copied.append(note)
    return copied


def _batches(source: Store, target: Store) -> Copied:
    texts = target.batches.texts
    assert isinstance(texts, SqlBatches), "import into the PostgreSQL store"
    copied = Copied()
    for batch_id in source.batches.batch_ids():
        text = source.batches.text(batch_id)
        if text is None:
            copied.not_copied.append(f"batch {batch_id}: its file cannot be read")
            continue
        try:
            record: Any = json.loads(text)
        except (ValueError, RecursionError):
            record = None
        owner = record.get("owner") if isinstance(record, dict) else None
        added = texts.put_new(batch_id, owner if isinstance(owner, str) else "", text)
        copied.added, copied.present = copied.added + added, copied.present + (not added)
    return copied


def _presets(source: Store, target: Store) -> Copied:
    shelf = target.presets
    assert isinstance(shelf, SqlPresets), "import into the PostgreSQL store"
    kept, problems = source.presets.texts()
    copied = Copied(not_copied=list(problems))
    for preset in kept:
        added = shelf.write_new(preset.file, preset.text)
        copied.added, copied.present = copied.added + added, copied.present + (not added)
    return copied


def _journal(source: Store, target: Store) -> Copied:
    entries = target.journal.entries
    assert isinstance(entries, SqlJournal), "import into the PostgreSQL store"
    copied = Copied()
    names = {name for name, _ in source.journal.entries.texts()}
    usable = source.journal.pending()
    if len(usable) < len(names):
        copied.not_copied.append(f"{len(names) - len(usable)} unusable journal entr(y/ies), kept where they are")
    for entry in usable:
        added = entries.put_new(entry["run_id"], json.dumps(entry, ensure_ascii=True))
        copied.added, copied.present = copied.added + added, copied.present + (not added)
    return copied


def import_records(source: Store, target: Store) -> dict[str, Copied]:
    """Every record of ``source`` (an embedded store) not yet in ``target`` (a PostgreSQL store), by kind."""
    return {"runs": _rows(source.runs, target.runs, "run_id"), "votes": _rows(source.votes, target.votes, "vote_id"),
            "seed checks": _rows(source.seed_checks, target.seed_checks, "check_id"),
            "batches": _batches(source, target), "presets": _presets(source, target),
            "journal entries": _journal(source, target)}
