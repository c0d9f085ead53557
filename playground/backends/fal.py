"""The fal backend: fal's queue through ``fal_client.AsyncClient`` (one per key), paced, cancellable, bounded.

submit → status with logs (at once, then after 0.5 s, growing to 1.25 s while the queue position or logs change
and to 3 s while nothing does; about one request a second at most) → result. A user's stop and the
client-side timeout both send a real ``PUT cancel_url``; if fal had already finished, the paid result is
fetched and kept instead. Losing contact with fal after submitting is not a failure: polling goes on
until the deadline, because the request keeps running (and billing) on fal's side.
"""

from __future__ import annotations

import asyncio
import dataclasses
import mimetypes
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import fal_client
import httpx
from fal_client import AsyncRequestHandle, FalClientHTTPError

from playground.backends.connections import FalConnections
from playground.backends.fal_errors import describe, failed_run_message
from playground.catalog import Endpoint
from playground.config import FalSettings
from playground.errors import RunError
from playground.events import Completed, Event, InProgress, Queued, Submitted
from playground.media import MediaError, decode_data_uri, is_data_uri

FINISHED_BEFORE_CANCEL = "fal finished the run before the cancel arrived; the paid result is kept"


class _Transient(Exception):
    """fal could not be asked right now (network, 5xx, 429 after retries); ask again at the next poll."""


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, FalClientHTTPError):
        return exc.status_code >= 500 or exc.status_code in (408, 409, 429)
    return isinstance(exc, httpx.HTTPError)


def _next_pace(pace: float, changed: bool, settings: FalSettings) -> float:
    """Grow the wait by ``poll_factor``: up to ``poll_active_s`` while things change, ``poll_max_s`` when quiet."""
    ceiling = settings.poll_active_s if changed else settings.poll_max_s
    return min(pace * settings.poll_factor, ceiling)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=max(0.0, seconds))
    except TimeoutError:
        pass


