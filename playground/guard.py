"""Limits for a public deployment: per-visitor concurrency and rate, and spend caps on the shared server key.

A visitor is counted by where they connect from (``Visitor.limited_as``: an id derived from their IP
address), not by their browser session, which a fresh tab or API client renews for free. The counts hold only
numbers per such id, never keys or addresses. Spend is counted by estimate, as a reservation when a run starts:
runs billed to the server key that started today come from the results log, so a restart does not reset the
daily cap. What this cannot stop is said in the README ("Limits in public mode").

Where the counts are kept is the store's ``Admissions``: with the embedded store this process's memory
(``MemoryAdmissions``: one process spends), with PostgreSQL a table of admitted tickets that every replica tallies
and adds to under one lock (``store.sql_admissions``), so replicas together never pass a cap.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

import pandas as pd

from playground.config import PublicMode
from playground.errors import LimitError
from playground.results import ResultsLog

FORGET_AFTER_S = 86_400


@dataclass(frozen=True)
class Tally:
    """What an admission is decided from, as the store counts it at that moment."""

    in_flight: int  # the visitor's runs admitted and not yet ended
    started_last_hour: int  # the visitor's runs admitted within the last hour
    visitor_spent_usd: float  # the visitor's estimates on the server key (the per-visitor cap)
    open_server_usd: float  # estimates of server-key runs admitted today and not yet ended (so not yet logged)
    logged_server_usd: float | None = None  # today's server-key spend in the log, when the store counts it itself


Decide = Callable[[Tally], bool]  # raises LimitError to refuse; False: not now (no ticket); True: take one


class Admissions(Protocol):
    """Where admitted runs are counted; ``admit`` is atomic for every process that shares it."""

    def tally(self, visitor_id: str, now: float) -> Tally:
        """The counts for ``visitor_id`` (and the server key's open spend) at ``now`` (epoch seconds)."""
        ...

    def admit(self, visitor_id: str, now: float, cost_usd: float, server_billed: bool, decide: Decide) -> str | None:
        """Tally, ask ``decide``, and when it says so keep a ticket, all under one lock; the ticket's id, or None
        when ``decide`` said not now. A LimitError from ``decide`` passes through (nothing kept)."""
        ...

    def release(self, ticket_id: str) -> None:
        """The run ended: its slot is free and its reservation no longer open (its row counts now)."""
        ...


@dataclass
class _Visitor:
    in_flight: int = 0
    started: deque[float] = field(default_factory=deque)  # start times within the last hour
    spent_usd: float = 0.0  # on the server key, by this visitor
    seen: float = field(default_factory=time.time)


class MemoryAdmissions:
    """The embedded store's counts, in this process (forgotten a day after a visitor's last run)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._visitors: dict[str, _Visitor] = {}
        self._tickets: dict[str, tuple[str, float]] = {}  # ticket id → (visitor id, reserved)
        self._reserved = 0.0

    def _tally(self, visitor: _Visitor | None, now: float) -> Tally:
        if visitor is None:
            return Tally(0, 0, 0.0, self._reserved)
        return Tally(visitor.in_flight, sum(1 for t in visitor.started if now - t <= 3600), visitor.spent_usd,
                     self._reserved)

    def tally(self, visitor_id: str, now: float) -> Tally:
        with self._lock:
            return self._tally(self._visitors.get(visitor_id or "anonymous"), now)

    def admit(self, visitor_id: str, now: float, cost_usd: float, server_billed: bool, decide: Decide) -> str | None:
        with self._lock:
            for old in [s for s, v in self._visitors.items() if now - v.seen > FORGET_AFTER_S and not v.in_flight]:
                del self._visitors[old]
            visitor = self._visitors.setdefault(visitor_id or "anonymous", _Visitor())
            visitor.seen = now
            while visitor.started and now - visitor.started[0] > 3600:
                visitor.started.popleft()
            if not decide(self._tally(visitor, now)):
                return None
            reserved = cost_usd if server_billed else 0.0
            visitor.in_flight += 1
            visitor.started.append(now)
            visitor.spent_usd += reserved
            self._reserved += reserved
            ticket_id = uuid.uuid4().hex
            self._tickets[ticket_id] = (visitor_id or "anonymous", reserved)
            return ticket_id

    def release(self, ticket_id: str) -> None:
        with self._lock:
            visitor_id, reserved = self._tickets.pop(ticket_id, ("", 0.0))
            visitor = self._visitors.get(visitor_id)
            if visitor:
                visitor.in_flight = max(0, visitor.in_flight - 1)
            self._reserved = max(0.0, self._reserved - reserved)


@dataclass
class Ticket:
    """A run let in: it holds one of the visitor's run slots and a spend reservation until released (once)."""

    guard: Guard | None
    visitor_id: str
    reserved_usd: float
    ticket_id: str = ""
    _done: bool = False

    def release(self) -> None:
        if self.guard is not None and not self._done:
            self._done = True
            self.guard.admissions.release(self.ticket_id)


class Guard:
    """Admits or refuses runs in public mode (lets everything through when the deployment is not public)."""

    def __init__(self, public: PublicMode, results: ResultsLog, clock: Callable[[], float] = time.time,
                 admissions: Admissions | None = None):
        self.public, self.results, self.clock = public, results, clock
        self.admissions: Admissions = admissions or MemoryAdmissions()

    def logged_today(self) -> float:
        """Today's (UTC) spend on the server key in the log: billed where fal said, else estimated."""
        frame = self.results.read()
        today = datetime.fromtimestamp(self.clock(), timezone.utc).date().isoformat()
        mine = frame[(frame.billed_to == "server") & frame.created_at.str.startswith(today)]
        billed = pd.to_numeric(mine.billed_cost_usd, errors="coerce")  # what fal billed, where that is known
        cost = billed.fillna(pd.to_numeric(mine.estimated_cost_usd, errors="coerce")).fillna(0)
        return float(cost.sum())

    def _today(self, tally: Tally) -> float:
        """Counted after the tally (a run ends by logging its row, then releasing): a run is never missed."""
        logged = tally.logged_server_usd if tally.logged_server_usd is not None else self.logged_today()
        return logged + tally.open_server_usd

    def spent_today(self) -> float:
        """Spend on the server key today (UTC): finished runs in the log (billed where fal said, else estimated)
        plus the estimates of runs in flight (on every replica that shares the store)."""
        return self._today(self.admissions.tally("", self.clock()))

    def check(self, visitor_id: str, cost_usd: float, server_billed: bool, runs: int = 1) -> None:
        """Raise LimitError if ``runs`` more runs costing ``cost_usd`` in all would pass a rate or spend cap."""
        if not self.public.on:
            return
        self._check(self.admissions.tally(visitor_id, self.clock()), cost_usd, server_billed, runs)

    def _check(self, tally: Tally, cost_usd: float, server_billed: bool, runs: int) -> None:
        if tally.started_last_hour + runs > self.public.session_runs_per_hour:
            raise LimitError(f"at most {self.public.session_runs_per_hour} runs an hour per visitor on this demo "
                             f"({tally.started_last_hour} so far); try again later")
        if not server_billed:
            return
        if tally.visitor_spent_usd + cost_usd > self.public.session_cap_usd:
            raise LimitError(f"this is estimated at ${cost_usd:.4f}; with the ${tally.visitor_spent_usd:.4f} you have "
                             f"used it would pass the ${self.public.session_cap_usd:.2f} per-visitor cap on the demo's "
                             "shared key. Enter your own fal key to go on, or use the offline preview")
        today = self._today(tally)
        if today + cost_usd > self.public.daily_cap_usd:
            raise LimitError(f"the demo's shared key would pass its ${self.public.daily_cap_usd:.2f} daily cap "
                             f"(${today:.4f} used today). Enter your own fal key, or use the offline preview")

    def admit(self, visitor_id: str, cost_usd: float, server_billed: bool) -> Ticket:
        """One run: refuse it (LimitError) or take a run slot and reserve its cost."""
        if not self.public.on:
            return Ticket(None, visitor_id, 0.0)

        def decide(tally: Tally) -> bool:
            if tally.in_flight >= self.public.session_concurrency:
                raise LimitError(f"you already have {tally.in_flight} run(s) going (at most "
                                 f"{self.public.session_concurrency} at once on this demo); wait for one to finish")
            self._check(tally, cost_usd, server_billed, 1)
            return True

        return self._ticket(visitor_id, cost_usd, server_billed,
                            self.admissions.admit(visitor_id, self.clock(), cost_usd, server_billed, decide))

    async def admit_waiting(self, visitor_id: str, cost_usd: float, server_billed: bool) -> Ticket:
        """A cell of a batch that passed ``check``: wait for a free run slot instead of refusing. The caps are
        checked again as it is let in (another batch, or another replica, may have spent in between)."""
        if not self.public.on:
            return Ticket(None, visitor_id, 0.0)

        def decide(tally: Tally) -> bool:
            if tally.in_flight >= self.public.session_concurrency:
                return False
            self._check(tally, cost_usd, server_billed, 1)
            return True

        while True:  # (off the event loop: with the database, an admission is a transaction)
            ticket_id = await asyncio.to_thread(self.admissions.admit, visitor_id, self.clock(), cost_usd,
                                                server_billed, decide)
            if ticket_id is not None:
                return self._ticket(visitor_id, cost_usd, server_billed, ticket_id)
            await asyncio.sleep(0.2)

    def _ticket(self, visitor_id: str, cost_usd: float, server_billed: bool, ticket_id: str | None) -> Ticket:
        assert ticket_id is not None, "admit's decide never says 'not now'"
        return Ticket(self, visitor_id or "anonymous", cost_usd if server_billed else 0.0, ticket_id)
