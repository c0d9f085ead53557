"""The fal backend: fal's queue through ``fal_client.AsyncClient`` (one per key), followed live, cancellable, bounded.

submit → status with logs → result. The status comes from fal's server-sent status stream when it is offered
(one request per run, changes the moment they happen); otherwise, or if the stream breaks off, by polling (at
once, then after 0.5 s, growing to 1.25 s while the queue position or logs change and to 3 s while nothing
does; about one request a second at most — fal-client's own default is ten). A user's stop and the
client-side timeout both send a real ``PUT cancel_url``; if fal had already finished, the paid result is
fetched and kept instead. Losing contact with fal after submitting is not a failure: polling goes on
until the deadline, because the request keeps running (and billing) on fal's side.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import mimetypes
import time
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import fal_client
import httpx
from fal_client import AsyncRequestHandle, FalClientHTTPError
from httpx_sse import SSEError, aconnect_sse

from playground.backends.connections import FalConnections
from playground.backends.fal_errors import describe, failed_run_message
from playground.backends.submit import SubmitUnknown, submit
from playground.catalog import Endpoint
from playground.config import FalSettings
from playground.deadline import Interrupted, remaining, within
from playground.errors import RunError
from playground.events import Completed, Event, InProgress, Queued, Submitted
from playground.media import MediaError, decode_data_uri, is_data_uri
from playground.text import escape_surrogates

FINISHED_BEFORE_CANCEL = "fal finished the run before the cancel arrived; the paid result is kept"
STREAM_IDLE_S = 60.0  # no event or keep-alive for this long: the stream is dead, poll instead
SUBMIT_TIMEOUT_S = 120.0  # fal-client's own default for the submit POST
NO_FALLBACK = {"x-fal-disable-fallbacks": "1", "x-app-fal-disable-fallback": "true"}
START_TIMEOUT_TYPE = "x-fal-request-timeout-type"  # "user": the X-Fal-Request-Timeout we sent ran out


class _Transient(Exception):
    """fal could not be asked right now (network, 5xx, 429 after retries); ask again at the next poll."""


class _NoStream(Exception):
    """fal's status stream is not available (or broke off): poll instead."""

    def __init__(self, message: str, mid_run: bool = False):
        super().__init__(message)
        self.mid_run = mid_run


def _parse_status(data: dict[str, Any]) -> fal_client.Status:
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


async def _next_or_stop(statuses: AsyncIterator[Any], stop: asyncio.Event, deadline: float) -> Any:
    """The next status, or None when ``stop`` is set or the deadline passes first."""
    try:
        return await within(anext(statuses), stop, deadline)
    except Interrupted:
        return None


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, FalClientHTTPError):
        return exc.status_code >= 500 or exc.status_code in (408, 409, 429)
    return isinstance(exc, httpx.HTTPError)


def _next_pace(pace: float, changed: bool, settings: FalSettings) -> float:
    """Grow the wait by ``poll_factor``: up to ``poll_active_s`` while things change, ``poll_max_s`` when quiet."""
    ceiling = settings.poll_active_s if changed else settings.poll_max_s
    return min(pace * settings.poll_factor, ceiling)


