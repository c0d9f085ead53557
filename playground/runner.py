"""Running a request to its one row in the results log, whoever is (or stops) watching.

Each run is an asyncio task of its own. Whoever started it only *watches* (an async iterator of events);
if the watcher goes away — Cancel pressed, browser closed — the run is asked to stop (a real cancel on
fal) and still ends as exactly one row. Paid runs are written to the in-flight journal as soon as the
request id is known, before any waiting, and leave it only once their row is on disk; if the process dies
in between, ``recover`` finishes them on the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import traceback
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import av
import httpx

from playground.checks import check_columns
from playground.config import FalSettings
from playground.deadline import Interrupted, within
from playground.errors import DownloadError, PlaygroundError, RunError
from playground.events import Completed, Event, InProgress, Submitted
from playground.fetch import download, download_client
from playground.inputs import Inputs
from playground.journal import Journal
from playground.keys import redact
from playground.media import probe_video
from playground.results import ResultsLog
from playground.text import escape_surrogates

log = logging.getLogger(__name__)
VIDEO_SUFFIXES = {".mp4", ".mov", ".webm", ".mkv"}


@dataclass
class RunResult:
    """A finished run as `/generate` returns it and the results log records it."""

    run_id: str
    request_id: str
    endpoint_id: str
    backend: str
    status: str
    seed: int | None
    width: int | None
    height: int | None
    fps: float | None
    frames: int | None
    duration_s: float | None
    estimated_cost_usd: float
    video_path: str
    video_url: str
    error: str
    batch_id: str = ""
    queue_s: float | None = None
    run_s: float | None = None
    total_s: float | None = None
    billed_units: str = ""
    checks: str = ""  # "ok", or what differs from the request ("black", "frozen", size or frame mismatches)
    has_audio: bool | None = None
    billed_cost_usd: float | None = None  # billed units × the catalog's unit price; None when either is unknown
    served_by: str = ""  # another endpoint than the one asked, when fal says it served the request

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def _unsent(endpoint_id: str, submitted_epoch: float) -> AsyncIterator[Event]:
    """A run the app stopped during while submitting: no events, just why there is no result."""
    sent_at = datetime.fromtimestamp(submitted_epoch, timezone.utc).isoformat(timespec="seconds")
    raise RunError(f"the app stopped while submitting this request; fal may have accepted it and may bill it, but "
                   f"its request id never arrived: look for a {endpoint_id} request at {sent_at} UTC in your fal "
                   "dashboard (Requests)")
    yield  # an async generator, like every backend's events


def billed_cost(units: str, usd_per_unit: float | None) -> float | None:
    """What fal billed, in dollars: its billable units × the endpoint's unit price (None when either is unknown)."""
    try:
        return round(float(units) * usd_per_unit, 6) if units and usd_per_unit else None
    except ValueError:
        return None


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class Flight:
    """A run between start and its row: the row's fixed part, the growing result, and timing."""

    row: dict[str, Any]  # columns known before running: run_id … estimated_cost_usd
    result: RunResult
    secrets: tuple[str | None, ...] = ()  # scrubbed from every message; never written anywhere
    key_fingerprint: str = ""
    expected: dict[str, Any] = field(default_factory=dict)  # output size/fps/frames the request implies
    started: float = field(default_factory=time.monotonic)
    running_since: float | None = None
    checks: dict[str, Any] = field(default_factory=dict)  # the output-check columns, once probed
    on_finish: Callable[[], None] | None = None  # e.g. give a public-mode run slot back
    stop: asyncio.Event = field(default_factory=asyncio.Event)  # set: the person cancelled (or stopped watching)
    deadline: float = float("inf")  # time.monotonic() by which the whole run, download included, ends
    submitted_epoch: float = 0.0  # wall-clock time the submit was sent (journal; timeouts after a restart)

    @classmethod
    def new(cls, row: dict[str, Any], secrets: tuple[str | None, ...] = (), key_fingerprint: str = "",
            expected: dict[str, Any] | None = None) -> Flight:
        result = RunResult(run_id=row["run_id"], request_id="", endpoint_id=row["endpoint_id"], backend=row["backend"],
                           status="failed", seed=row.get("seed"), width=None, height=None, fps=None, frames=None,
                           duration_s=None, estimated_cost_usd=row["estimated_cost_usd"], video_path="", video_url="",
                           error="", batch_id=row.get("batch_id", ""))
        return cls(row=row, result=result, secrets=secrets, key_fingerprint=key_fingerprint, expected=expected or {})

    def journal_entry(self, event: Submitted | None = None) -> dict[str, Any]:
        """The journal's record of this run: before the submit is sent (no request id yet), then with fal's ids."""
        return {"run_id": self.row["run_id"], "created_at": self.row["created_at"],
                "submitted_epoch": self.submitted_epoch, "request_id": event.request_id if event else "",
                "resume": event.resume if event else {}, "key_fingerprint": self.key_fingerprint,
                "expected": self.expected, "row": self.row}

    def fail(self, status: str, message: str) -> None:
        self.result.status, self.result.error = status, escape_surrogates(redact(message, self.secrets))


