"""The playground's one facade: what every UI event and API call asks of the core.

Data flows one way: catalog → request (validated) → estimate → backend events → saved, probed
result → one row in the results log.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from playground.backends import Backend
from playground.backends.offline import OfflineBackend
from playground import config
from playground.catalog import Catalog, Endpoint, load_catalog
from playground.errors import InputError, PlaygroundError, RunError
from playground.estimate import Estimate, estimate
from playground.events import Completed, Event, InProgress, Submitted
from playground.media import probe_video
from playground.request import validate
from playground.results import ResultsLog
from playground.snippets import display_arguments, snippets


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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Preview:
    """What a tab shows beside Run while the user edits: estimate, problems, request JSON, snippets."""

    estimate: Estimate | None
    problems: list[str]
    request_json: str
    snippets: dict[str, str]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class Playground:
    """Catalog, backends and the results log for one app instance (no per-user state lives here)."""

    def __init__(self, catalog: Catalog, data_dir: Path, backend_choice: str = "auto",
                 offline: Backend | None = None):
        self.catalog = catalog
        self.data_dir = Path(data_dir)
        self.outputs_dir = self.data_dir / "outputs"
        self.results = ResultsLog(self.data_dir / "results.csv")
        self.backend_choice = backend_choice
        self.offline = offline or OfflineBackend()

    # -- catalog, estimate, preview ---------------------------------------------------------------
    def catalog_rows(self) -> list[dict[str, str]]:
        return [endpoint.summary() for endpoint in self.catalog.values()]

    def endpoint(self, endpoint_id: str) -> Endpoint:
        try:
            return self.catalog[(endpoint_id or "").strip()]
        except KeyError:
            raise InputError([("endpoint_id", f"unknown endpoint {endpoint_id!r}; see /catalog for the "
                                              f"{len(self.catalog)} known ids")])

    def estimate(self, endpoint_id: str, arguments: dict[str, Any]) -> dict[str, Any]:
        endpoint = self.endpoint(endpoint_id)
        return estimate(endpoint, validate(endpoint, arguments)).as_dict()

    def preview(self, endpoint_id: str, arguments: dict[str, Any]) -> Preview:
        """Best effort while typing: the estimate even when the request is not valid yet."""
        endpoint = self.endpoint(endpoint_id)
        try:
            validate(endpoint, arguments)
            problems: list[str] = []
        except InputError as exc:
            problems = [f"{field}: {message}" for field, message in exc.problems]
        try:
            cost = estimate(endpoint, arguments)
        except (KeyError, ValueError, TypeError):
            cost = None
        request_json = json.dumps(display_arguments(arguments), indent=2, ensure_ascii=False)
        return Preview(cost, problems, request_json, snippets(endpoint.endpoint_id, arguments))

    def history(self, limit: int = 50) -> list[dict[str, str]]:
        return self.results.newest(limit)

    def backend_summary(self) -> str:
        if self.backend_choice == "fal":
            return "fal.ai (PLAYGROUND_BACKEND=fal)"
        return ("offline preview: runs render labelled synthetic clips at the requested size, length and frame rate "
                "(not model output, no cost)")

    # -- running ------------------------------------------------------------------------------------
    def backend_for(self, key: str | None) -> Backend:
        """PLAYGROUND_BACKEND: offline always; fal and auto-with-a-key need the fal backend (not in this build)."""
        if self.backend_choice == "fal":
            raise RunError("PLAYGROUND_BACKEND=fal, but this build has no fal backend yet; use auto or offline")
        return self.offline

    async def generate(self, endpoint_id: str, arguments: dict[str, Any], key: str | None = None,
                       batch_id: str = "") -> AsyncIterator[Event | RunResult]:
        """Validate, estimate, run, save and log; yields the backend's events, then the RunResult.

        Invalid input raises InputError before anything is sent or logged. Once a backend is involved,
        the run always ends as exactly one row in the results log, whatever happens.
        """
        endpoint = self.endpoint(endpoint_id)
        cleaned = validate(endpoint, arguments)
        cost = estimate(endpoint, cleaned)
        backend = self.backend_for(key)
        run_id = uuid.uuid4().hex[:16]
        row = {"run_id": run_id, "batch_id": batch_id, "created_at": _now(), "backend": backend.name,
               "endpoint_id": endpoint.endpoint_id, "prompt": cleaned.get("prompt", ""),
               "arguments_json": json.dumps(cleaned, ensure_ascii=False), "seed": cleaned.get("seed"),
               "estimated_cost_usd": round(cost.usd, 6)}
        result = RunResult(run_id=run_id, request_id="", endpoint_id=endpoint.endpoint_id, backend=backend.name,
                           status="failed", seed=cleaned.get("seed"), width=None, height=None, fps=None, frames=None,
                           duration_s=None, estimated_cost_usd=round(cost.usd, 6), video_path="", video_url="",
                           error="", batch_id=batch_id)
        started = time.monotonic()
        running_since: float | None = None
        try:
            self.outputs_dir.mkdir(parents=True, exist_ok=True)
            async for event in backend.run(endpoint, cleaned, self.outputs_dir, run_id):
                if isinstance(event, Submitted):
                    result.request_id = event.request_id
                elif isinstance(event, InProgress) and running_since is None:
                    running_since = time.monotonic()
                elif isinstance(event, Completed):
                    await self._complete(result, event)
                yield event
            if result.status != "completed":
                raise RunError("the backend ended without a result")
        except asyncio.CancelledError:
            result.status, result.error = "cancelled", "cancelled by the user"
            raise
        except PlaygroundError as exc:
            result.status = getattr(exc, "status", "failed")
            result.error = str(exc)
            raise
        except Exception as exc:  # an unexpected failure still ends as a logged row, then propagates
            result.status, result.error = "failed", f"{exc.__class__.__name__}: {exc}"
            raise
        finally:
            self._log(row, result, started, running_since)
        yield result

    async def _complete(self, result: RunResult, event: Completed) -> None:
        video = event.result.get("video") or {}
        result.request_id = event.request_id
        result.video_url = str(video.get("url", ""))
        result.seed = event.result.get("seed", result.seed)
        result.billed_units = event.billed_units
        path = self._local_copy(result.video_url)
        probe = await asyncio.to_thread(probe_video, path)
        result.video_path = str(path)
        result.width, result.height, result.fps = probe.width, probe.height, probe.fps
        result.frames, result.duration_s = probe.frames, probe.duration_s
        result.status = "completed"

    def _local_copy(self, url: str) -> Path:
        """The result video under outputs/ (the offline backend renders there directly)."""
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path))
            if path.parent.resolve() == self.outputs_dir.resolve() and path.is_file():
                return path
        raise RunError(f"cannot save the result video from {url!r}")

    def _log(self, row: dict[str, Any], result: RunResult, started: float, running_since: float | None) -> None:
        ended = time.monotonic()
        result.total_s = round(ended - started, 3)
        result.queue_s = round((running_since or ended) - started, 3)
        result.run_s = round(ended - running_since, 3) if running_since else 0.0
        self.results.append({
            **row, "finished_at": _now(), "status": result.status, "request_id": result.request_id,
            "seed": result.seed, "video_url": result.video_url, "video_path": result.video_path,
            "width": result.width, "height": result.height, "fps": result.fps, "frames": result.frames,
            "duration_s": result.duration_s, "queue_s": result.queue_s, "run_s": result.run_s,
            "total_s": result.total_s, "billed_units": result.billed_units, "error": result.error})


def create_playground(data_dir: Path | None = None) -> Playground:
    """The Playground as the environment configures it (PLAYGROUND_DATA_DIR, PLAYGROUND_BACKEND)."""
    return Playground(load_catalog(), data_dir or config.data_dir(), config.backend_choice())
