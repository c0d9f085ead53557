"""The fal backend: fal's queue through ``fal_client.AsyncClient`` (one per key), followed live, cancellable,
and never waited on past the run's deadline.

submit → status with logs (``fal_status``: fal's status stream, else paced polling) → result. A user's stop and
the client-side timeout both send a real ``PUT cancel_url``; if fal had already finished, the paid result is
fetched and kept instead. Losing contact with fal after submitting is not a failure: asking goes on until the
deadline, because the request keeps running (and billing) on fal's side.
"""

from __future__ import annotations

import asyncio
import dataclasses
import mimetypes
import time
from collections.abc import AsyncGenerator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import fal_client
from fal_client import AsyncRequestHandle, FalClientHTTPError

from playground.backends import BackendForKey, BackendKind
from playground.backends.connections import FalConnections
from playground.backends.fal_errors import describe, failed_run_message
from playground.backends.fal_status import FalStatus, StatusWatch, Transient
from playground.backends.submit import SubmitUnknown, submit
from playground.catalog import Endpoint
from playground.config import FalSettings
from playground.deadline import Interrupted, remaining, within
from playground.errors import MAY_HAVE_RUN, RunError
from playground.events import Completed, Event, InProgress, Queued, Submitted
from playground.media import MediaError, decode_data_uri, is_data_uri
from playground.record import Status
from playground.text import escape_surrogates

FINISHED_BEFORE_CANCEL = "fal finished the run before the cancel arrived; the paid result is kept"
SUBMIT_TIMEOUT_S = 120.0  # fal-client's own default for the submit POST
NO_FALLBACK = {"x-fal-disable-fallbacks": "1", "x-app-fal-disable-fallback": "true"}


async def _next_or_stop(statuses: AsyncGenerator[FalStatus | Transient, None], stop: asyncio.Event,
                        deadline: float) -> FalStatus | Transient | None:
    """The next status, or None when ``stop`` is set or the deadline passes first."""
    try:
        return await within(anext(statuses), stop, deadline)
    except Interrupted:
        return None


def build(settings: FalSettings, kind: BackendKind) -> BackendForKey:
    """One app's fal backends: one per key, all sharing the app's connections (clients, uploads, billing seen);
    ``kind``: what fal declares (``fal_kind.KIND``), which names them."""
    connections = FalConnections()
    return lambda key: FalBackend(connections, key, settings, kind)


