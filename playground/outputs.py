"""A finished result kept: its video saved under ``<data dir>/outputs/`` (fal's URLs expire), probed, and checked
against what was asked — when a run completes, and again when History fetches a fal result a second time."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import BrokenExecutor
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import httpx

from playground.backends import Backend
from playground.checks import check_columns
from playground.config import FalSettings
from playground.deadline import Interrupted, within
from playground.download import download, download_client
from playground.errors import DownloadError, RunError, disk_problem
from playground.events import Completed
from playground.keys import redact
from playground.record import RunRecord, Status, billed_cost
from playground.text import escape_surrogates

if TYPE_CHECKING:
    from playground.offload import Offload
    from playground.signals import Measurement

VIDEO_SUFFIXES = {".mp4", ".mov", ".webm", ".mkv"}


def reported_cost(result: dict[str, Any]) -> float | None:
    """The cost a router endpoint reports beside its answer (``usage.cost``, as fal's OpenRouter endpoints give it),
    where it is a plausible amount of dollars."""
    usage = result.get("usage")
    cost = usage.get("cost") if isinstance(usage, dict) else None
    if isinstance(cost, bool) or not isinstance(cost, (int, float)) or not 0 <= cost < 100:
        return None
    return round(float(cost), 6)


def _noted(earlier: str, note: str) -> str:
    """A completed run's notes, one after another."""
    return f"{earlier}; {note}" if earlier else note
SIGNAL_COLUMNS = ("flicker", "sharpness", "cuts", "loudness_db", "silence")  # playground.signals.Signals' fields
Measure = Callable[[Path], Awaitable["Measurement"]]


async def _measured_here(path: Path) -> Measurement:
    from playground.signals import measure  # PyAV and numpy load when a clip is first measured

    return await asyncio.to_thread(measure, path)


def measured_in(offload: Offload) -> Measure:
    """Measuring in ``offload``'s worker process, so decoding never holds up the process serving the page."""
    async def measured(path: Path) -> Measurement:
        from playground.signals import measure

        return await offload.run(measure, path)
    return measured


UnitPrice = Callable[[str], "float | None"]  # endpoint id → fal's price per billable unit, where the catalog knows it


class Outputs:
    """The outputs folder of one data directory, and how a result gets into it."""

    def __init__(self, directory: Path, settings: FalSettings, unit_price: UnitPrice = lambda _endpoint_id: None,
                 measure: Measure | None = None):
        """``measure`` probes a saved clip and measures its signals (``playground.signals.measure``, which the app
        runs off the process that serves the page); by default on a thread of this one."""
        self.directory, self.settings, self.unit_price = Path(directory), settings, unit_price
        self.measure = measure or _measured_here
        self._downloaders: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary())

    async def complete(self, record: RunRecord, event: Completed, expected: dict[str, Any], stop: asyncio.Event,
                       deadline: float, secrets: tuple[str | None, ...]) -> None:
        """The run is done and paid for: record it, then save and probe the video (a failure there is noted in
        ``record.error``; the run stays completed)."""
        video = event.result.get("video") or {}
        record.request_id, record.video_url = event.request_id, str(video.get("url", ""))
        record.seed = event.result.get("seed", record.seed)
        record.status = Status.COMPLETED
        record.billed_units, record.billed_cost_usd, distrusted = billed_cost(
            event.billed_units, self.unit_price(record.endpoint_id), record.estimated_cost_usd)
        if distrusted:
            record.error = escape_surrogates(distrusted)
        if event.served_from and event.served_from != record.endpoint_id:
            record.served_by = event.served_from
        if record.judged:  # a judge's answer is text: kept whole, read (strictly) wherever it is shown
            record.output_text = escape_surrogates(str(event.result.get("output", "")))
            if record.billed_cost_usd is None and (cost := reported_cost(event.result)) is not None:
                record.billed_cost_usd = cost
            return
        # A cancel pressed while the video downloads stops the download (the row keeps its URL); a result that beat
        # an earlier cancel is still saved. Either way the run's deadline bounds the download.
        stop = asyncio.Event() if stop.is_set() else stop
        try:
            path = await within(self._local_copy(record.video_url, record.run_id, str(video.get("file_name") or "")),
                                stop, deadline)
        except (DownloadError, Interrupted) as exc:
            why = ("the download was stopped by your cancel" if isinstance(exc, Interrupted)
                   and exc.reason == Status.CANCELLED else "the download did not finish within "
                   "PLAYGROUND_FAL_TIMEOUT_S" if isinstance(exc, Interrupted) else str(exc))
            record.error = _noted(record.error, escape_surrogates(redact(
                f"video not saved locally: {why}; it stays at video_url until fal expires it (fetch it again from "
                "History)", secrets)))
            return
        record.video_path = str(path)
        try:
            measured = await self.measure(path)
        except (OSError, ValueError, BrokenExecutor) as exc:  # MediaError (a ValueError): not a readable video;
            # BrokenExecutor: the file killed the measuring worker twice
            why = (disk_problem(exc) if isinstance(exc, OSError) else "the measuring process stopped on it twice"
                   if isinstance(exc, BrokenExecutor) else str(exc))  # never a server path
            record.error = _noted(record.error, f"the saved video could not be read ({why})")
            return
        probe = measured.probe
        for name, value in measured.signals.columns().items():
            setattr(record, name, value)
        record.width, record.height, record.fps = probe.width, probe.height, probe.fps
        record.frames, record.duration_s = probe.frames, probe.duration_s
        checked = record.updated(check_columns(probe, expected, event.warnings))
        record.checks, record.has_audio = checked.checks, checked.has_audio
        record.mean_luma, record.motion = checked.mean_luma, checked.motion

    async def collect(self, backend: Backend, logged: RunRecord, expected: dict[str, Any],
                      secrets: tuple[str | None, ...]) -> RunRecord:
        """A logged run's result fetched again by its request id and saved (no new run, no new charge): the run's
        record as it is now. Billed units fal does not repeat are kept from the first time."""
        try:
            completed = await backend.fetch(endpoint_id=logged.endpoint_id, request_id=logged.request_id)
        except RunError as exc:
            raise RunError(redact(str(exc), secrets), exc.status) from exc
        record = RunRecord(**{name: getattr(logged, name) for name in (
            "run_id", "batch_id", "created_at", "finished_at", "backend", "endpoint_id", "prompt", "arguments_json",
            "seed", "estimated_cost_usd", "queue_s", "run_s", "total_s", "owner", "billed_to", "judged")})
        self.directory.mkdir(parents=True, exist_ok=True)
        await self.complete(record, completed, expected, asyncio.Event(), float("inf"), secrets)
        if not record.billed_units:
            record.billed_units, record.billed_cost_usd = logged.billed_units, logged.billed_cost_usd
        if not record.checks:  # not probed this time: what the first probe found stands
            record.checks, record.has_audio = logged.checks, logged.has_audio
            record.mean_luma, record.motion = logged.mean_luma, logged.motion
            for name in SIGNAL_COLUMNS:
                setattr(record, name, getattr(logged, name))
        return record

    async def _local_copy(self, url: str, run_id: str, file_name: str) -> Path:
        """The result video under outputs/: rendered there (offline) or downloaded (fal's URLs expire)."""
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path))
            if path.parent.resolve() == self.directory.resolve() and path.is_file():
                return path
            raise DownloadError(f"{url!r} is not in the outputs folder")
        if parts.scheme not in ("http", "https"):
            raise DownloadError(f"unsupported video URL scheme {parts.scheme!r}")
        suffix = PurePosixPath(file_name or parts.path).suffix.lower()
        dest = self.directory / f"{run_id}{suffix if suffix in VIDEO_SUFFIXES else '.mp4'}"
        await download(url, dest, self.settings.max_video_bytes, self.settings.download_timeout_s, self._downloader())
        return dest

    def _downloader(self) -> httpx.AsyncClient:
        """One download client per event loop, so connections to the media host are reused."""
        loop = asyncio.get_running_loop()
        if loop not in self._downloaders:
            self._downloaders[loop] = download_client(self.settings.download_timeout_s)
        return self._downloaders[loop]