class Watch:
    """A started run seen from outside: its events, a way to stop it, and how it ended."""

    def __init__(self, queue: asyncio.Queue, stop: asyncio.Event, task: asyncio.Task):
        self._queue, self._stop, self._task = queue, stop, task

    def cancel(self) -> None:
        """Ask the run to stop (a real cancel on fal); it still ends as one row."""
        self._stop.set()

    async def outcome(self) -> RunResult:
        """The RunResult once its row is written (waiting here never cancels the run)."""
        return await asyncio.shield(self._task)

    async def events(self) -> AsyncIterator[Event | RunResult]:
        """The run's events, then its RunResult (or its RunError). Leaving early cancels the run."""
        try:
            while True:
                item = await self._queue.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
                if isinstance(item, RunResult):
                    return
        except (asyncio.CancelledError, GeneratorExit):
            self._stop.set()  # the watcher left: cancel the run; its task still logs how it ended
            raise


class Runner:
    """Drives runs to their rows; owns the outputs folder, the results log and the journal."""

    def __init__(self, outputs_dir: Path, results: ResultsLog, journal: Journal, settings: FalSettings,
                 max_runs: int = 16, inputs: Inputs | None = None,
                 unit_price: Callable[[str], float | None] = lambda endpoint_id: None):
        self.outputs_dir, self.results, self.journal, self.settings = Path(outputs_dir), results, journal, settings
        self.inputs = inputs or Inputs(Path(outputs_dir).parent / "inputs")
        self.unit_price = unit_price  # endpoint id → fal's price per billable unit, where the catalog knows it
        self.max_runs = max_runs
        self._tasks: set[asyncio.Task] = set()
        self._slots: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._downloaders: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    # -- starting and watching -------------------------------------------------------------------------
    def start(self, backend, endpoint, arguments: dict[str, Any], flight: Flight) -> "Watch":
        """Begin the run as its own task; the Watch gives its events, a way to stop it, and its outcome.

        The run's deadline (``PLAYGROUND_FAL_TIMEOUT_S`` from now) covers everything: queue, run, result and
        the video's download.
        """
        queue: asyncio.Queue = asyncio.Queue()
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

    async def _fresh_events(self, backend, endpoint, arguments, flight: Flight):
        async with self._slot():
            if flight.stop.is_set():
                raise RunError("cancelled before it started", status="cancelled")
            try:  # uploads, too, end at the deadline or a cancel
                sent = await within(backend.prepare(endpoint, arguments), flight.stop, flight.deadline)
            except Interrupted as exc:
                raise RunError("cancelled while its images were being uploaded; nothing was submitted"
                               if exc.reason == "cancelled" else "its images were not uploaded within "
                               "PLAYGROUND_FAL_TIMEOUT_S; nothing was submitted", status=exc.reason) from None
            # what was sent, inline files kept under inputs/ and referenced (a photo would overflow a spreadsheet cell)
            flight.row["arguments_json"] = json.dumps(self.inputs.to_references(sent), ensure_ascii=False)
            flight.submitted_epoch = time.time()
            if backend.paid:  # on record before the submit leaves, so even a request whose answer is lost is known
                self.journal.add(flight.journal_entry())
            async for event in backend.run(endpoint, sent, self.outputs_dir, flight.row["run_id"], flight.stop,
                                           flight.deadline):
                yield event

    # -- one run, start to row ---------------------------------------------------------------------------
    async def drive(self, flight: Flight, events: AsyncIterator[Event], emit: Callable[[Any], None] = lambda _: None,
                    journal: bool = True) -> RunResult:
        """Consume the events, save the video, write the row (once), and hand the outcome to ``emit``."""
        interrupted = False
        try:
            self.outputs_dir.mkdir(parents=True, exist_ok=True)
            async with contextlib.aclosing(events) as stream:
                async for event in stream:
                    if isinstance(event, Submitted):
                        flight.result.request_id = event.request_id
                        if journal:
                            self.journal.add(flight.journal_entry(event))
                    elif isinstance(event, InProgress) and flight.running_since is None:
                        flight.running_since = time.monotonic()
                    elif isinstance(event, Completed):
                        await self._complete(flight, event)
                    emit(event)
            if flight.result.status != "completed":
                raise RunError("the backend ended without a result")
        except asyncio.CancelledError:  # the app is shutting down: the journal keeps the request for next time
            interrupted = True
            self.journal.release(flight.row["run_id"])  # whoever starts next may finish it
            emit(RunError("the app stopped before this run ended; it is finished after the next start",
                          status="interrupted"))
            raise
        except PlaygroundError as exc:
            flight.fail(getattr(exc, "status", "failed"), str(exc))
        except Exception as exc:  # an unexpected failure still ends as a logged row
            trace = "".join(traceback.format_exception(exc))
            log.error("run %s failed unexpectedly:\n%s", flight.row["run_id"], redact(trace, flight.secrets))
            flight.fail("failed", f"{exc.__class__.__name__}: {exc}")
        finally:
            if not interrupted:
                self._settle(flight, journal)
            self._release(flight)
        result = flight.result
        emit(result if result.status == "completed" else RunError(result.error, status=result.status, result=result))
        return result

    def _settle(self, flight: Flight, journal: bool) -> None:
        """Write the run's one row, then let the journal forget it; never raises, so the outcome is always given.

        If the row cannot be written (a full disk, say), the journal entry stays, so the next start logs it.
        """
        try:
            self._log(flight)
        except Exception as exc:
            log.error("run %s: its row could not be written to %s (%s: %s); %s", flight.row["run_id"],
                      self.results.path, exc.__class__.__name__, exc,
                      "the journal keeps it for the next start" if journal else "it is not logged")
            flight.result.error = (flight.result.error + "; " if flight.result.error else "") + (
                f"its row could not be written to the results log ({exc.__class__.__name__})")
            return
        try:
            self.journal.remove(flight.row["run_id"])
        except Exception as exc:  # its row is on disk: a leftover entry is dropped at the next start
            log.warning("run %s: journal entry not removed (%s)", flight.row["run_id"], exc)

    @staticmethod
    def _release(flight: Flight) -> None:
        if flight.on_finish:
            try:
                flight.on_finish()
            except Exception:
                log.exception("run %s: releasing its slot failed", flight.row["run_id"])

    async def _complete(self, flight: Flight, event: Completed) -> None:
        """The run is done and paid for: record it, then save and probe the video (a failure there is noted)."""
        result = flight.result
        video = event.result.get("video") or {}
        result.request_id, result.video_url = event.request_id, str(video.get("url", ""))
        result.seed = event.result.get("seed", result.seed)
        result.billed_units, result.status = event.billed_units, "completed"
        result.billed_cost_usd = billed_cost(event.billed_units, self.unit_price(flight.row["endpoint_id"]))
        if event.served_from and event.served_from != flight.row["endpoint_id"]:
            result.served_by = event.served_from
        # A cancel pressed while the video downloads stops the download (the row keeps its URL); a result that beat
        # an earlier cancel is still saved. Either way the run's deadline bounds the download.
        stop = asyncio.Event() if flight.stop.is_set() else flight.stop
        try:
            path = await within(self._local_copy(result.video_url, flight.row["run_id"],
                                                 str(video.get("file_name") or "")), stop, flight.deadline)
        except (DownloadError, Interrupted) as exc:
            why = ("the download was stopped by your cancel" if isinstance(exc, Interrupted) and exc.reason == "cancelled"
                   else "the download did not finish within PLAYGROUND_FAL_TIMEOUT_S" if isinstance(exc, Interrupted)
                   else str(exc))
            result.error = escape_surrogates(redact(f"video not saved locally: {why}; it stays at video_url until "
                                                    "fal expires it (fetch it again from History)", flight.secrets))
            return
        result.video_path = str(path)
        try:
            probe = await asyncio.to_thread(probe_video, path)
        except (av.FFmpegError, IndexError, OSError, ValueError) as exc:
            result.error = f"the saved video could not be read ({exc.__class__.__name__})"
            return
        result.width, result.height, result.fps = probe.width, probe.height, probe.fps
        result.frames, result.duration_s = probe.frames, probe.duration_s
        flight.checks = check_columns(probe, flight.expected, event.warnings)
        result.checks, result.has_audio = flight.checks["checks"], probe.has_audio

    async def _local_copy(self, url: str, run_id: str, file_name: str) -> Path:
        """The result video under outputs/: rendered there (offline) or downloaded (fal's URLs expire)."""
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path))
            if path.parent.resolve() == self.outputs_dir.resolve() and path.is_file():
                return path
            raise DownloadError(f"{url!r} is not in the outputs folder")
        if parts.scheme not in ("http", "https"):
            raise DownloadError(f"unsupported video URL scheme {parts.scheme!r}")
        suffix = PurePosixPath(file_name or parts.path).suffix.lower()
        dest = self.outputs_dir / f"{run_id}{suffix if suffix in VIDEO_SUFFIXES else '.mp4'}"
        await download(url, dest, self.settings.max_video_bytes, self.settings.download_timeout_s, self._downloader())
        return dest

    def _downloader(self) -> httpx.AsyncClient:
        """One download client per event loop, so connections to the media host are reused."""
        loop = asyncio.get_running_loop()
        if loop not in self._downloaders:
            self._downloaders[loop] = download_client(self.settings.download_timeout_s)
        return self._downloaders[loop]

    def _log(self, flight: Flight) -> None:
        result, ended = flight.result, time.monotonic()
        result.total_s = round(ended - flight.started, 3)
        result.queue_s = round((flight.running_since or ended) - flight.started, 3)
        result.run_s = round(ended - flight.running_since, 3) if flight.running_since else 0.0
        self.results.append({
            **flight.row, "finished_at": now_iso(), "status": result.status, "request_id": result.request_id,
            "seed": result.seed, "video_url": result.video_url, "video_path": result.video_path,
            "width": result.width, "height": result.height, "fps": result.fps, "frames": result.frames,
            "duration_s": result.duration_s, "queue_s": result.queue_s, "run_s": result.run_s,
            "total_s": result.total_s, "billed_units": result.billed_units, "error": result.error,
            "billed_cost_usd": result.billed_cost_usd, "served_by": result.served_by, **flight.checks})
        log.info("run %s (%s, %s, request %s): %s%s", result.run_id, result.endpoint_id, result.backend,
                 result.request_id or "-", result.status, f" · {result.error}" if result.error else "")

    # -- fetching a result again -----------------------------------------------------------------------------
    async def collect(self, backend, row: dict[str, Any], expected: dict[str, Any],
                      secrets: tuple[str | None, ...]) -> tuple[RunResult, dict[str, Any]]:
        """Save and check a logged run's result again (fetched by request id); returns the row's new columns."""
        fixed = {k: row.get(k, "") for k in ("run_id", "batch_id", "created_at", "backend", "endpoint_id", "prompt",
                                             "arguments_json", "seed")}
        flight = Flight.new({**fixed, "estimated_cost_usd": float(row.get("estimated_cost_usd") or 0)}, secrets, "",
                            expected)
        try:
            completed = await backend.fetch(row["endpoint_id"], row["request_id"])
        except RunError as exc:
            raise RunError(redact(str(exc), secrets), exc.status) from exc
        self.outputs_dir.mkdir(parents=True, exist_ok=True)
        await self._complete(flight, completed)
        r = flight.result
        columns = {"status": r.status, "video_url": r.video_url, "video_path": r.video_path, "width": r.width, "height": r.height,
                   "fps": r.fps, "frames": r.frames, "duration_s": r.duration_s, "seed": r.seed, "error": r.error,
                   "billed_units": r.billed_units or row.get("billed_units", ""),
                   "billed_cost_usd": r.billed_cost_usd if r.billed_units else row.get("billed_cost_usd", ""),
                   "served_by": r.served_by, **flight.checks}
        return r, columns

    # -- after a restart -----------------------------------------------------------------------------------
    def claim_pending(self, fingerprints: set[str]) -> list[dict[str, Any]]:
        """Journal entries this process may finish now, each claimed so that no other process or task does.

        Those whose key is now available, and those that never got a request id (they need no key). An
        entry already in results.csv (the process died between the row and the journal removal) is simply
        dropped, so no run is logged twice.
        """
        mine, logged = [], None
        for entry in self.journal.pending():
            run_id = entry["run_id"]
            if entry["request_id"] and entry["key_fingerprint"] not in fingerprints:
                continue
            if not self.journal.claim(run_id):
                continue  # its run is still going, here or in another process, or someone is finishing it
            current = self.journal.read(run_id)  # as it is now that it is ours
            if logged is None:
                logged = set(self.results.read()["run_id"])
            if current is None:
                self.journal.release(run_id)
            elif run_id in logged:
                self.journal.remove(run_id)
            else:
                mine.append(current)
        return mine

    async def finish_pending(self, entry: dict[str, Any], backend, secrets: tuple[str | None, ...]) -> RunResult:
        """Follow one journaled request to its row (no watcher; the timeout counts from the original submit).

        The caller has claimed the entry. An entry without a request id was being submitted when the app
        stopped: fal may have it, under an id nobody knows, so its row says so and where to look.
        """
        submitted = float(entry.get("submitted_epoch") or time.time())
        flight = Flight.new(dict(entry["row"]), secrets, entry["key_fingerprint"], entry.get("expected") or {})
        flight.result.request_id = entry["request_id"]
        flight.started = time.monotonic() - max(0.0, time.time() - submitted)
        flight.deadline = flight.started + self.settings.timeout_s
        if entry["request_id"]:
            events = backend.resume(entry["row"]["endpoint_id"], entry["request_id"], entry["resume"], flight.stop,
                                    flight.deadline)
        else:
            events = _unsent(entry["row"]["endpoint_id"], submitted)
        result = await self.drive(flight, events, journal=False)
        log.info("finished run %s (request %s) after a restart: %s", result.run_id, result.request_id or "-",
                 result.status)
        return result
