"""Backends turn a validated request into queue events and a result, the way fal's queue does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol

from playground.catalog import Endpoint
from playground.events import Event


class Backend(Protocol):
    """What the runner needs from a backend: a name for the log and an event stream per request."""

    name: str

    def run(self, endpoint: Endpoint, arguments: dict[str, Any], outputs: Path, run_id: str) -> AsyncIterator[Event]:
        """Submit, report queue/progress events, and end with Completed (or raise RunError)."""
        ...
