"""Driving a run to its one row in the results log, whoever is (or stops) watching.

Each run is an asyncio task of its own. Whoever started it only *watches* (an async iterator of events);
if the watcher goes away — Cancel pressed, browser closed — the run is asked to stop (a real cancel on
fal) and still ends as exactly one row. Paid runs are written to the in-flight journal before their submit
leaves and again once fal's request id is known, and leave it only once their row is on disk; if the process
dies in between, ``playground.recovery`` finishes them on the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import traceback
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from playground.backends import Backend
from playground.catalog import Endpoint
from playground.config import FalSettings
from playground.deadline import Interrupted, within
from playground.errors import PlaygroundError, RunError, disk_problem, is_disk_problem
from playground.events import Completed, Event, InProgress, Submitted
from playground.inputs import Inputs
from playground.journal import Journal
from playground.keys import redact
from playground.outputs import Outputs
from playground.record import RunRecord, Status, now_iso
from playground.results import ResultsLog
from playground.text import escape_surrogates

log = logging.getLogger(__name__)
Emit = Callable[[Any], None]  # hands an event, the finished RunRecord or its RunError to whoever watches


@dataclass
class Flight:
    """A run between start and its row: the record filling in, who pays, timing, and how to stop it."""

    record: RunRecord
    secrets: tuple[str | None, ...] = ()  # scrubbed from every message; never written anywhere
    key_fingerprint: str = ""
    expected: dict[str, Any] = field(default_factory=dict)  # output size/fps/frames the request implies
    started: float = field(default_factory=time.monotonic)
    running_since: float | None = None
    on_finish: Callable[[], None] | None = None  # e.g. give a public-mode run slot back
    stop: asyncio.Event = field(default_factory=asyncio.Event)  # set: the person cancelled (or stopped watching)
    deadline: float = float("inf")  # time.monotonic() by which the whole run, download included, ends
    submitted_epoch: float = 0.0  # wall-clock time the submit was sent (journal; timeouts after a restart)

    def journal_entry(self, event: Submitted | None = None) -> dict[str, Any]:
        """The journal's record of this run: before the submit is sent (no request id yet), then with fal's ids."""
        return {"run_id": self.record.run_id, "created_at": self.record.created_at,
                "submitted_epoch": self.submitted_epoch, "request_id": event.request_id if event else "",
                "resume": event.resume if event else {}, "key_fingerprint": self.key_fingerprint,
                "expected": self.expected, "row": self.record.to_row()}

    def fail(self, status: Status, message: str) -> None:
        self.record.status, self.record.error = status, escape_surrogates(redact(message, self.secrets))


class Watch:
    """A started run seen from outside: its events, a way to stop it, and how it ended."""

    def __init__(self, queue: asyncio.Queue[Any], stop: asyncio.Event, task: asyncio.Task[RunRecord]):
        self._queue, self._stop, self._task = queue, stop, task

    def cancel(self) -> None:
        """Ask the run to stop (a real cancel on fal); it still ends as one row."""
        self._stop.set()

    async def outcome(self) -> RunRecord:
        """The run's record once its row is written (waiting here never cancels the run)."""
        return await asyncio.shield(self._task)

    async def events(self) -> AsyncIterator[Event | RunRecord]:
        """The run's events, then its RunRecord (or its RunError). Leaving early cancels the run."""
        try:
            while True:
                item = await self._queue.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
                if isinstance(item, RunRecord):
                    return
        except (asyncio.CancelledError, GeneratorExit):
            self._stop.set()  # the watcher left: cancel the run; its task still logs how it ended
            raise


