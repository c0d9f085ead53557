"""The offline preview backend: fal's event sequence and result shape, with a synthetic clip (no account, no network)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from PIL import Image

from playground.backends import BackendForKey, BackendKind
from playground.catalog import Endpoint
from playground.config import FalSettings
from playground.errors import RunError
from playground.estimate import makes_sound, output_shape
from playground.events import Completed, Event, InProgress, Queued, Submitted
from playground.media import (
    MediaError,
    decode_data_uri,
    encode_data_uri,
    is_http_url,
    open_checked_image,
)
from playground.record import Status
from playground.render import ClipSpec, write_clip
from playground.urlguard import UrlGuard, UrlRefused

SIMULATED_QUEUE = (1, 0)  # queue positions reported before the "model" starts
IMAGE_FIELDS = ("image_url", "end_image_url", "reference_image_urls", "image_urls")


def _image(endpoint: Endpoint, value: str | None, missed: list[str], name: str) -> Image.Image | None:
    """An inline image, or None (and why) when it is not one: a URL the preview fetched is checked only here."""
    if not value:
        return None
    try:
        return open_checked_image(decode_data_uri(value)[1], endpoint.image_formats)
    except MediaError as exc:
        missed.append(f"{name} not used: {exc}")
        return None


async def _local(guard: UrlGuard, value: Any, missed: list[str], name: str) -> Any:
    """Remote image URLs fetched (through the URL guard) and inlined, so the preview can show them."""
    if isinstance(value, list):
        return [await _local(guard, item, missed, f"{name}[{i}]") for i, item in enumerate(value)]
    if not isinstance(value, str) or not is_http_url(value):
        return value
    try:
        data, content_type = await guard.fetch(value)
    except UrlRefused as exc:
        missed.append(f"{name} not used: {exc}")
        return None
    return encode_data_uri(data, content_type.split(";")[0].strip() or "application/octet-stream")


def _first(value: Any) -> str | None:
    return value[0] if isinstance(value, list) and value else value if isinstance(value, str) else None


def _check(stop: asyncio.Event) -> None:
    if stop.is_set():
        raise RunError("cancelled by the user", status=Status.CANCELLED)


def _build(_settings: FalSettings) -> BackendForKey:
    """One preview renderer per app, whatever the key (it uses none)."""
    backend = OfflineBackend()
    return lambda _key: backend


KIND = BackendKind(name="offline", title="offline preview", label="offline preview (synthetic clip, not model output)",
                   about="labelled synthetic clips at the requested size, length and frame rate; not model output, "
                         "no cost", paid=False, needs_key=False, can_cancel=False, can_refetch=False,
                   model_output=False, build=_build)


class OfflineBackend:
    """Renders an honest, clearly labelled stand-in clip at the exact requested size, length and frame rate."""

    name, paid = KIND.name, KIND.paid

    def __init__(self, step_delay_s: float = 0.1, guard: UrlGuard | None = None):
        self.step_delay_s = step_delay_s
        self.guard = guard or UrlGuard()

    async def prepare(self, endpoint: Endpoint, arguments: dict[str, Any]) -> dict[str, Any]:
        return arguments  # inline files are read locally, nothing is uploaded

    async def run(self, *, endpoint: Endpoint, arguments: dict[str, Any], outputs: Path, run_id: str,
                  stop: asyncio.Event, deadline: float) -> AsyncGenerator[Event, None]:
        """The preview's events and clip (``deadline`` unused: a render takes seconds)."""
        request_id = f"offline-{run_id}"
        yield Submitted(request_id)
        for position in SIMULATED_QUEUE:
            yield Queued(position)
            await asyncio.sleep(self.step_delay_s)
            _check(stop)
        seed = arguments.get("seed")
        if seed is None or seed < 0:
            seed = secrets.randbelow(2**31)
        missed: list[str] = []  # inputs the picture could not use: the result must not claim to match the request
        images = {name: await _local(self.guard, arguments[name], missed, name) for name in IMAGE_FIELDS
                  if arguments.get(name)}
        arguments = {**arguments, **images}  # local copies only for the picture; the run logs what was sent
        shape = output_shape(endpoint, arguments)
        start = _image(endpoint, arguments.get("image_url") or _first(arguments.get("reference_image_urls"))
                       or _first(arguments.get("image_urls")), missed, "start image")
        end = _image(endpoint, arguments.get("end_image_url"), missed, "end image")
        logs = [f"offline preview of {endpoint.endpoint_id}: {shape.width}×{shape.height}, "
                f"{shape.frames} frames at {shape.fps} fps, seed {seed}",
                *(f"{note}; the preview shows a generated field instead" for note in missed)]
        camera_fixed = bool(arguments.get("camera_fixed", False))
        logs.append("camera fixed" if camera_fixed else "camera: seed-driven pan")
        yield InProgress(tuple(logs))
        spec = ClipSpec(width=shape.width, height=shape.height, fps=shape.fps, frames=shape.frames, seed=seed,
                        prompt=str(arguments.get("prompt", "")), camera_fixed=camera_fixed, start_image=start,
                        end_image=end, caption=f"seed {seed}",  # no endpoint name: a blind vote must stay blind
                        sound=makes_sound(endpoint, arguments))
        path = outputs / f"{run_id}.mp4"
        await asyncio.to_thread(write_clip, spec, path)  # CPU work off the event loop
        if stop.is_set():
            path.unlink(missing_ok=True)
            _check(stop)
        size = path.stat().st_size
        yield InProgress((f"encoded {path.name} ({size:,} bytes)",))
        result = {"video": {"url": path.as_uri(), "content_type": "video/mp4", "file_name": path.name, "file_size": size},
                  "seed": seed}
        yield Completed(request_id=request_id, result=result, warnings=tuple(missed))

    async def resume(self, *, endpoint_id: str, request_id: str, urls: dict[str, str], stop: asyncio.Event,
                     deadline: float) -> AsyncGenerator[Event, None]:
        """Never needed: an offline run is not journaled (it costs nothing and cannot outlive its process)."""
        raise RunError("an offline preview cannot be resumed after a restart; run it again")
        yield  # an async generator, like ``run``

    async def fetch(self, *, endpoint_id: str, request_id: str) -> Completed:
        """Nothing to fetch: an offline clip is rendered straight into the outputs folder, or not at all."""
        raise RunError("an offline preview has no remote result to fetch again; run it again")
