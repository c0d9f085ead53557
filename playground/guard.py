"""Limits for a public deployment: per-visitor concurrency and rate, and spend caps on the shared server key.

A visitor is counted by where they connect from (``Visitor.limited_as``: an id derived from their IP
address), not by their browser session, which a fresh tab or API client renews for free. The counters here
hold only numbers per such id (forgotten after a day), never keys or addresses. Spend is counted by
estimate, as a reservation when a run starts: runs billed to the server key that started today come from
the results log, so a restart does not reset the daily cap. What this cannot stop is said in the README
("Limits in public mode").
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pandas as pd

from playground.config import PublicMode
from playground.errors import LimitError
from playground.results import ResultsLog

FORGET_AFTER_S = 86_400


@dataclass
class _Visitor:
    in_flight: int = 0
    started: deque[float] = field(default_factory=deque)  # start times within the last hour
    spent_usd: float = 0.0  # on the server key, by this visitor
    seen: float = field(default_factory=time.time)


@dataclass
class Ticket:
    """A run let in: it holds one of the visitor's run slots and a spend reservation until released (once)."""

    guard: Guard | None
    visitor_id: str
    reserved_usd: float
    _done: bool = False

    def release(self) -> None:
        if self.guard is not None and not self._done:
            self._done = True
            self.guard._release(self)


class Guard:
    """Admits or refuses runs in public mode (lets everything through when the deployment is not public)."""

    def __init__(self, public: PublicMode, results: ResultsLog, clock: Callable[[], float] = time.time):
        self.public, self.results, self.clock = public, results, clock
        self._lock = threading.Lock()
        self._visitors: dict[str, _Visitor] = {}
        self._reserved_today = 0.0

    def spent_today(self) -> float:
        """Spend on the server key today (UTC): finished runs in the log (billed where fal said, else estimated)
        plus the estimates of runs in flight."""
        frame = self.results.read()
        today = datetime.fromtimestamp(self.clock(), timezone.utc).date().isoformat()
        mine = frame[(frame.billed_to == "server") & frame.created_at.str.startswith(today)]
        billed = pd.to_numeric(mine.billed_cost_usd, errors="coerce")  # what fal billed, where that is known
        cost = billed.fillna(pd.to_numeric(mine.estimated_cost_usd, errors="coerce")).fillna(0)
        return float(cost.sum()) + self._reserved_today

    def _visitor(self, visitor_id: str, now: float) -> _Visitor:
        for old in [s for s, v in self._visitors.items() if now - v.seen > FORGET_AFTER_S and not v.in_flight]:
            del self._visitors[old]
        visitor = self._visitors.setdefault(visitor_id or "anonymous", _Visitor())
        visitor.seen = now
        while visitor.started and now - visitor.started[0] > 3600:
            visitor.started.popleft()
        return visitor

    def check(self, visitor_id: str, cost_usd: float, server_billed: bool, runs: int = 1) -> None:
        """Raise LimitError if ``runs`` more runs costing ``cost_usd`` in all would pass a rate or spend cap."""
        if not self.public.on:
            return
        with self._lock:
            self._check(self._visitor(visitor_id, self.clock()), cost_usd, server_billed, runs)

    def _check(self, visitor: _Visitor, cost_usd: float, server_billed: bool, runs: int) -> None:
        if len(visitor.started) + runs > self.public.session_runs_per_hour:
            raise LimitError(f"at most {self.public.session_runs_per_hour} runs an hour per visitor on this demo "
                             f"({len(visitor.started)} so far); try again later")
        if not server_billed:
            return
        if visitor.spent_usd + cost_usd > self.public.session_cap_usd:
            raise LimitError(f"this is estimated at ${cost_usd:.4f}; with the ${visitor.spent_usd:.4f} you have used it "
                             f"would pass the ${self.public.session_cap_usd:.2f} per-visitor cap on the demo's shared key."
                             " Enter your own fal key to go on, or use the offline preview")
        today = self.spent_today()
        if today + cost_usd > self.public.daily_cap_usd:
            raise LimitError(f"the demo's shared key would pass its ${self.public.daily_cap_usd:.2f} daily cap "
                             f"(${today:.4f} used today). Enter your own fal key, or use the offline preview")

    def admit(self, visitor_id: str, cost_usd: float, server_billed: bool) -> Ticket:
        """One run: refuse it (LimitError) or take a run slot and reserve its cost."""
        if not self.public.on:
            return Ticket(None, visitor_id, 0.0)
        with self._lock:
            visitor = self._visitor(visitor_id, self.clock())
            if visitor.in_flight >= self.public.session_concurrency:
                raise LimitError(f"you already have {visitor.in_flight} run(s) going (at most "
                                 f"{self.public.session_concurrency} at once on this demo); wait for one to finish")
            self._check(visitor, cost_usd, server_billed, 1)
            return self._take(visitor, visitor_id, cost_usd, server_billed)

    async def admit_waiting(self, visitor_id: str, cost_usd: float, server_billed: bool) -> Ticket:
        """A cell of a batch that passed ``check``: wait for a free run slot instead of refusing."""
        if not self.public.on:
            return Ticket(None, visitor_id, 0.0)
        while True:
            with self._lock:
                visitor = self._visitor(visitor_id, self.clock())
                if visitor.in_flight < self.public.session_concurrency:
                    return self._take(visitor, visitor_id, cost_usd, server_billed)
            await asyncio.sleep(0.2)

    def _take(self, visitor: _Visitor, visitor_id: str, cost_usd: float, server_billed: bool) -> Ticket:
        visitor.in_flight += 1
        visitor.started.append(self.clock())
        reserved = cost_usd if server_billed else 0.0
        visitor.spent_usd += reserved
        self._reserved_today += reserved
        return Ticket(self, visitor_id or "anonymous", reserved)

    def _release(self, ticket: Ticket) -> None:
        with self._lock:
            visitor = self._visitors.get(ticket.visitor_id)
            if visitor:
                visitor.in_flight = max(0, visitor.in_flight - 1)
            self._reserved_today = max(0.0, self._reserved_today - ticket.reserved_usd)
