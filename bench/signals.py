"""How long measuring a clip's signals takes (goal < 1 s for 5 s of 1280×720 at 24 fps, H.264 with AAC sound), beside
today's per-clip decode, media.probe_video, on the same file in the same run; and through the worker process.

    .venv/bin/python bench/signals.py [--json]
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

# isort: off
from common import report  # first: it puts the repository on sys.path
# isort: on
from playground.media import probe_video
from playground.offload import Offload
from playground.render import ClipSpec, write_clip
from playground.signals import measure

ROUNDS = 7


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


async def through_worker(clip: Path) -> tuple[float, float]:
    """(first call: a fresh worker starting and importing PyAV, then a warm call's median)."""
    offload = Offload()
    try:
        started = time.perf_counter()
        await offload.run(measure, clip)
        first = time.perf_counter() - started
        warm = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            await offload.run(measure, clip)
            warm.append(time.perf_counter() - started)
        return first, statistics.median(warm)
    finally:
        offload.close()


def figures() -> dict:
    clip = write_clip(ClipSpec(1280, 720, 24, 120, 7, "a lighthouse at dusk, waves rolling in", sound=True),
                      Path(tempfile.mkdtemp()) / "clip.mp4")
    measure(clip), probe_video(clip)  # PyAV imported and the file in the page cache for both
    measured, probed = [], []
    for _ in range(ROUNDS):  # interleaved, so both see the same machine
        measured.append(timed(lambda: measure(clip)))
        probed.append(timed(lambda: probe_video(clip)))
    first, warm = asyncio.run(through_worker(clip))
    m, p = statistics.median(measured), statistics.median(probed)
    return {"measure_s": m, "probe_video_s": p, "measure_over_probe": m / p, "worker_first_s": first,
            "worker_warm_s": warm}


if __name__ == "__main__":
    f = figures()
    report(f, [f"signals of a 5 s 1280×720 24 fps clip with sound: {f['measure_s']:.3f} s (median of {ROUNDS}; goal "
               f"< 1 s)", f"probe_video on the same file: {f['probe_video_s']:.3f} s (measure ÷ probe_video "
               f"{f['measure_over_probe']:.2f})", f"through the worker process: first call {f['worker_first_s']:.2f} s "
               f"(starting it), then {f['worker_warm_s']:.3f} s"])
