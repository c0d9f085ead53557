"""Backends turn a validated request into queue events and a result, the way fal's queue does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol

from playground.catalog import Endpoint
from playground.events import Event


class Backend(Protocol):
    """What the runner needs from a backend: a name for the log, whether runs cost money, and an event stream."""

    name: str
    paid: bool  # paid runs are journaled before waiting, so a restart can still collect them

    async def prepare(self, endpoint: Endpoint, arguments: dict[str, Any]) -> dict[str, Any]:
        """The arguments exactly as they will be sent (e.g. inline files replaced by uploaded URLs)."""
        ...

    def run(self, endpoint: Endpoint, arguments: dict[str, Any], outputs: Path, run_id: str,
            stop: asyncio.Event, deadline: float) -> AsyncIterator[Event]:
        """Submit, report queue/progress events, and end with Completed (or raise RunError).

        Setting ``stop`` asks the backend to cancel; it then raises RunError with status "cancelled"
        (or still ends with Completed when the result arrived first). Past ``deadline`` (a
        ``time.monotonic()`` value) it gives up the same way, with status "timed_out".
        """
        ...
