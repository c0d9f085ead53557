"""The in-flight journal in PostgreSQL: one row per run, held by a *lease*.

A file lock is dropped by the kernel when its process dies; across machines nothing does that, so a hold here is a
lease: the holder (a random id per store object, that is per process) and ``lease_until`` on the database's clock
(no two machines' clocks are compared). A claim succeeds only where no live lease exists — one statement, atomic
across processes: insert the row, or take it over where ``holder is null or lease_until < now()``. While it holds
anything, a heartbeat thread renews its leases every third of the TTL; a process that dies stops renewing, and after
the TTL (30 s by default) another process may claim and finish its runs. Writing an entry checks the holder too, so
a process that lost its lease (paused longer than the TTL) cannot overwrite the new holder's entry.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError

from playground.store.sql_leases import Leases
from playground.store.sql_tables import journal

log = logging.getLogger(__name__)


class SqlJournal(Leases):
    """``JournalEntries`` in ``playground_journal``, held by leases of ``ttl_s`` seconds."""

    thread_name = "journal-lease"

    def __init__(self, engine: Engine, ttl_s: float = 30.0):
        super().__init__(engine, ttl_s)
        self._held: set[str] = set()

    def claim(self, run_id: str) -> bool:
        with self._lock:
            if run_id in self._held:
                return False
            row = insert(journal).values(run_id=run_id, holder=self.holder, lease_until=self._until())
            statement = row.on_conflict_do_update(
                index_elements=[journal.c.run_id], set_={"holder": self.holder, "lease_until": self._until()},
                where=or_(journal.c.holder.is_(None), journal.c.lease_until < func.now())).returning(journal.c.run_id)
            with self.engine.begin() as connection:
                won = connection.execute(statement).first() is not None
            if won:
                self._held.add(run_id)
                self._beat()
            return won

    def holds(self, run_id: str) -> bool:
        with self._lock:
            return run_id in self._held

    def release(self, run_id: str) -> None:
        with self._lock:
            if run_id not in self._held:
                return
            self._held.discard(run_id)
        mine = (journal.c.run_id == run_id) & (journal.c.holder == self.holder)
        with self.engine.begin() as connection:
            connection.execute(delete(journal).where(mine, journal.c.body.is_(None)))  # a claim never written
            connection.execute(update(journal).where(mine).values(holder=None, lease_until=None))

    def put(self, run_id: str, text: str) -> None:
        statement = (update(journal).where(journal.c.run_id == run_id, journal.c.holder == self.holder)
                     .values(body=text, lease_until=self._until()))
        with self.engine.begin() as connection:
            if connection.execute(statement).rowcount != 1:
                raise ValueError(f"run {run_id} is owned by another process")

    def delete(self, run_id: str) -> None:
        free = or_(journal.c.holder.is_(None), journal.c.holder == self.holder, journal.c.lease_until < func.now())
        with self.engine.begin() as connection:
            connection.execute(delete(journal).where(journal.c.run_id == run_id, free))
        with self._lock:
            self._held.discard(run_id)

    def get(self, run_id: str) -> str | None:
        with self.engine.connect() as connection:
            body = connection.execute(select(journal.c.body).where(journal.c.run_id == run_id)).scalar()
        return None if body is None else str(body)

    def texts(self) -> list[tuple[str, str]]:
        """Every entry with its text; claims whose holder stopped before writing their entry (no body, lease lapsed:
        it died between the claim and the write) are forgotten first, as nothing would ever read them."""
        lapsed = or_(journal.c.holder.is_(None), journal.c.lease_until < func.now())
        query = select(journal.c.run_id, journal.c.body).where(journal.c.body.is_not(None)).order_by(journal.c.run_id)
        with self.engine.begin() as connection:
            connection.execute(delete(journal).where(journal.c.body.is_(None), lapsed))
            return [(str(run_id), str(body)) for run_id, body in connection.execute(query)]

    def put_new(self, run_id: str, text: str) -> bool:
        """Keep an entry not kept yet, held by no one (an import); whether it was added."""
        statement = insert(journal).values(run_id=run_id, body=text).on_conflict_do_nothing().returning(journal.c.run_id)
        with self.engine.begin() as connection:
            return connection.execute(statement).first() is not None

    # -- the heartbeat ------------------------------------------------------------------------------------------
    def renew(self) -> int:
        """Push every held lease ``ttl_s`` further; how many were renewed (a lease another took is not)."""
        with self._lock:
            held = sorted(self._held)
        if not held:
            return 0
        statement = (update(journal).where(journal.c.run_id.in_(held), journal.c.holder == self.holder)
                     .values(lease_until=self._until()))
        try:
            with self.engine.begin() as connection:
                renewed = connection.execute(statement).rowcount
        except SQLAlchemyError as exc:
            log.warning("in-flight journal: leases not renewed (%s); retrying in %.0f s", exc.__class__.__name__,
                        self.ttl_s / 3)
            return 0
        if renewed < len(held):
            log.warning("in-flight journal: %d of %d leases were taken by another process", len(held) - renewed,
                        len(held))
        return int(renewed)

    def close(self) -> None:
        """Stop renewing and give every held entry up, so another process may take it at once."""
        self.stop_heartbeat()
        for run_id in sorted(self._held):
            try:
                self.release(run_id)
            except SQLAlchemyError as exc:
                log.warning("in-flight journal: %s not released (%s); its lease lapses", run_id,
                            exc.__class__.__name__)