class FalBackend:
    """Runs on fal.ai, billed to ``key`` (the session's own or the server's)."""

    name = "fal"
    paid = True

    def __init__(self, connections: FalConnections, key: str, settings: FalSettings):
        self.connections, self.key, self.settings = connections, key, settings

    # -- inputs --------------------------------------------------------------------------------------
    async def prepare(self, endpoint: Endpoint, arguments: dict[str, Any]) -> dict[str, Any]:
        """Inline files (data URIs) go to fal storage once and are sent as URLs; everything else as is."""
        async def convert(name: str, value: Any) -> Any:
            if not (isinstance(value, str) and is_data_uri(value)):
                return value
            try:
                mime, data = decode_data_uri(value)
            except MediaError as exc:
                raise RunError(f"{name}: {exc}")
            file_name = f"{name}{mimetypes.guess_extension(mime) or '.bin'}"
            try:
                return await self.connections.upload(self.key, data, mime, file_name)
            except Exception as exc:  # any upload failure: nothing was submitted, so nothing is billed
                raise RunError(describe(exc, f"uploading {name} to fal storage")) from exc

        prepared = {}
        for name, value in arguments.items():
            if isinstance(value, list):
                prepared[name] = list(await asyncio.gather(*(convert(name, item) for item in value)))
            else:
                prepared[name] = await convert(name, value)
        return prepared

    # -- a run ---------------------------------------------------------------------------------------
    async def run(self, endpoint: Endpoint, arguments: dict[str, Any], outputs: Path, run_id: str,
                  stop: asyncio.Event) -> AsyncIterator[Event]:
        client = self.connections.client(self.key)
        try:
            handle = await client.submit(endpoint.endpoint_id, arguments)
        except Exception as exc:  # 401/403/422/5xx/network after fal-client's retries: nothing is queued
            raise RunError(describe(exc, "submitting the request")) from exc
        yield Submitted(handle.request_id, {"status_url": handle.status_url, "response_url": handle.response_url,
                                            "cancel_url": handle.cancel_url})
        async for event in self._follow(handle, stop, time.monotonic() + self.settings.timeout_s):
            yield event

    async def resume(self, endpoint_id: str, request_id: str, urls: dict[str, str], submitted_epoch: float,
                     stop: asyncio.Event) -> AsyncIterator[Event]:
        """Follow a request submitted earlier (by a previous process), from the URLs fal gave back then."""
        handle = await self.connections.client(self.key).get_handle(endpoint_id, request_id)
        known = {name: urls[name] for name in ("status_url", "response_url", "cancel_url") if urls.get(name)}
        handle = dataclasses.replace(handle, **known)
        remaining = self.settings.timeout_s - (time.time() - submitted_epoch)
        yield InProgress((f"resuming request {request_id} after a restart",))
        async for event in self._follow(handle, stop, time.monotonic() + max(0.0, remaining)):
            yield event

    async def fetch(self, endpoint_id: str, request_id: str) -> Completed:
        """A finished request's result, fetched again by id (no new run, no new charge)."""
        handle = await self.connections.client(self.key).get_handle(endpoint_id, request_id)
        self.connections.watch_billing(handle.client)
        try:
            status = await self._ask(handle.status(with_logs=False), "looking the request up")
            if not isinstance(status, fal_client.Completed):
                raise RunError(f"request {request_id} has not finished on fal yet ({type(status).__name__})")
            if status.error:
                raise RunError(await self._failure(handle, status))
            result, units = await self._result(handle)
        except _Transient as exc:
            raise RunError(str(exc)) from exc
        return Completed(request_id, result, billed_units=units)

    async def _follow(self, handle: AsyncRequestHandle, stop: asyncio.Event, deadline: float) -> AsyncIterator[Event]:
        self.connections.watch_billing(handle.client)
        pace, seen_logs, position, started = 0.0, 0, None, False
        while True:
            if stop.is_set() or time.monotonic() >= deadline:
                async for event in self._stop(handle, "cancelled" if stop.is_set() else "timed_out"):
                    yield event
                return
            changed = False
            try:
                status = await self._ask(handle.status(with_logs=True), "checking the run's status")
                if isinstance(status, fal_client.Queued):
                    changed = status.position != position
                    position = status.position
                    if changed:
                        yield Queued(status.position)
                else:
                    lines = [str(item.get("message", "")) for item in status.logs or [] if isinstance(item, dict)]
                    new, seen_logs = tuple(lines[seen_logs:]), max(seen_logs, len(lines))
                    if isinstance(status, fal_client.Completed):
                        if status.error:
                            raise RunError(await self._failure(handle, status))
                        result, units = await self._result(handle)
                        yield Completed(handle.request_id, result, billed_units=units, logs=new)
                        return
                    changed = bool(new) or not started
                    started = True
                    if changed:
                        yield InProgress(new)
            except _Transient as exc:
                yield InProgress((f"{exc} Still polling.",))
            pace = _next_pace(pace, changed, self.settings) if pace else self.settings.poll_first_s
            await _sleep_unless(stop, min(pace, deadline - time.monotonic()))

    async def _ask(self, call, during: str) -> Any:
        try:
            return await call
        except Exception as exc:
            if _is_transient(exc):
                raise _Transient(describe(exc, during)) from exc
            raise RunError(describe(exc, during)) from exc

    async def _result(self, handle: AsyncRequestHandle) -> tuple[dict[str, Any], str]:
        result = await self._ask(handle.get(), "fetching the result")
        video = result.get("video") if isinstance(result, dict) else None
        if not isinstance(video, dict) or not video.get("url"):
            raise RunError(f"fal.ai's result has no video URL: {str(result)[:200]}")
        return result, self.connections.billed_units(handle.response_url)

    async def _failure(self, handle: AsyncRequestHandle, status: fal_client.Completed) -> str:
        try:
            await handle.get()
            detail_exc = None
        except Exception as exc:  # the result of a failed run is itself an error response, with details
            detail_exc = exc
        return failed_run_message(status.error, status.error_type, detail_exc)

    async def _stop(self, handle: AsyncRequestHandle, why: str) -> AsyncIterator[Event]:
        """PUT the cancel; keep the result if fal had finished anyway; otherwise end as ``why``."""
        limit = self.settings.cancel_timeout_s
        note = "cancel sent to fal.ai"
        try:
            await asyncio.wait_for(handle.cancel(), limit)
        except FalClientHTTPError as exc:  # e.g. ALREADY_COMPLETED
            note = f"fal.ai answered the cancel with HTTP {exc.status_code}"
        except Exception as exc:
            note = (f"the cancel could not be delivered ({describe(exc, 'cancelling')}); the request may still "
                    "run and be billed")
        try:
            status = await asyncio.wait_for(handle.status(with_logs=False), limit)
            if isinstance(status, fal_client.Completed) and not status.error:
                result, units = await asyncio.wait_for(self._result(handle), limit)
                yield Completed(handle.request_id, result, billed_units=units, logs=(FINISHED_BEFORE_CANCEL,))
                return
        except Exception:  # what matters is already decided: the run did not finish
            pass
        if why == "cancelled":
            raise RunError(f"cancelled by the user; {note} (request {handle.request_id})", status="cancelled")
        raise RunError(f"no result after {self.settings.timeout_s:g} s; {note} (request {handle.request_id})",
                       status="timed_out")
