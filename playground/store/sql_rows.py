"""A log's rows in a PostgreSQL table: the same text ``csvlog.CsvLog`` keeps and gives back, read incrementally.

PostgreSQL's text cannot hold NUL, which a CSV cell can (a prompt may carry one). So a value with a NUL is kept with
it escaped — NUL as ``MARK`` + "0", ``MARK`` itself (a private-use character) as ``MARK`` + "m" — and unescaped when
read: both stores give back exactly what was written. Text without either character, nearly all of it, is stored
as it is. A lone surrogate never gets here: like the CSV, a row stores its backslash escape (``csvlog.storable``).

Reading is cached per object, like the CSV's: the first read fetches every row, later ones only rows whose ``_rev``
is newer than the newest seen (appended, or changed by ``update``). History's pages and a chosen run need no read:
``newest_page`` asks the table for the rows shown (two small queries at 100,000 runs, where a cold read takes a
second). Rows are fetched with ``COPY … TO STDOUT`` as CSV (every field quoted) and parsed by pandas. That is exact because writers take a per-table advisory lock around taking a ``_rev`` and committing:
revisions become visible in order, so none is ever skipped.
"""

from __future__ import annotations

import io
import logging
import re
import threading
import zlib
from typing import Any

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql
from sqlalchemy import ColumnElement, Connection, Engine, Sequence, Table, func, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert

from playground.csvlog import storable
from playground.history import page_span

log = logging.getLogger(__name__)
MARK = "\ue000"
_ESCAPED = re.compile(MARK + "(.?)", re.DOTALL)
_MEANS = {"0": "\x00", "m": MARK}


def to_db(text: str) -> str:
    """Text as PostgreSQL can keep it (see the module's note)."""
    if "\x00" not in text and MARK not in text:
        return text
    return text.replace(MARK, MARK + "m").replace("\x00", MARK + "0")


def from_db(text: str) -> str:
    """Text as it was written (``to_db`` undone; a mark that escapes nothing is kept as it is)."""
    return _ESCAPED.sub(lambda found: _MEANS.get(found[1], found[0]), text) if MARK in text else text


def _kept(value: Any) -> str:
    """A value as a row keeps it: text as the CSV stores it, then as PostgreSQL can hold it."""
    return to_db(storable(value))


def _driver(connection: Connection) -> psycopg.Connection[Any]:
    """psycopg's own connection under SQLAlchemy's, in the same transaction (for COPY)."""
    raw = connection.connection.driver_connection
    assert isinstance(raw, psycopg.Connection), "the PostgreSQL store runs on psycopg 3"
    return raw


