"""Asking fal about a request, and following its status as it changes.

The status comes from fal's server-sent status stream when it is offered (one request per run, changes the
moment they happen); otherwise, or if the stream breaks off, by polling (at once, then after 0.5 s, growing to
1.25 s while the queue position or logs change and to 3 s while nothing does; about one request a second at
most — fal-client's own default is ten). A question fal could not answer right now is a ``Transient``, not a
failure: the request keeps running (and billing) on fal's side, so it is asked again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, TypeVar

import fal_client
import httpx
from fal_client import AsyncRequestHandle, FalClientHTTPError
from httpx_sse import SSEError, aconnect_sse

from playground.backends.fal_errors import describe
from playground.config import FalSettings
from playground.errors import RunError
from playground.record import Status

T = TypeVar("T")
STREAM_IDLE_S = 60.0  # no event or keep-alive for this long: the stream is dead, poll instead
START_TIMEOUT_TYPE = "x-fal-request-timeout-type"  # "user": the X-Fal-Request-Timeout we sent ran out
FalStatus = fal_client.Status  # Queued, InProgress or Completed


class Transient(Exception):
    """fal could not be asked right now (network, 5xx, 429 after retries); ask again at the next poll."""


class _NoStream(Exception):
    """fal's status stream is not available (or broke off): poll instead."""

    def __init__(self, message: str, mid_run: bool = False):
        super().__init__(message)
        self.mid_run = mid_run


def parse_status(data: dict[str, Any]) -> FalStatus:
    """A status object from fal's JSON, as fal-client reads it (the stream carries the same objects)."""
    kind = data["status"]
    if kind == "IN_QUEUE":
        return fal_client.Queued(position=data.get("queue_position") or 0)
    if kind == "IN_PROGRESS":
        return fal_client.InProgress(logs=data.get("logs"))
    if kind == "COMPLETED":
        return fal_client.Completed(logs=data.get("logs"), metrics=data.get("metrics") or {}, error=data.get("error"),
                                    error_type=data.get("error_type"))
    raise ValueError(f"unknown status {kind!r}")


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, FalClientHTTPError):
        return exc.status_code >= 500 or exc.status_code in (408, 409, 429)
    return isinstance(exc, httpx.HTTPError)


def next_pace(pace: float, changed: bool, settings: FalSettings) -> float:
    """Grow the wait by ``poll_factor``: up to ``poll_active_s`` while things change, ``poll_max_s`` when quiet."""
    ceiling = settings.poll_active_s if changed else settings.poll_max_s
    return min(pace * settings.poll_factor, ceiling)


class StatusWatch:
    """Questions to fal about requests made with one key: each answer, a Transient, or a RunError that ends the run."""

    def __init__(self, stream_client: Callable[[], httpx.AsyncClient], settings: FalSettings):
        self.stream_client, self.settings = stream_client, settings  # the client for status streams, in this loop

    async def ask(self, call: Awaitable[T], during: str) -> T:
        try:
            return await call
        except FalClientHTTPError as exc:
            if exc.status_code == 504 and {k.lower(): v for k, v in exc.response_headers.items()}.get(
                    START_TIMEOUT_TYPE) == "user":
                raise RunError(f"no runner started within PLAYGROUND_FAL_START_TIMEOUT_S "
                               f"({self.settings.start_timeout_s:g} s): fal stopped waiting (HTTP 504) and does not "
                               "bill it", status=Status.TIMED_OUT) from exc
            if exc.status_code == 499:
                raise RunError(f"fal.ai says the request was cancelled (HTTP 499) while {during}",
                               status=Status.CANCELLED) from exc
            if is_transient(exc):
                raise Transient(describe(exc, during)) from exc
            raise RunError(describe(exc, during)) from exc
        except Exception as exc:
            if is_transient(exc):
                raise Transient(describe(exc, during)) from exc
            raise RunError(describe(exc, during)) from exc

    async def statuses(self, handle: AsyncRequestHandle) -> AsyncGenerator[FalStatus | Transient, None]:
        """fal's status as it changes, until COMPLETED: from its status stream when offered, else by paced polling."""
        if self.settings.stream_status:
            try:
                async with contextlib.aclosing(self._stream(handle)) as stream:
                    async for status in stream:
                        yield status
                        if isinstance(status, fal_client.Completed):
                            return
            except _NoStream as exc:
                if exc.mid_run:
                    yield Transient(f"fal's status stream broke off ({exc}); polling instead.")
        async with contextlib.aclosing(self._poll(handle)) as polls:
            async for polled in polls:
                yield polled

    async def _stream(self, handle: AsyncRequestHandle) -> AsyncGenerator[FalStatus, None]:
        """GET ``{status_url}/stream`` (server-sent events; fal closes it after COMPLETED). Statuses come out with
        every log line so far, as polling gives them, so the two can take over from each other."""
        url, got_any = handle.status_url.rstrip("/") + "/stream", False
        logs: list[dict[str, Any]] = []
        timeout = httpx.Timeout(30.0, read=STREAM_IDLE_S)  # fal sends a keep-alive comment every 15 s
        try:
            async with aconnect_sse(self.stream_client(), "GET", url, params={"logs": 1}, timeout=timeout) as source:
                if source.response.status_code != 200:
                    raise _NoStream(f"HTTP {source.response.status_code}")
                async for event in source.aiter_sse():
                    if not event.data:  # ": ping" comments while the run is quiet
                        continue
                    data = json.loads(event.data)
                    logs += data.get("logs") or []  # each event brings only its new lines; polling gives them all
                    status = parse_status({**data, "logs": list(logs)})
                    got_any = True
                    yield status
                    if isinstance(status, fal_client.Completed):
                        return
        except (httpx.HTTPError, SSEError, ValueError, KeyError, TypeError) as exc:
            raise _NoStream(f"{exc.__class__.__name__}: {str(exc)[:80]}", got_any) from exc
        raise _NoStream("it ended before the run finished", got_any)

    async def _poll(self, handle: AsyncRequestHandle) -> AsyncGenerator[FalStatus | Transient, None]:
        """GET ``status_url`` at once, then after 0.5 s, the wait growing while nothing changes."""
        pace, last = 0.0, None
        while True:
            status: FalStatus | Transient
            try:
                status = await self.ask(handle.status(with_logs=True), "checking the run's status")
            except Transient as exc:
                status = exc
            yield status
            if isinstance(status, fal_client.Completed):
                return
            signature = (type(status).__name__, getattr(status, "position", None), len(getattr(status, "logs", None) or []))
            pace = next_pace(pace, signature != last, self.settings) if pace else self.settings.poll_first_s
            last = signature
            await asyncio.sleep(pace)
