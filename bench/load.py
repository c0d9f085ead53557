"""200 fal jobs at once in one app process: do all finish, does the page stay responsive, how much memory?

The fake fal runs in its own process (each job: 1 s queued, 4 s running, status streamed); the app runs
in this process with its run bounds raised to 200, and a separate process requests the page every 50 ms
while the jobs run. Goals: all 200 finish; p99 page time < 250 ms; peak RSS < 600 MB.

    .venv/bin/python bench/load.py [--json]
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import ROOT, report

JOBS = int(os.environ.get("BENCH_LOAD_JOBS", "200"))
PROBE = """
import json, sys, time, urllib.request
url, until = sys.argv[1], time.time() + float(sys.argv[2])
times = []
while time.time() < until:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
    times.append(time.perf_counter() - started)
    time.sleep(0.05)
print(json.dumps(times))
"""


def measure() -> dict:
    fake = subprocess.Popen([sys.executable, str(ROOT / "tests" / "fake_fal.py"), "--queue-s", "1", "--run-s", "4"],
                            stdout=subprocess.PIPE, text=True)
    try:
        os.environ.update(json.loads(fake.stdout.readline()))  # before fal_client is imported
        return _measure()
    finally:
        fake.kill()


def _measure() -> dict:
    from playground.catalog import load_catalog
    from playground.config import FalSettings, Limits
    from playground.service import Playground
    from playground.ui import build_app, launch_options

    from app_process import free_port

    limits = Limits(max_runs=JOBS, batch_concurrency=JOBS, max_batch_cells=JOBS)
    playground = Playground(load_catalog(), Path(tempfile.mkdtemp()) / "data", server_key="load:0123456789abcdef",
                            fal_settings=FalSettings(timeout_s=300), limits=limits)
    demo = build_app(playground)
    demo.queue()
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **launch_options(playground))
    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    async def one(i: int) -> str:
        result = None
        async for item in playground.generate("fal-ai/bytedance/seedance/v1/lite/text-to-video",
                                              {"prompt": f"job {i}", "resolution": "480p", "duration": "2",
                                               "seed": i}):
            result = item
        return result.status

    async def all_jobs() -> list[str]:
        return list(await asyncio.gather(*(one(i) for i in range(JOBS)), return_exceptions=True))

    outcome: dict = {}
    probe = subprocess.Popen([sys.executable, "-c", PROBE, f"http://127.0.0.1:{port}/", "12"], stdout=subprocess.PIPE,
                             text=True)
    started = time.perf_counter()
    worker = threading.Thread(target=lambda: outcome.update(statuses=asyncio.run(all_jobs())))
    worker.start()
    worker.join()
    wall = time.perf_counter() - started
    times = sorted(json.loads(probe.communicate()[0]))
    demo.close()
    completed = sum(1 for s in outcome["statuses"] if s == "completed")
    return {"jobs": JOBS, "completed": completed, "wall_s": wall, "page_requests": len(times),
            "page_p50_ms": times[len(times) // 2] * 1000, "page_p99_ms": times[int(len(times) * 0.99) - 1] * 1000,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "idle_rss_mb": baseline_mb}


if __name__ == "__main__":
    f = measure()
    report(f, [f"{f['completed']} of {f['jobs']} jobs completed in {f['wall_s']:.1f} s (each 5 s on the fake)",
               f"page during the load: p50 {f['page_p50_ms']:.0f} ms, p99 {f['page_p99_ms']:.0f} ms over "
               f"{f['page_requests']} requests   (goal p99 < 250 ms)",
               f"peak RSS {f['peak_rss_mb']:.0f} MB (app started: {f['idle_rss_mb']:.0f} MB)   (goal < 600 MB)"])