class SqlRows:
    """One log's table: ``columns`` in order, ``key`` unique where not empty (a second row with a key already kept
    is not added: the first stands, and a warning says so)."""

    def __init__(self, engine: Engine, table: Table, columns: list[str], key: str):
        self.engine, self.table, self.columns, self.key = engine, table, list(columns), key
        self.path = f"the database table {table.name}"
        revision = table.c._rev.default
        assert isinstance(revision, Sequence), table.name  # sql_tables gives every log's _rev its sequence
        self._revision = revision
        self._lock_id = zlib.crc32(table.name.encode())  # the advisory lock of this table's writers
        self._keyed = table.c[key] != literal_column("''")  # the unique index's predicate, matched word for word
        self._cache_lock = threading.Lock()
        self._frame = pd.DataFrame(columns=self.columns)
        self._seqs = np.zeros(0, dtype=np.int64)
        self._newest = 0  # the newest _rev read
        self._marked = False  # whether the last rows fetched hold a MARK
        self._names = sql.SQL(", ").join(sql.Identifier(name) for name in ["_seq", "_rev", *self.columns])

    def _values(self, row: dict[str, Any]) -> dict[str, str]:
        unknown = set(row) - set(self.columns)
        if unknown:
            raise ValueError(f"unknown columns for {self.table.name}: {sorted(unknown)}")
        return {column: _kept(value) for column, value in row.items()}

    def _writing(self, connection: Connection) -> None:
        connection.execute(select(func.pg_advisory_xact_lock(self._lock_id)))

    def append(self, row: dict[str, Any]) -> None:
        values = {column: "" for column in self.columns} | self._values(row)
        statement = insert(self.table).values(values).on_conflict_do_nothing(
            index_elements=[self.key], index_where=self._keyed).returning(self.table.c._seq)
        with self.engine.begin() as connection:
            self._writing(connection)
            added = connection.execute(statement).first()  # (an insert's rowcount is not reported: RETURNING is)
        if added is None:
            log.warning("%s: a row with %s %r is kept already; this one was not added", self.path, self.key,
                        values[self.key])

    def append_new(self, rows: list[dict[str, Any]]) -> int:
        """Rows whose key is not kept yet, in order (an import); how many were added. Sent with COPY into a
        temporary table, then inserted from it in their order in one statement (100,000 rows take seconds)."""
        if not rows:
            return 0
        values = [{column: "" for column in self.columns} | self._values(row) for row in rows]
        quote = self.engine.dialect.identifier_preparer.quote
        names = ", ".join(quote(column) for column in self.columns)
        with self.engine.begin() as connection:
            self._writing(connection)
            with _driver(connection).cursor() as cursor:  # psycopg's own, for COPY
                cursor.execute(f"CREATE TEMP TABLE playground_incoming (ord bigint, "
                               f"{', '.join(quote(c) + ' text' for c in self.columns)}) ON COMMIT DROP")
                with cursor.copy(f"COPY playground_incoming (ord, {names}) FROM STDIN") as copy:
                    for number, row in enumerate(values):
                        copy.write_row((number, *(row[column] for column in self.columns)))
                cursor.execute(f"INSERT INTO {quote(self.table.name)} ({names}) SELECT {names} FROM "
                               f"playground_incoming ORDER BY ord ON CONFLICT ({quote(self.key)}) WHERE "
                               f"{quote(self.key)} <> '' DO NOTHING")
                added = int(cursor.rowcount)
                cursor.execute(f"ANALYZE {quote(self.table.name)}")  # so "what changed since" uses its index at once
                return added

    def update(self, key: str, value: str, changes: dict[str, Any]) -> bool:
        values = self._values(changes)
        statement = (update(self.table).where(self.table.c[key] == to_db(value))
                     .values({**values, "_rev": self._revision.next_value()}))
        with self.engine.begin() as connection:
            self._writing(connection)
            return bool(connection.execute(statement).rowcount)

    def newest_page(self, equal: dict[str, str], starting: dict[str, str], among: dict[str, frozenset[str]],
                    number: int, size: int) -> tuple[list[dict[str, str]], int, int, int]:
        """Page ``number`` (1-based, clamped) of the rows matching, newest first, with (that number, pages, rows
        matching): two small queries in one snapshot, where a cold ``read`` fetches every row (about 1 s at
        100,000 runs) to show twelve."""
        table = self.table
        where: list[ColumnElement[bool]] = [
            *(table.c[column] == _kept(value) for column, value in equal.items()),
            *(table.c[column].startswith(_kept(value), autoescape=True) for column, value in starting.items()),
            *(table.c[column].in_([_kept(value) for value in values]) for column, values in among.items())]
        with self.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            total = int(connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one())
            number, pages = page_span(total, number, size)
            found = connection.execute(select(*(table.c[column] for column in self.columns)).where(*where)
                                       .order_by(table.c._seq.desc()).offset((number - 1) * size).limit(size))
            rows = [{column: from_db(value) for column, value in zip(self.columns, row, strict=True)}
                    for row in found]
        return rows, number, pages, total

    def read(self) -> pd.DataFrame:
        with self._cache_lock:
            fresh = self._fetch(self._newest)
            if len(fresh) and not self._merge(fresh):  # rows not in the order they were written: start again
                self._frame, self._seqs, self._newest = pd.DataFrame(columns=self.columns), self._seqs[:0], 0
                self._merge(self._fetch(0))
            return self._frame

    def _fetch(self, newer_than: int) -> pd.DataFrame:
        """The rows whose ``_rev`` is newer, in order, as text (with ``_seq`` and ``_rev``): COPY … TO STDOUT as
        CSV read by pandas' C parser, twice as fast as rows one by one at 100,000 of them."""
        statement = sql.SQL("COPY (SELECT {names} FROM {table} WHERE _rev > {newer} ORDER BY _seq) TO STDOUT WITH "
                            "(FORMAT csv, FORCE_QUOTE *)").format(names=self._names, table=sql.Identifier(
                                self.table.name), newer=sql.Literal(int(newer_than)))
        with self.engine.connect() as connection:
            with _driver(connection).cursor() as cursor:
                with cursor.copy(statement) as copy:
                    data = b"".join(copy)
        if not data:
            return pd.DataFrame(columns=["_seq", "_rev", *self.columns])
        self._marked = MARK.encode("utf-8") in data
        return pd.read_csv(io.BytesIO(data), header=None, names=["_seq", "_rev", *self.columns], dtype=str,
                           keep_default_na=False, index_col=False)

    def _merge(self, fetched: pd.DataFrame) -> bool:
        """Rows read since the last read: changed ones replaced where they stand, new ones appended; False (and
        nothing changed) when a new row comes before one already read."""
        seqs, newest = fetched["_seq"].to_numpy(dtype=np.int64), int(fetched["_rev"].astype("int64").max())
        fresh = fetched[self.columns]
        for column in self.columns if self._marked else ():  # (a NUL was escaped somewhere in what was read)
            if fresh[column].str.contains(MARK, regex=False).any():
                fresh = fresh.assign(**{column: fresh[column].map(from_db)})
        at = np.searchsorted(self._seqs, seqs)
        known = (at < len(self._seqs)) & (self._seqs[np.minimum(at, len(self._seqs) - 1)] == seqs) \
            if len(self._seqs) else np.zeros(len(seqs), dtype=bool)
        new = ~known
        if new.any() and len(self._seqs) and seqs[new].min() < self._seqs[-1]:
            return False
        frame = self._frame
        if known.any():
            frame = frame.copy()  # readers hold the frame they were given: it never changes under them
            frame.iloc[at[known], :] = fresh[known].to_numpy()
        if new.any():
            frame = pd.concat([frame, fresh[new]], ignore_index=True) if len(frame) else \
                fresh[new].reset_index(drop=True)
            self._seqs = np.concatenate([self._seqs, seqs[new]])
        self._frame, self._newest = frame, max(self._newest, newest)
        return True

    def set_aside_note(self) -> str:
        return ""  # a table has no unreadable rows to set aside
