"""Backends turn a validated request into queue events and a result, the way fal's queue does.

``Backend`` is everything the runner, restart recovery and History's fetch-again ask of one; ``BackendKind`` is
what a kind of backend declares to the rest of the app (is it paid, does it need a key, can its results be
fetched again, are its clips a model's…), which decides everything outside this package instead of its name.
The kinds an app knows are listed in ``registry.py``: ``fal`` (fal.ai, paid) and ``offline`` (a labelled
synthetic clip, free). A new backend is a module with its class and its kind, and one line there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from playground.catalog import Endpoint
from playground.config import FalSettings
from playground.events import Completed, Event


class Backend(Protocol):
    """A name for the log, whether runs cost money, and the queue's four operations (called with keywords)."""

    name: str
    paid: bool  # paid runs are journaled before their submit, so a restart can still collect them

    async def prepare(self, endpoint: Endpoint, arguments: dict[str, Any]) -> dict[str, Any]:
        """The arguments exactly as they will be sent (e.g. inline files replaced by uploaded URLs)."""
        ...

    def run(self, *, endpoint: Endpoint, arguments: dict[str, Any], outputs: Path, run_id: str,
            stop: asyncio.Event, deadline: float) -> AsyncGenerator[Event, None]:
        """Submit, report queue/progress events, and end with Completed (or raise RunError).

        ``outputs`` is the folder a backend that makes its video here writes it to (``<run_id>.mp4``); one that
        answers with a URL leaves it alone. Setting ``stop`` asks the backend to cancel; it then raises RunError
        with status "cancelled" (or still ends with Completed when the result arrived first). Past ``deadline``
        (a ``time.monotonic()`` value) it gives up the same way, with status "timed_out", if it can wait that long.
        """
        ...

    def resume(self, *, endpoint_id: str, request_id: str, urls: dict[str, str], stop: asyncio.Event,
               deadline: float) -> AsyncGenerator[Event, None]:
        """Follow a request a previous process submitted (``urls``: what ``Submitted.resume`` held), as ``run``."""
        ...

    async def fetch(self, *, endpoint_id: str, request_id: str) -> Completed:
        """A finished request's result again, by its id (no new run, no new charge); RunError if there is none."""
        ...


BackendForKey = Callable[[str], Backend]  # a key → the backend that runs on it ("" for a kind that needs none)
Build = Callable[[FalSettings], BackendForKey]  # called once per app, so what its runs share is made once


@dataclass(frozen=True)
class BackendKind:
    """What a kind of backend declares: the app decides from these, never from its name."""

    name: str  # the results log's `backend` column, PLAYGROUND_BACKEND's value and the filters' choice
    title: str  # what people call it: "fal.ai", "offline preview"
    label: str  # beside a run's result: "fal.ai (billed)"
    about: str  # what its clips are, when runs go to it without a key ("" when it needs one)
    paid: bool  # runs cost money: journaled before their submit, billed to a key, capped in public mode
    needs_key: bool  # built for the visitor's (or the server's) key; without one, runs go elsewhere or nowhere
    can_cancel: bool  # Cancel reaches the service that runs it (else the work simply stops on this server)
    can_refetch: bool  # a finished run's result can be fetched again by its request id
    model_output: bool  # its clips are a model's output (else stand-ins: votes on them judge no model)
    build: Build
    can_judge: bool = False  # it can send clips to a vision model that judges them (fal's judge endpoints)
