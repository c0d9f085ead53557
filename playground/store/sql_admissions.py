"""Public-mode admissions in PostgreSQL, so the daily cap and each visitor's limits hold across replicas.

Every replica's ``Guard`` decides an admission in one transaction under one advisory transaction lock
(``pg_advisory_xact_lock``): count the open tickets and today's server-key spend in the log, decide, insert the
new ticket. Two replicas therefore never both take the last dollar of the cap or a visitor's last run slot, and
an estimate admitted but not yet logged counts as spent. Tickets are read before the log (a run logs its row, then
releases its ticket), so a run that ends meanwhile is counted once or twice, never missed.

A ticket is held like a journal entry: by its replica's lease (``lease_until`` on the database's clock) that a
heartbeat renews every third of the TTL. A replica that dies stops renewing; after the TTL its tickets no longer
hold run slots or open spend (recovery logs its paid runs, and their rows count). Times that decide a limit (the
hour, the day, the visitor's last 24 hours) are the Guard's clock, as in the embedded store.
"""

from __future__ import annotations

import logging
import math
import uuid
from datetime import datetime, timezone

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Float,
    case,
    cast,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from playground.guard import FORGET_AFTER_S, Decide, Tally
from playground.store.sql_leases import Leases
from playground.store.sql_tables import admissions, runs

log = logging.getLogger(__name__)
ADMISSIONS_LOCK = 0x61646D74  # "admt": held by the transaction deciding an admission
KEEP_S = 2 * 86_400  # tickets older than this decide nothing any more
NUMBER = r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]{1,2})?\s*$"  # a cost PostgreSQL reads as float8


def _cost(column: ColumnElement[str]) -> ColumnElement[float]:
    """A cost column read as a number; NULL when it is not one (as pandas' to_numeric(errors="coerce"))."""
    readable = column.regexp_match(NUMBER) & (func.length(column) <= 40)
    return case((readable, cast(column, Float(53))), else_=None)


class SqlAdmissions(Leases):
    """``guard.Admissions`` in ``playground_admissions``, tickets held by leases of ``ttl_s`` seconds."""

    thread_name = "admission-leases"

    def __init__(self, engine: Engine, ttl_s: float = 30.0):
        super().__init__(engine, ttl_s)
        self._open: set[str] = set()

    def _tally(self, connection: Connection, visitor_id: str, now: float) -> Tally:
        ticket = admissions.c
        mine = ticket.visitor_id == (visitor_id or "anonymous")
        going = ticket.released_at.is_(None) & (ticket.lease_until > func.now())
        today_from = math.floor(now / 86_400) * 86_400  # UTC midnight
        spent = func.sum(ticket.estimated_usd)
        counts = select(func.count().filter(mine & going), func.count().filter(mine & (ticket.admitted_epoch > now - 3600)),
                        func.coalesce(spent.filter(mine & ticket.server_billed), 0.0),
                        func.coalesce(spent.filter(going & ticket.server_billed & (ticket.admitted_epoch >= today_from)),
                                      0.0)).where(ticket.admitted_epoch > now - FORGET_AFTER_S)
        in_flight, started, visitor_usd, open_usd = connection.execute(counts).one()  # the tickets first, then the log
        today = datetime.fromtimestamp(now, timezone.utc).date().isoformat()
        each = func.coalesce(_cost(runs.c.billed_cost_usd), _cost(runs.c.estimated_cost_usd), 0.0)
        logged = connection.execute(select(func.coalesce(func.sum(each), 0.0)).where(
            runs.c.billed_to == "server", func.left(runs.c.created_at, 10) == today)).scalar_one()
        return Tally(int(in_flight), int(started), float(visitor_usd), float(open_usd), float(logged))

    def tally(self, visitor_id: str, now: float) -> Tally:
        with self.engine.connect() as connection:
            return self._tally(connection, visitor_id, now)

    def admit(self, visitor_id: str, now: float, cost_usd: float, server_billed: bool, decide: Decide) -> str | None:
        ticket_id = uuid.uuid4().hex
        with self.engine.begin() as connection:
            connection.execute(select(func.pg_advisory_xact_lock(ADMISSIONS_LOCK)))
            if not decide(self._tally(connection, visitor_id, now)):
                return None
            connection.execute(insert(admissions).values(
                ticket_id=ticket_id, visitor_id=visitor_id or "anonymous", estimated_usd=float(cost_usd),
                server_billed=server_billed, admitted_epoch=now, holder=self.holder, lease_until=self._until()))
            connection.execute(delete(admissions).where(admissions.c.admitted_epoch < now - KEEP_S))
        with self._lock:
            self._open.add(ticket_id)
            self._beat()
        return ticket_id

    def release(self, ticket_id: str) -> None:
        with self._lock:
            self._open.discard(ticket_id)
        statement = (update(admissions).where(admissions.c.ticket_id == ticket_id, admissions.c.released_at.is_(None))
                     .values(released_at=func.now()))
        try:
            with self.engine.begin() as connection:
                connection.execute(statement)
        except SQLAlchemyError as exc:
            log.warning("admissions: ticket not released (%s); it lapses with its lease", exc.__class__.__name__)

    # -- the heartbeat ------------------------------------------------------------------------------------------
    def renew(self) -> int:
        """Push the leases of this replica's open tickets ``ttl_s`` further; how many were renewed."""
        with self._lock:
            held = sorted(self._open)
        if not held:
            return 0
        statement = (update(admissions).where(admissions.c.ticket_id.in_(held), admissions.c.holder == self.holder,
                                              admissions.c.released_at.is_(None)).values(lease_until=self._until()))
        try:
            with self.engine.begin() as connection:
                return int(connection.execute(statement).rowcount)
        except SQLAlchemyError as exc:
            log.warning("admissions: leases not renewed (%s); retrying in %.0f s", exc.__class__.__name__,
                        self.ttl_s / 3)
            return 0

    def close(self) -> None:
        """Stop renewing and release every open ticket (this replica's runs end with it)."""
        self.stop_heartbeat()
        for ticket_id in sorted(self._open):
            self.release(ticket_id)