class FalBackend:
    """Runs on fal.ai, billed to ``key`` (the session's own or the server's)."""

    def __init__(self, connections: FalConnections, key: str, settings: FalSettings, kind: BackendKind):
        self.name, self.paid = kind.name, kind.paid
        self.connections, self.key, self.settings = connections, key, settings
        self.status = StatusWatch(lambda: connections.stream_client(key), settings)

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
                raise RunError(f"{name}: {exc}") from None
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
    async def run(self, *, endpoint: Endpoint, arguments: dict[str, Any], outputs: Path, run_id: str,
                  stop: asyncio.Event, deadline: float) -> AsyncGenerator[Event, None]:
        """Submit (sent again only where fal certainly did not get it), then follow the run to its result (fal
        answers with the video's URL: ``outputs`` and ``run_id`` are for backends that make it here)."""
        sent_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        http = await self.connections.http(self.key)
        try:
            handle = await submit(http, endpoint.endpoint_id, arguments, self.submit_headers(),
                                  timeout_s=min(SUBMIT_TIMEOUT_S, max(1.0, remaining(deadline))))
        except SubmitUnknown as exc:
            raise RunError(f"the connection to fal.ai broke after the request was sent ({exc}). {MAY_HAVE_RUN}; "
                           "it was not sent again, so there is at most one such "
                           f"request: look for a {endpoint.endpoint_id} request at {sent_at} UTC in your fal "
                           "dashboard (Requests).") from exc
        except Exception as exc:  # 401/403/422/5xx, or fal unreachable after the safe retries: nothing is queued
            raise RunError(describe(exc, "submitting the request")) from exc
        yield Submitted(handle.request_id, {"status_url": handle.status_url, "response_url": handle.response_url,
                                            "cancel_url": handle.cancel_url})
        async for event in self._follow(handle, stop, deadline):
            yield event

    async def resume(self, *, endpoint_id: str, request_id: str, urls: dict[str, str], stop: asyncio.Event,
                     deadline: float) -> AsyncGenerator[Event, None]:
        """Follow a request submitted earlier (by a previous process), from the URLs fal gave back then."""
        handle = await self.connections.client(self.key).get_handle(endpoint_id, request_id)
        handle = dataclasses.replace(handle, status_url=urls.get("status_url") or handle.status_url,
                                     response_url=urls.get("response_url") or handle.response_url,
                                     cancel_url=urls.get("cancel_url") or handle.cancel_url)
        yield InProgress((f"resuming request {request_id} after a restart",))
        async for event in self._follow(handle, stop, deadline):
            yield event

    async def fetch(self, *, endpoint_id: str, request_id: str) -> Completed:
        """A finished request's result, fetched again by id (no new run, no new charge), within the run timeout."""
        handle = await self.connections.client(self.key).get_handle(endpoint_id, request_id)
        self.connections.watch_billing(handle.client)
        try:
            return await within(self._fetch(handle), asyncio.Event(), time.monotonic() + self.settings.timeout_s)
        except Interrupted:
            raise RunError(f"fal.ai did not answer within {self.settings.timeout_s:g} s while fetching request "
                           f"{request_id}; try again later", status=Status.TIMED_OUT) from None

    async def _fetch(self, handle: AsyncRequestHandle) -> Completed:
        try:
            status = await self.status.ask(handle.status(with_logs=False), "looking the request up")
            if not isinstance(status, fal_client.Completed):
                raise RunError(f"request {handle.request_id} has not finished on fal yet ({type(status).__name__})")
            if status.error:
                raise RunError(await self._failure(handle, status))
            result, units, served = await self._result(handle)
        except Transient as exc:
            raise RunError(str(exc)) from exc
        return Completed(handle.request_id, result, billed_units=units, served_from=served)

    async def _follow(self, handle: AsyncRequestHandle, stop: asyncio.Event,
                      deadline: float) -> AsyncGenerator[Event, None]:
        """The run's queue events, racing fal's status against a stop and the deadline."""
        self.connections.watch_billing(handle.client)
        seen_logs, position, started = 0, None, False
        statuses = self.status.statuses(handle)
        try:
            while True:
                status = await _next_or_stop(statuses, stop, deadline)
                if status is None:
                    async for event in self._stop(handle, Status.CANCELLED if stop.is_set() else Status.TIMED_OUT):
                        yield event
                    return
                if isinstance(status, Transient):
                    yield InProgress((f"{status} Still following the run.",))
                elif isinstance(status, fal_client.Queued):
                    if status.position != position:
                        position = status.position
                        yield Queued(status.position)
                elif isinstance(status, fal_client.InProgress | fal_client.Completed):
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
                      logs: tuple[str, ...]) -> AsyncGenerator[Event, None]:
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
            except Transient as exc:
                problem = str(exc)
                yield InProgress((f"{exc} Retrying.",))
            except Interrupted as exc:
                raise self._unfetched(handle, exc.reason, problem) from None
            try:
                await within(asyncio.sleep(self.settings.poll_max_s), stop, deadline)
            except Interrupted as exc:
                raise self._unfetched(handle, exc.reason, problem) from None

    def _unfetched(self, handle: AsyncRequestHandle, reason: Status, problem: str) -> RunError:
        why = ("you cancelled before it arrived" if reason == Status.CANCELLED else
               f"fal kept failing until PLAYGROUND_FAL_TIMEOUT_S ({self.settings.timeout_s:g} s) ran out: "
               f"{problem.rstrip('.')}" if problem else
               f"it did not arrive within PLAYGROUND_FAL_TIMEOUT_S ({self.settings.timeout_s:g} s)")
        status = Status.CANCELLED if reason == Status.CANCELLED else Status.FAILED if problem else Status.TIMED_OUT
        return RunError(f"fal.ai finished the run (it is billed) but its result was not fetched: {why}. "
                        f"Request {handle.request_id}: fetch it again from History.", status=status)

    async def _result(self, handle: AsyncRequestHandle) -> tuple[dict[str, Any], str, str]:
        """(the model output, billed units, the endpoint that served it if fal says) of a finished request."""
        result = await self.status.ask(handle.get(), "fetching the result")
        video = result.get("video") if isinstance(result, dict) else None
        answered = isinstance(result, dict) and isinstance(result.get("output"), str)  # a judge's answer is text
        if not answered and (not isinstance(video, dict) or not video.get("url")):
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

    async def _stop(self, handle: AsyncRequestHandle, why: Status) -> AsyncGenerator[Event, None]:
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
        if why == Status.CANCELLED:
            raise RunError(f"cancelled by the user; {note} (request {handle.request_id})", status=Status.CANCELLED)
        raise RunError(f"no result after {self.settings.timeout_s:g} s; {note} (request {handle.request_id})",
                       status=Status.TIMED_OUT)