class FalBackend:
    """Runs on fal.ai, billed to ``key`` (the session's own or the server's)."""

    name = "fal"
    paid = True

    def __init__(self, connections: FalConnections, key: str, settings: FalSettings):
        self.connections, self.key, self.settings = connections, key, settings

    def submit_headers(self) -> dict[str, str]:
        """fal's per-request headers on every paid submit: never a silent model swap (fal may reroute a failing
        request to an "equivalent" endpoint; both opt-outs fal documents or sends itself), and the platform
        settings the operator chose (a deadline for a runner to start; no copy of inputs and outputs kept)."""
        headers = dict(NO_FALLBACK)
        if self.settings.start_timeout_s:
            headers["X-Fal-Request-Timeout"] = f"{self.settings.start_timeout_s:g}"
        if not self.settings.store_io:
            headers["X-Fal-Store-IO"] = "0"
        return headers

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
                  stop: asyncio.Event, deadline: float) -> AsyncIterator[Event]:
        """Submit (sent again only where fal certainly did not get it), then follow the run to its result."""
        sent_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        http = await self.connections.http(self.key)
        try:
            handle = await submit(http, endpoint.endpoint_id, arguments, self.submit_headers(),
                                  timeout_s=min(SUBMIT_TIMEOUT_S, max(1.0, remaining(deadline))))
        except SubmitUnknown as exc:
            raise RunError(f"the connection to fal.ai broke after the request was sent ({exc}). fal may have "
                           "accepted it and may bill it; it was not sent again, so there is at most one such "
                           f"request: look for a {endpoint.endpoint_id} request at {sent_at} UTC in your fal "
                           "dashboard (Requests).") from exc
        except Exception as exc:  # 401/403/422/5xx, or fal unreachable after the safe retries: nothing is queued
            raise RunError(describe(exc, "submitting the request")) from exc
        yield Submitted(handle.request_id, {"status_url": handle.status_url, "response_url": handle.response_url,
                                            "cancel_url": handle.cancel_url})
        async for event in self._follow(handle, stop, deadline):
            yield event

    async def resume(self, endpoint_id: str, request_id: str, urls: dict[str, str], stop: asyncio.Event,
                     deadline: float) -> AsyncIterator[Event]:
        """Follow a request submitted earlier (by a previous process), from the URLs fal gave back then."""
        handle = await self.connections.client(self.key).get_handle(endpoint_id, request_id)
        known = {name: urls[name] for name in ("status_url", "response_url", "cancel_url") if urls.get(name)}
        handle = dataclasses.replace(handle, **known)
        yield InProgress((f"resuming request {request_id} after a restart",))
        async for event in self._follow(handle, stop, deadline):
            yield event

    async def fetch(self, endpoint_id: str, request_id: str) -> Completed:
        """A finished request's result, fetched again by id (no new run, no new charge), within the run timeout."""
        handle = await self.connections.client(self.key).get_handle(endpoint_id, request_id)
        self.connections.watch_billing(handle.client)
        try:
            return await within(self._fetch(handle), asyncio.Event(), time.monotonic() + self.settings.timeout_s)
        except Interrupted:
            raise RunError(f"fal.ai did not answer within {self.settings.timeout_s:g} s while fetching request "
                           f"{request_id}; try again later", status="timed_out") from None

    async def _fetch(self, handle: AsyncRequestHandle) -> Completed:
        try:
            status = await self._ask(handle.status(with_logs=False), "looking the request up")
            if not isinstance(status, fal_client.Completed):
                raise RunError(f"request {handle.request_id} has not finished on fal yet ({type(status).__name__})")
            if status.error:
                raise RunError(await self._failure(handle, status))
            result, units, served = await self._result(handle)
        except _Transient as exc:
            raise RunError(str(exc)) from exc
        return Completed(handle.request_id, result, billed_units=units, served_from=served)

    async def _follow(self, handle: AsyncRequestHandle, stop: asyncio.Event, deadline: float) -> AsyncIterator[Event]:
        """The run's queue events, racing fal's status against a stop and the deadline."""
        self.connections.watch_billing(handle.client)
        seen_logs, position, started = 0, None, False
        statuses = self._statuses(handle)
        try:
            while True:
                status = await _next_or_stop(statuses, stop, deadline)
                if status is None:
                    async for event in self._stop(handle, "cancelled" if stop.is_set() else "timed_out"):
                        yield event
                    return
                if isinstance(status, _Transient):
                    yield InProgress((f"{status} Still following the run.",))
                elif isinstance(status, fal_client.Queued):
                    if status.position != position:
                        position = status.position
                        yield Queued(status.position)
                else:
                    lines = [escape_surrogates(str(item.get("message", ""))) for item in status.logs or []
                             if isinstance(item, dict)]
                    new, seen_logs = tuple(lines[seen_logs:]), max(seen_logs, len(lines))
                    if isinstance(status, fal_client.Completed):
                        if status.error:
                            raise RunError(await self._failure(handle, status))
                        async for event in self._finish(handle, stop, deadline, new):
                            yield event
                        return
                    if new or not started:
                        started = True
                        yield InProgress(new)
        finally:
            await statuses.aclose()

    async def _finish(self, handle: AsyncRequestHandle, stop: asyncio.Event, deadline: float,
                      logs: tuple[str, ...]) -> AsyncIterator[Event]:
        """Fetch the finished run's result, retrying while fal cannot be reached (it is paid for), never past the
        deadline or a cancel: a result GET that hangs or trickles is given up, and the row says how to get it.

        The run ends ``failed`` when fal kept answering with errors, ``timed_out`` when it never answered in
        time, ``cancelled`` when the person stopped waiting."""
        problem = ""
        while True:
            try:
                result, units, served = await within(self._result(handle), stop, deadline)
                yield Completed(handle.request_id, result, billed_units=units, logs=logs, served_from=served)
                return
            except _Transient as exc:
                problem = str(exc)
                yield InProgress((f"{exc} Retrying.",))
            except Interrupted as exc:
                raise self._unfetched(handle, exc.reason, problem) from None
            try:
                await within(asyncio.sleep(self.settings.poll_max_s), stop, deadline)
            except Interrupted as exc:
                raise self._unfetched(handle, exc.reason, problem) from None

    def _unfetched(self, handle: AsyncRequestHandle, reason: str, problem: str) -> RunError:
        why = ("you cancelled before it arrived" if reason == "cancelled" else
               f"fal kept failing until PLAYGROUND_FAL_TIMEOUT_S ({self.settings.timeout_s:g} s) ran out: "
               f"{problem.rstrip('.')}" if problem else
               f"it did not arrive within PLAYGROUND_FAL_TIMEOUT_S ({self.settings.timeout_s:g} s)")
        status = "cancelled" if reason == "cancelled" else "failed" if problem else "timed_out"
        return RunError(f"fal.ai finished the run (it is billed) but its result was not fetched: {why}. "
                        f"Request {handle.request_id}: fetch it again from History.", status=status)

    async def _statuses(self, handle: AsyncRequestHandle) -> AsyncIterator[Any]:
        """fal's status as it changes: from its status stream when offered, else by paced polling.

        Yields fal_client Queued / InProgress / Completed, or a _Transient when fal could not be asked.
        """
        if self.settings.stream_status:
            try:
                async with contextlib.aclosing(self._stream(handle)) as stream:
                    async for status in stream:
                        yield status
                        if isinstance(status, fal_client.Completed):
                            return
            except _NoStream as exc:
                if exc.mid_run:
                    yield _Transient(f"fal's status stream broke off ({exc}); polling instead.")
        async with contextlib.aclosing(self._poll(handle)) as polls:
            async for status in polls:
                yield status

    async def _stream(self, handle: AsyncRequestHandle) -> AsyncIterator[Any]:
        """GET ``{status_url}/stream`` (server-sent events; fal closes it after COMPLETED). Statuses come out with
        every log line so far, as polling gives them, so the two can take over from each other."""
        url, got_any, logs = handle.status_url.rstrip("/") + "/stream", False, []
        timeout = httpx.Timeout(30.0, read=STREAM_IDLE_S)  # fal sends a keep-alive comment every 15 s
        try:
            client = self.connections.stream_client(self.key)
            async with aconnect_sse(client, "GET", url, params={"logs": 1}, timeout=timeout) as source:
                if source.response.status_code != 200:
                    raise _NoStream(f"HTTP {source.response.status_code}")
                async for event in source.aiter_sse():
                    if not event.data:  # ": ping" comments while the run is quiet
                        continue
                    data = json.loads(event.data)
                    logs += data.get("logs") or []  # each event brings only its new lines; polling gives them all
                    status = _parse_status({**data, "logs": list(logs)})
                    got_any = True
                    yield status
                    if isinstance(status, fal_client.Completed):
                        return
        except (httpx.HTTPError, SSEError, ValueError, KeyError, TypeError) as exc:
            raise _NoStream(f"{exc.__class__.__name__}: {str(exc)[:80]}", got_any) from exc
        raise _NoStream("it ended before the run finished", got_any)

    async def _poll(self, handle: AsyncRequestHandle) -> AsyncIterator[Any]:
        """GET ``status_url`` at once, then after 0.5 s, the wait growing while nothing changes."""
        pace, last = 0.0, None
        while True:
            try:
                status = await self._ask(handle.status(with_logs=True), "checking the run's status")
            except _Transient as exc:
                status = exc
            yield status
            if isinstance(status, fal_client.Completed):
                return
            signature = (type(status).__name__, getattr(status, "position", None), len(getattr(status, "logs", None) or []))
            pace = _next_pace(pace, signature != last, self.settings) if pace else self.settings.poll_first_s
            last = signature
            await asyncio.sleep(pace)

    async def _ask(self, call, during: str) -> Any:
        try:
            return await call
        except FalClientHTTPError as exc:
            if exc.status_code == 504 and {k.lower(): v for k, v in exc.response_headers.items()}.get(
                    START_TIMEOUT_TYPE) == "user":
                raise RunError(f"no runner started within PLAYGROUND_FAL_START_TIMEOUT_S "
                               f"({self.settings.start_timeout_s:g} s): fal stopped waiting (HTTP 504) and does not "
                               "bill it", status="timed_out") from exc
            if exc.status_code == 499:
                raise RunError(f"fal.ai says the request was cancelled (HTTP 499) while {during}",
                               status="cancelled") from exc
            if _is_transient(exc):
                raise _Transient(describe(exc, during)) from exc
            raise RunError(describe(exc, during)) from exc
        except Exception as exc:
            if _is_transient(exc):
                raise _Transient(describe(exc, during)) from exc
            raise RunError(describe(exc, during)) from exc

    async def _result(self, handle: AsyncRequestHandle) -> tuple[dict[str, Any], str, str]:
        """(the model output, billed units, the endpoint that served it if fal says) of a finished request."""
        result = await self._ask(handle.get(), "fetching the result")
        video = result.get("video") if isinstance(result, dict) else None
        if not isinstance(video, dict) or not video.get("url"):
            raise RunError(f"fal.ai's result has no video URL: {str(result)[:200]}")
        units, served_from = self.connections.answered(handle.response_url)
        return result, units, served_from

    async def _failure(self, handle: AsyncRequestHandle, status: fal_client.Completed) -> str:
        try:
            await handle.get()
            detail_exc = None
        except Exception as exc:  # the result of a failed run is itself an error response, with details
            detail_exc = exc
        return failed_run_message(status.error, status.error_type, detail_exc)

    async def _stop(self, handle: AsyncRequestHandle, why: str) -> AsyncIterator[Event]:
        """PUT the cancel; keep the result if fal had finished anyway; otherwise end as ``why``.

        All of it (cancel, status, result) shares one budget of ``cancel_timeout_s``, so a fal that hangs here
        cannot hold the run past its deadline by more than that.
        """
        budget, no_stop = time.monotonic() + self.settings.cancel_timeout_s, asyncio.Event()
        note = "cancel sent to fal.ai"
        try:
            await within(handle.cancel(), no_stop, budget)
        except Interrupted:
            note = (f"the cancel got no answer within {self.settings.cancel_timeout_s:g} s; the request may still "
                    "run and be billed")
        except FalClientHTTPError as exc:  # e.g. ALREADY_COMPLETED
            note = f"fal.ai answered the cancel with HTTP {exc.status_code}"
        except Exception as exc:
            note = (f"the cancel could not be delivered ({describe(exc, 'cancelling')}); the request may still "
                    "run and be billed")
        try:
            status = await within(handle.status(with_logs=False), no_stop, budget)
            if isinstance(status, fal_client.Completed) and not status.error:
                result, units, served = await within(self._result(handle), no_stop, budget)
                yield Completed(handle.request_id, result, billed_units=units, logs=(FINISHED_BEFORE_CANCEL,),
                                served_from=served)
                return
        except Exception:  # what matters is already decided: the run did not finish
            pass
        if why == "cancelled":
            raise RunError(f"cancelled by the user; {note} (request {handle.request_id})", status="cancelled")
        raise RunError(f"no result after {self.settings.timeout_s:g} s; {note} (request {handle.request_id})",
                       status="timed_out")
