"""A backend that exists only in the tests: the proof that a new backend is its own file and one registration line.

``echo`` is free, needs no key and makes a real (small) MP4 here: every frame one flat colour drawn from the seed, at
the size, frame rate and length the request implies, so the app's own checks pass on it. It can fetch a result
again by its request id (the clip it made), so History offers Fetch again because it says so, not by its name.
Nothing under ``playground/`` knows it: a test registers it with
``monkeypatch.setitem(registry.KINDS, KIND.name, KIND)``.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import numpy as np

from playground.backends import BackendKind
from playground.errors import RunError
from playground.estimate import output_shape
from playground.events import Completed, InProgress, Submitted


def _build(settings):
    backend = EchoBackend()  # one per app: it remembers the clips it made, to fetch them again
    return lambda _key: backend


KIND = BackendKind(name="echo", title="echo clip", label="echo (a test backend: one flat colour, not model output)",
                   about="one flat colour per seed at the requested size, length and frame rate; a test backend, "
                         "no cost", paid=False, needs_key=False, can_cancel=False, can_refetch=True,
                   model_output=False, build=_build)


def write_flat_clip(path: Path, width: int, height: int, fps: int, frames: int, seed: int) -> None:
    """An H.264 MP4 of ``frames`` frames of one colour (from ``seed``), with PyAV."""
    import av

    colour = np.array(random.Random(seed).choices(range(40, 216), k=3), dtype=np.uint8)
    picture = np.broadcast_to(colour, (height, width, 3)).copy()
    with av.open(str(path), "w", container_options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for _ in range(frames):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")))
        container.mux(stream.encode())


def _result(path: Path, seed: int) -> dict:
    return {"video": {"url": path.as_uri(), "content_type": "video/mp4", "file_name": path.name,
                      "file_size": path.stat().st_size}, "seed": seed}


class EchoBackend:
    name, paid = KIND.name, KIND.paid

    def __init__(self):
        self.made: dict[str, tuple[Path, int]] = {}  # request id → the clip and its seed

    async def prepare(self, endpoint, arguments):
        return arguments

    async def run(self, *, endpoint, arguments, outputs, run_id, stop, deadline):
        request_id = f"echo-{run_id}"
        yield Submitted(request_id)
        seed = arguments.get("seed")
        seed = seed if isinstance(seed, int) and seed >= 0 else random.randrange(2**31)
        shape = output_shape(endpoint, arguments)
        yield InProgress((f"echo: {shape.width}×{shape.height}, {shape.frames} frames at {shape.fps} fps, seed {seed}",))
        path = outputs / f"{run_id}.mp4"
        await asyncio.to_thread(write_flat_clip, path, shape.width, shape.height, shape.fps, shape.frames, seed)
        if stop.is_set():
            path.unlink(missing_ok=True)
            raise RunError("cancelled by the user", status="cancelled")
        self.made[request_id] = (path, seed)
        yield Completed(request_id, _result(path, seed))

    async def resume(self, *, endpoint_id, request_id, urls, stop, deadline):
        raise RunError("an echo run is not journaled (it is free), so there is nothing to resume")
        yield

    async def fetch(self, *, endpoint_id, request_id):
        if request_id not in self.made or not self.made[request_id][0].is_file():
            raise RunError(f"echo has no clip for request {request_id}")
        return Completed(request_id, _result(*self.made[request_id]))
