"""The storage each kind of record sits on, as protocols both stores implement, and ``RecordLog``, the base of the
row logs (runs, votes, seed checks).

A record family keeps its own logic (``VotesLog.current``, ``BatchStore.load``'s ownership, ``Journal``'s checks)
in one class, whichever store it is on; what differs is only where its text goes. So each protocol here is the
smallest storage that family needs: rows of text for a log, a text per id for batches and journal entries, a text
per file name for saved presets. The embedded store implements them with files (``csvlog.CsvLog``,
``compare.store.BatchFiles``, ``journal.JournalFiles``, ``store.preset_folder.PresetFolder``), the PostgreSQL
store with tables (``store.sql_rows``, ``store.sql_parts``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import pandas as pd

from playground.csvlog import CsvLog


class Rows(Protocol):
    """A log's rows: appended whole, changed by key (rarely), read back as text in the order they were written."""

    columns: list[str]

    @property
    def path(self) -> Path | str:
        """Where the rows are (a CSV file, or a database table): for messages."""
        ...

    def append(self, row: dict[str, Any]) -> None:
        """Keep one row (its values as text: None is empty, a lone surrogate its escape); ValueError for a column
        the log does not have."""
        ...

    def update(self, key: str, value: str, changes: dict[str, Any]) -> bool:
        """Change columns of the rows whose ``key`` column is ``value``; False when there is none."""
        ...

    def read(self) -> pd.DataFrame:
        """Every row as text, the log's columns in order, oldest first. Shared and cached: do not modify it."""
        ...

    def set_aside_note(self) -> str:
        """What a person should know about rows that could not be read ('' when there are none)."""
        ...


class BatchTexts(Protocol):
    """Kept batches as JSON text, one per batch id (checked by ``BatchStore`` before it gets here)."""

    def put(self, batch_id: str, owner: str, text: str) -> None:
        """Keep a batch's text whole (a reader never sees half of it), replacing the one before."""
        ...

    def get(self, batch_id: str) -> str | None:
        """A batch's text, or None when there is none (or it cannot be read)."""
        ...

    def ids(self) -> list[str]:
        """Every kept batch's id, sorted."""
        ...


class JournalEntries(Protocol):
    """In-flight entries as JSON text by run id (checked by ``Journal``), each held by at most one owner at a time:
    a lock file the kernel drops when its process dies (files), a lease that lapses unless renewed (PostgreSQL)."""

    def claim(self, run_id: str) -> bool:
        """Take a run's entry (it need not exist yet); False when another owner, or this one already, holds it."""
        ...

    def holds(self, run_id: str) -> bool:
        """Whether this owner holds the run's entry."""
        ...

    def release(self, run_id: str) -> None:
        """Give the entry up without removing it (another owner may finish it)."""
        ...

    def put(self, run_id: str, text: str) -> None:
        """Write a held entry durably; ValueError when another owner holds it now."""
        ...

    def delete(self, run_id: str) -> None:
        """Forget an entry (its run's row is kept) and give it up; nothing happens when it is gone already."""
        ...

    def get(self, run_id: str) -> str | None:
        """An entry's text as it is now, or None."""
        ...

    def texts(self) -> list[tuple[str, str]]:
        """(the name it is kept under, its text) for every entry that can be read, by name."""
        ...


class SavedText(NamedTuple):
    """A saved preset as it is kept: its file name, where it is (shown in problems and used to replace it), its
    JSON text."""

    file: str
    label: str
    text: str


class PresetShelf(Protocol):
    """Where presets are kept, by file name (``presets.file_name``: a slug and a hash of the preset's name)."""

    def texts(self) -> tuple[list[SavedText], list[str]]:
        """Every preset kept here, by file name, and what could not be read (each line naming where)."""
        ...

    def label(self, file: str) -> str:
        """Where a preset of this file name is (or would be) kept."""
        ...

    def write(self, label: str, text: str) -> None:
        """Keep a preset's text under ``label`` whole, replacing what was there; OSError when it cannot."""
        ...


class RecordLog:
    """A log of one kind of record (``columns``), on rows kept anywhere: a path is a CSV file of the embedded store
    (``CsvLog``), anything else the ``Rows`` a store made."""

    columns: list[str] = []

    def __init__(self, rows: Path | str | Rows):
        self.rows: Rows = CsvLog(Path(rows), self.columns) if isinstance(rows, (str, os.PathLike)) else rows
        if list(self.rows.columns) != list(self.columns):
            raise ValueError(f"{self.rows.path} holds other columns than {type(self).__name__}'s")

    @property
    def path(self) -> Path | str:
        return self.rows.path

    def append(self, row: dict[str, Any]) -> None:
        """Write one row; returns only once it is kept (on disk, or committed)."""
        self.rows.append(row)

    def update(self, key: str, value: str, changes: dict[str, Any]) -> bool:
        """Change columns of the row whose ``key`` column is ``value`` (rare); False when there is none."""
        return self.rows.update(key, value, changes)

    def read(self) -> pd.DataFrame:
        """Every readable row, as text, oldest first. Shared and cached: do not modify it."""
        return self.rows.read()

    def newest_page(self, equal: dict[str, str], starting: dict[str, str], among: dict[str, frozenset[str]],
                    number: int, size: int) -> tuple[list[dict[str, str]], int, int, int] | None:
        """Page ``number`` of the rows whose columns equal ``equal``, start with ``starting`` and are among
        ``among``, newest first, with (that page number, pages, rows matching), when the rows can page themselves
        (a database table); None when the cached frame is the way (a CSV file, read once and kept)."""
        pages_itself = getattr(self.rows, "newest_page", None)
        return None if pages_itself is None else pages_itself(equal, starting, among, number, size)

    def set_aside_note(self) -> str:
        return self.rows.set_aside_note()
