"""One run through the playground against a bare fal-client submit-and-wait, on the same fake fal job.

The playground does more (validates, journals, follows the status stream, downloads and probes the video,
logs a row); fal-client polls every 0.1 s. Also: status requests per second of a 10 s job, with the status
stream and with polling only. Goals: ours ÷ bare ≤ 1.02; ≤ 1 status request per job-second.

    .venv/bin/python bench/single_run.py [--json]
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from common import report, start_fake

FAKE = start_fake()

import fal_client  # noqa: E402

from playground.catalog import load_catalog  # noqa: E402
from playground.service import Playground  # noqa: E402

from fake_fal import Script  # noqa: E402

ENDPOINT = "fal-ai/bytedance/seedance/v1/lite/text-to-video"
ARGS = {"prompt": "a lighthouse at dusk", "resolution": "480p", "duration": "4", "seed": 7}
KEY = "bench:0123456789abcdef"
ROUNDS = 3


async def timed(coroutine) -> float:
    started = time.perf_counter()
    await coroutine
    return time.perf_counter() - started


async def ours(playground: Playground) -> None:
    async for _ in playground.generate(ENDPOINT, ARGS):
        pass


async def status_rate(playground: Playground, stream: bool) -> float:
    FAKE.reset(Script(queue_s=2.0, positions=3, run_s=8.0, logs=tuple(f"step {i}" for i in range(8)), stream=stream))
    seconds = await timed(ours(playground))
    return len(FAKE.seen("GET", "/status")) / seconds


async def measure_all() -> dict:
    """In one event loop, as in the app: each side keeps its client (and connections) across rounds."""
    playground = Playground(load_catalog(), Path(tempfile.mkdtemp()) / "data", server_key=KEY)
    client = fal_client.AsyncClient(key=KEY)
    bare_s, ours_s = [], []
    for _ in range(ROUNDS + 1):  # alternate, so drift hits both alike; the first round warms connections up
        FAKE.reset(Script(queue_s=0.5, run_s=3.0))
        bare_s.append(await timed(client.subscribe(ENDPOINT, ARGS)))
        FAKE.reset(Script(queue_s=0.5, run_s=3.0))
        ours_s.append(await timed(ours(playground)))
    bare_s, ours_s = bare_s[1:], ours_s[1:]
    return {"bare_s": statistics.median(bare_s), "ours_s": statistics.median(ours_s),
            "ours_over_bare": statistics.median(ours_s) / statistics.median(bare_s),
            "status_per_job_s_stream": await status_rate(playground, True),
            "status_per_job_s_polling": await status_rate(playground, False)}


def measure() -> dict:
    return asyncio.run(measure_all())


if __name__ == "__main__":
    f = measure()
    report(f, [f"bare fal-client subscribe   {f['bare_s']:.3f} s (median of {ROUNDS}, 3.5 s job)",
               f"playground run              {f['ours_s']:.3f} s",
               f"ours ÷ bare                 {f['ours_over_bare']:.3f}   (goal ≤ 1.02)",
               f"status requests / job-s     {f['status_per_job_s_stream']:.2f} with the stream, "
               f"{f['status_per_job_s_polling']:.2f} polling only   (goal ≤ 1)"])
    FAKE.stop()