class Runner:
    """Drives runs to their rows: the app-wide bound on runs in flight, the journal, the log, the outputs."""

    def __init__(self, outputs: Outputs, results: ResultsLog, journal: Journal, settings: FalSettings,
                 max_runs: int = 16, inputs: Inputs | None = None):
        self.outputs, self.results, self.journal, self.settings = outputs, results, journal, settings
        self.inputs = inputs or Inputs(outputs.directory.parent / "inputs")
        self.max_runs = max_runs
        self._tasks: set[asyncio.Task[RunRecord]] = set()
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary())

    # -- starting and watching -------------------------------------------------------------------------
    def start(self, backend: Backend, endpoint: Endpoint, arguments: dict[str, Any], flight: Flight) -> Watch:
        """Begin the run as its own task; the Watch gives its events, a way to stop it, and its outcome.

        The run's deadline (``PLAYGROUND_FAL_TIMEOUT_S`` from now) covers everything: queue, run, result and
        the video's download.
        """
        queue: asyncio.Queue[Any] = asyncio.Queue()
        flight.deadline = time.monotonic() + self.settings.timeout_s
        events = self._fresh_events(backend, endpoint, arguments, flight)
        task = asyncio.create_task(self.drive(flight, events, queue.put_nowait, journal=backend.paid))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return Watch(queue, flight.stop, task)

    def _slot(self) -> asyncio.Semaphore:
        """The app-wide bound on runs in flight, one semaphore per event loop."""
        loop = asyncio.get_running_loop()
        if loop not in self._slots:
            self._slots[loop] = asyncio.Semaphore(self.max_runs)
        return self._slots[loop]

    async def _fresh_events(self, backend: Backend, endpoint: Endpoint, arguments: dict[str, Any],
                            flight: Flight) -> AsyncGenerator[Event, None]:
        async with self._slot():
            if flight.stop.is_set():
                raise RunError("cancelled before it started", status=Status.CANCELLED)
            try:  # uploads, too, end at the deadline or a cancel
                sent = await within(backend.prepare(endpoint, arguments), flight.stop, flight.deadline)
            except Interrupted as exc:
                raise RunError("cancelled while its images were being uploaded; nothing was submitted"
                               if exc.reason == Status.CANCELLED else "its images were not uploaded within "
                               "PLAYGROUND_FAL_TIMEOUT_S; nothing was submitted", status=exc.reason) from None
            # what was sent, inline files kept under inputs/ and referenced (a photo would overflow a spreadsheet cell)
            flight.record.arguments_json = json.dumps(self.inputs.to_references(sent), ensure_ascii=False)
            flight.submitted_epoch = time.time()
            if backend.paid:  # on record before the submit leaves, so even a request whose answer is lost is known
                try:
                    self.journal.add(flight.journal_entry())
                except OSError as exc:
                    raise RunError(f"nothing was sent: the app could not write its in-flight journal, which keeps a "
                                   f"paid request safe until its row is written: {disk_problem(exc)}") from exc
            async for event in backend.run(endpoint=endpoint, arguments=sent, outputs=self.outputs.directory,
                                           run_id=flight.record.run_id, stop=flight.stop, deadline=flight.deadline):
                yield event

    # -- one run, start to row ---------------------------------------------------------------------------
    async def drive(self, flight: Flight, events: AsyncGenerator[Event, None], emit: Emit = lambda _: None,
                    journal: bool = True) -> RunRecord:
        """Consume the events, save the video, write the row (once), and hand the outcome to ``emit``."""
        interrupted = False
        record = flight.record
        try:
            self.outputs.directory.mkdir(parents=True, exist_ok=True)
            async with contextlib.aclosing(events) as stream:
                async for event in stream:
                    if isinstance(event, Submitted):
                        record.request_id = event.request_id
                        if journal:
                            self._journal_submitted(flight, event)
                    elif isinstance(event, InProgress) and flight.running_since is None:
                        flight.running_since = time.monotonic()
                    elif isinstance(event, Completed):
                        await self.outputs.complete(record, event, flight.expected, flight.stop, flight.deadline,
                                                    flight.secrets)
                    emit(event)
            if record.status != Status.COMPLETED:
                raise RunError("the backend ended without a result")
        except asyncio.CancelledError:  # the app is shutting down: the journal keeps the request for next time
            interrupted = True
            self.journal.release(record.run_id)  # whoever starts next may finish it
            emit(RunError("the app stopped before this run ended; it is finished after the next start",
                          status=Status.INTERRUPTED))
            raise
        except PlaygroundError as exc:
            flight.fail(exc.status if isinstance(exc, RunError) else Status.FAILED, str(exc))
        except Exception as exc:  # an unexpected failure still ends as a logged row
            if is_disk_problem(exc):  # the data directory refused a write the run needed (a full or read-only disk)
                log.error("run %s: %s", record.run_id, disk_problem(exc))
                flight.fail(Status.FAILED, f"the app could not write under its data directory: {disk_problem(exc)}")
            else:
                trace = "".join(traceback.format_exception(exc))
                log.error("run %s failed unexpectedly:\n%s", record.run_id, redact(trace, flight.secrets))
                flight.fail(Status.FAILED, f"{exc.__class__.__name__}: {exc}")
        finally:
            if not interrupted:
                self._settle(flight, journal)
            self._release(flight)
        emit(record if record.status == Status.COMPLETED else RunError(record.error, status=record.status,
                                                                       result=record))
        return record

    def _journal_submitted(self, flight: Flight, event: Submitted) -> None:
        """The journal entry again, now with fal's request id. If the disk refuses, the run goes on: its first entry
        is on record, and after a crash it is reported as a request fal may have (see recovery)."""
        try:
            self.journal.add(flight.journal_entry(event))
        except OSError as exc:
            log.warning("run %s: its journal entry could not be updated with request %s (%s); following it anyway",
                        flight.record.run_id, event.request_id, disk_problem(exc))

    def _settle(self, flight: Flight, journal: bool) -> None:
        """Write the run's one row, then let the journal forget it; never raises, so the outcome is always given.

        If the row cannot be written (a full disk, say), the journal entry stays, so the next start logs it.
        """
        record = flight.record
        try:
            self._log(flight)
        except Exception as exc:
            log.error("run %s: its row could not be written to %s (%s: %s); %s", record.run_id,
                      self.results.path, exc.__class__.__name__, exc,
                      "the journal keeps it for the next start" if journal else "it is not logged")
            why = disk_problem(exc) if isinstance(exc, OSError) else exc.__class__.__name__
            record.error = (record.error + "; " if record.error else "") + (
                f"its row could not be written to the results log: {why}" + (
                    "; the app keeps it and writes it at its next start" if journal else ""))
            return
        try:
            self.journal.remove(record.run_id)
        except Exception as exc:  # its row is on disk: a leftover entry is dropped at the next start
            log.warning("run %s: journal entry not removed (%s)", record.run_id, exc)

    @staticmethod
    def _release(flight: Flight) -> None:
        if flight.on_finish:
            try:
                flight.on_finish()
            except Exception:
                log.exception("run %s: releasing its slot failed", flight.record.run_id)

    def _log(self, flight: Flight) -> None:
        record, ended = flight.record, time.monotonic()
        record.total_s = round(ended - flight.started, 3)
        record.queue_s = round((flight.running_since or ended) - flight.started, 3)
        record.run_s = round(ended - flight.running_since, 3) if flight.running_since else 0.0
        record.finished_at = now_iso()
        self.results.add(record)
        log.info("run %s (%s, %s, request %s): %s%s", record.run_id, record.endpoint_id, record.backend,
                 record.request_id or "-", record.status, f" · {record.error}" if record.error else "")
