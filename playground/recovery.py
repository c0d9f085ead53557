"""After a restart, or a replica's death: finishing the paid runs the in-flight journal still holds, each exactly once.

At start-up the runs the server's key can reach are followed to their rows in the background; runs made with a
visitor's own key wait until that visitor enters it again (on any replica). An entry that never got a request id
(the app stopped while submitting) needs no key: its row says fal may have it and where to look. Each entry is
claimed first (a lock beside it in the journal, or a lease in the database), so no run is finished twice, and each
is finished on its own: one bad entry cannot stop the others.

With a store several replicas share (PostgreSQL), start-up is not enough: a replica that dies leaves its runs held
by leases that lapse after their TTL, while the others go on. So each replica sweeps every ``sweep_s`` (half the
lease) in a thread and event loop of its own: whatever has become claimable is claimed and finished there, its
video saved under the shared data directory. The lease is the gate (a live replica's runs are never claimable) and
the runs table keeps a run id once, so a run is finished and logged once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncGenerator, Callable
from datetime import datetime, timezone
from typing import Any

from playground.backends import Backend
from playground.errors import MAY_HAVE_RUN, RunError
from playground.events import Event
from playground.journal import Journal
from playground.keys import fingerprint
from playground.record import RunRecord
from playground.results import ResultsLog
from playground.runner import Flight, Runner

log = logging.getLogger(__name__)
BackendOf = Callable[[str, str], Backend]  # (the kind's name in the run's row, a key) → the backend to follow it


async def _unsent(endpoint_id: str, submitted_epoch: float) -> AsyncGenerator[Event, None]:
    """A run the app stopped during while submitting: no events, just why there is no result."""
    sent_at = datetime.fromtimestamp(submitted_epoch, timezone.utc).isoformat(timespec="seconds")
    raise RunError(f"the app stopped while submitting this request; {MAY_HAVE_RUN}, but its request id never "
                   f"arrived: look for a {endpoint_id} request at {sent_at} UTC in your fal "
                   "dashboard (Requests)")
    yield  # an async generator, like every backend's events


class Recovery:
    """The journal's leftovers, finished into the results log through the runner."""

    def __init__(self, journal: Journal, results: ResultsLog, runner: Runner, backend_of: BackendOf,
                 server_key: str | None = None, sweep_s: float | None = None):
        """``backend_of`` builds the backend of the kind that made a run (whatever PLAYGROUND_BACKEND says now);
        ``sweep_s``: how often to look for runs a dead replica left (None: only at start-up)."""
        self.journal, self.results, self.runner = journal, results, runner
        self.backend_of, self.server_key, self.sweep_s = backend_of, server_key, sweep_s
        self._background: set[asyncio.Task[RunRecord | None]] = set()
        self._stopped = threading.Event()

    def pending(self) -> int:
        return len(self.journal.pending())

    def start(self) -> None:
        """At start-up: finish in the background whatever was in flight when the last process stopped; with a
        shared store, keep sweeping for what other replicas leave."""
        if self.sweep_s:
            threading.Thread(target=asyncio.run, args=(self._sweep_forever(self.sweep_s),), name="recovery-sweep",
                             daemon=True).start()
            return
        pending = self.pending()
        if pending:
            log.info("%d run(s) were in flight when the app last stopped; finishing them", pending)
            threading.Thread(target=asyncio.run, args=(self.recover(),), name="recover", daemon=True).start()

    def _server_keys(self) -> dict[str, str]:
        return {fingerprint(self.server_key): self.server_key} if self.server_key else {}

    async def recover(self) -> list[RunRecord]:
        """Finish every journaled run the server's key can reach (and log those never submitted); returns their
        records (for tests and logs)."""
        results = await asyncio.gather(*self.resume(self._server_keys()))
        return [result for result in results if result is not None]

    async def _sweep_forever(self, every_s: float) -> None:
        while not self._stopped.is_set():
            self.sweep()
            await asyncio.sleep(every_s)
        here = asyncio.get_running_loop()  # what this loop took up is finished (a visitor's resumes run elsewhere)
        await asyncio.gather(*(task for task in set(self._background) if task.get_loop() is here),
                             return_exceptions=True)

    def stop_sweeping(self) -> None:
        """No more sweeps (runs already taken up are still finished): before the store is closed."""
        self._stopped.set()

    def sweep(self) -> list[asyncio.Task[RunRecord | None]]:
        """One look (in a running loop): claim every run that has become claimable and the server's key reaches, or
        that was never submitted, and start finishing each; their tasks. A journal that cannot be read now is
        tried again at the next sweep."""
        try:
            tasks = self.resume(self._server_keys())
        except Exception as exc:
            log.warning("recovery sweep: the in-flight journal could not be read (%s: %s); trying again in %.0f s",
                        exc.__class__.__name__, str(exc)[:200], self.sweep_s or 0)
            return []
        if tasks:
            log.info("%d run(s) left in flight by a replica that stopped (or by this app before a restart); "
                     "finishing them", len(tasks))
        return tasks

    def resume(self, keys: dict[str, str]) -> list[asyncio.Task[RunRecord | None]]:
        """Start finishing the journaled runs one of ``keys`` (fingerprint → key) can reach, and those never
        submitted: in the running loop if there is one (its tasks are returned), else each in a thread."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        tasks = []
        for entry in self.claim(set(keys)):
            job = self._finish_isolated(entry, keys.get(entry["key_fingerprint"]))
            if loop is None:
                threading.Thread(target=asyncio.run, args=(job,), name=f"resume-{entry['run_id']}", daemon=True).start()
            else:
                task = loop.create_task(job)
                self._background.add(task)
                task.add_done_callback(self._background.discard)
                tasks.append(task)
        return tasks

    def claim(self, fingerprints: set[str]) -> list[dict[str, Any]]:
        """Journal entries this process may finish now, each claimed so that no other process or task does.

        Those whose key is now available, and those that never got a request id (they need no key). An
        entry already in results.csv (the process died between the row and the journal removal) is simply
        dropped, so no run is logged twice.
        """
        mine: list[dict[str, Any]] = []
        logged: set[str] | None = None
        for entry in self.journal.pending():
            run_id = entry["run_id"]
            if entry["request_id"] and entry["key_fingerprint"] not in fingerprints:
                continue
            if not self.journal.claim(run_id):
                continue  # its run is still going, here or in another process, or someone is finishing it
            try:
                current = self.journal.read(run_id)  # as it is now that it is ours
                if logged is None:
                    logged = set(self.results.read()["run_id"])
                if current is None:
                    self.journal.release(run_id)
                elif run_id in logged:
                    self.journal.remove(run_id)
                else:
                    mine.append(current)
            except Exception as exc:  # (a database gone for a moment) let it go; what was claimed is still finished
                log.warning("in-flight run %s: not taken up now (%s); it is looked at again later", run_id,
                            exc.__class__.__name__)
                with contextlib.suppress(Exception):
                    self.journal.release(run_id)
        return mine

    async def _finish_isolated(self, entry: dict[str, Any], key: str | None) -> RunRecord | None:
        try:
            return await self.finish(entry, key)
        except Exception:
            log.exception("in-flight run %s could not be finished; its journal entry is kept", entry["run_id"])
            self.journal.release(entry["run_id"])
            return None

    async def finish(self, entry: dict[str, Any], key: str | None) -> RunRecord:
        """Follow one claimed journal entry to its row (no watcher; the timeout counts from the original submit)."""
        submitted = float(entry.get("submitted_epoch") or time.time())
        record = RunRecord.from_row(entry["row"])
        flight = Flight(record, (key, self.server_key), entry["key_fingerprint"], entry.get("expected") or {})
        record.request_id = entry["request_id"]
        flight.started = time.monotonic() - max(0.0, time.time() - submitted)
        flight.deadline = flight.started + self.runner.settings.timeout_s
        if entry["request_id"]:
            if not key:  # claimed only with its key: this is a mistake in the caller
                raise RunError(f"run {record.run_id} can only be followed with the key it was submitted with")
            events = self.backend_of(record.backend, key).resume(
                endpoint_id=record.endpoint_id, request_id=entry["request_id"], urls=entry["resume"], stop=flight.stop,
                deadline=flight.deadline)
        else:
            events = _unsent(record.endpoint_id, submitted)
        result = await self.runner.drive(flight, events, journal=False)
        log.info("finished run %s (request %s) after a restart: %s", result.run_id, result.request_id or "-",
                 result.status)
        return result
