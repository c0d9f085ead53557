"""Waiting on something remote without ever waiting past a run's deadline or a person's cancel.

Every remote step of a run (a status, the result, the video) goes through ``within``: whatever the
remote end does — hang, trickle one byte at a time, drop the connection — the step ends when the run's
``stop`` is set or its deadline (a ``time.monotonic()`` value) passes, and the run's slot is given back.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import TypeVar

from playground.record import Status

T = TypeVar("T")


class Interrupted(Exception):
    """The wait ended early: the person cancelled, or the run's deadline passed."""

    def __init__(self, reason: Status):
        super().__init__(reason)
        self.reason = reason  # Status.CANCELLED or Status.TIMED_OUT


def remaining(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


async def within(awaitable: Awaitable[T], stop: asyncio.Event, deadline: float) -> T:
    """The awaitable's result, unless ``stop`` is set or ``deadline`` passes first (then it is cancelled)."""
    work = asyncio.ensure_future(awaitable)
    if stop.is_set() or remaining(deadline) == 0:
        work.cancel()
        await asyncio.gather(work, return_exceptions=True)
        raise Interrupted(Status.CANCELLED if stop.is_set() else Status.TIMED_OUT)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        done, _ = await asyncio.wait({work, stopped}, timeout=remaining(deadline), return_when=asyncio.FIRST_COMPLETED)
    except BaseException:  # the waiter itself was cancelled (the app stopping): take the work down with it, and
        work.cancel()  # let it end first, so whoever owns what it awaits (a status generator) can close that
        await asyncio.gather(work, return_exceptions=True)
        raise
    finally:
        stopped.cancel()
    if work in done:
        return work.result()
    work.cancel()
    await asyncio.gather(work, return_exceptions=True)
    raise Interrupted(Status.CANCELLED if stop.is_set() else Status.TIMED_OUT)
