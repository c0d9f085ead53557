"""Backends turn a validated request into queue events and a result, the way fal's queue does.

``Backend`` is everything the runner, restart recovery and History's fetch-again ask of one: two are here,
``FalBackend`` (fal.ai, paid) and ``OfflineBackend`` (a labelled synthetic clip, free). A new backend is a
class with these members; the launcher decides which one a run uses.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any, Protocol

from playground.catalog import Endpoint
from playground.events import Completed, Event


class Backend(Protocol):
    """A name for the log, whether runs cost money, and the queue's four operations."""

    name: str
    paid: bool  # paid runs are journaled before their submit, so a restart can still collect them

    async def prepare(self, endpoint: Endpoint, arguments: dict[str, Any]) -> dict[str, Any]:
        """The arguments exactly as they will be sent (e.g. inline files replaced by uploaded URLs)."""
        ...

    def run(self, endpoint: Endpoint, arguments: dict[str, Any], outputs: Path, run_id: str,
            stop: asyncio.Event, deadline: float) -> AsyncGenerator[Event, None]:
        """Submit, report queue/progress events, and end with Completed (or raise RunError).

        Setting ``stop`` asks the backend to cancel; it then raises RunError with status "cancelled"
        (or still ends with Completed when the result arrived first). Past ``deadline`` (a
        ``time.monotonic()`` value) it gives up the same way, with status "timed_out".
        """
        ...

    def resume(self, endpoint_id: str, request_id: str, urls: dict[str, str], stop: asyncio.Event,
               deadline: float) -> AsyncGenerator[Event, None]:
        """Follow a request a previous process submitted (``urls``: what ``Submitted.resume`` held), as ``run``."""
        ...

    async def fetch(self, endpoint_id: str, request_id: str) -> Completed:
        """A finished request's result again, by its id (no new run, no new charge); RunError if there is none."""
        ...
