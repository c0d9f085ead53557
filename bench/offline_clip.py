"""How long the offline preview takes to render and encode a 5 s 720p clip (goal < 3 s).

    .venv/bin/python bench/offline_clip.py [--json]
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

# isort: off
from common import report  # first: it puts the repository on sys.path
# isort: on
from playground.render import ClipSpec, write_clip

ROUNDS = 3


def measure() -> dict:
    folder = Path(tempfile.mkdtemp())
    times = []
    for seed in range(ROUNDS):
        started = time.perf_counter()
        write_clip(ClipSpec(1248, 704, 24, 120, seed, "a lighthouse at dusk, waves rolling in"), folder / f"{seed}.mp4")
        times.append(time.perf_counter() - started)
    return {"clip_720p_5s_s": statistics.median(times)}


if __name__ == "__main__":
    f = measure()
    report(f, [f"offline preview, 1248×704, 120 frames: {f['clip_720p_5s_s']:.2f} s (median of {ROUNDS}; goal < 3 s)"])
