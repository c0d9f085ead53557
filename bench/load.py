"""200 fal jobs at once through a running app's `/compare`: do all finish, does the page stay responsive, how much
memory?

Everything goes over HTTP, as people and scripts reach the app: the fake fal runs in its own process (each job: 1 s
queued, 4 s running, status streamed); the app is `python app.py` in another (its run bounds raised by its settings
to 200); four gradio_client callers each send one `/compare` of 50 cells (2 prompts × 5 endpoints × 5 seeds) at once; a fourth
process requests the page every 50 ms while the jobs run. Goals: all 200 finish; p99 page time < 250 ms; the app's
peak RSS < 600 MB.

    .venv/bin/python bench/load.py [--json]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import ROOT, report

JOBS = int(os.environ.get("BENCH_LOAD_JOBS", "200"))
CALLERS = 4  # /compare takes four at once (its concurrency limit)
PROMPTS = 2  # per comparison: 2 prompts × 5 endpoints × 5 seeds = 50 cells (a comparison takes at most 8 seeds)
ENDPOINTS = ["fal-ai/bytedance/seedance/v1/lite/text-to-video", "fal-ai/bytedance/seedance/v1/pro/text-to-video",
             "fal-ai/bytedance/seedance/v1/pro/fast/text-to-video", "bytedance/seedance-2.0/text-to-video",
             "bytedance/seedance-2.0/fast/text-to-video"]
PROBE = """
import json, sys, time, urllib.request
url, stop_file = sys.argv[1], sys.argv[2]
import os
times = []
while not os.path.exists(stop_file):
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
    times.append(time.perf_counter() - started)
    time.sleep(0.05)
print(json.dumps(times))
"""


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure() -> dict:
    from app_process import AppProcess

    fake = subprocess.Popen([sys.executable, str(ROOT / "tests" / "fake_fal.py"), "--queue-s", "1", "--run-s", "4"],
                            stdout=subprocess.PIPE, text=True)
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        env = {**json.loads(fake.stdout.readline()), "FAL_KEY": "load:0123456789abcdef", "PLAYGROUND_BACKEND": "fal",
               "PLAYGROUND_MAX_RUNS": str(JOBS), "PLAYGROUND_BATCH_CONCURRENCY": str(JOBS),
               "PLAYGROUND_MAX_BATCH_CELLS": str(JOBS), "PLAYGROUND_MAX_BATCH_USD": "100000",
               "PLAYGROUND_FAL_TIMEOUT_S": "600"}
        app = AppProcess(work / "data", env, work / "app.log").start(timeout_s=120)
        try:
            return _measure(app)
        finally:
            app.stop()
    finally:
        fake.kill()


def _compare(url: str, caller: int, seeds: int) -> dict:
    from gradio_client import Client

    spec = {"prompts": [f"load job {caller}, take {take}" for take in range(PROMPTS)], "endpoints": ENDPOINTS,
            "seeds": list(range(caller * 100, caller * 100 + seeds)),
            "arguments": {"resolution": "480p", "duration": "2"}, "confirm": True}
    return Client(url, verbose=False).predict(json.dumps(spec), api_name="/compare")


def _measure(app) -> dict:
    idle_mb = _peak_rss_mb(app.process.pid)
    stop_file = Path(tempfile.mkdtemp()) / "stop"
    probe = subprocess.Popen([sys.executable, "-c", PROBE, app.url, str(stop_file)], stdout=subprocess.PIPE, text=True)
    seeds = JOBS // (CALLERS * len(ENDPOINTS) * PROMPTS)
    started = time.perf_counter()
    with ThreadPoolExecutor(CALLERS) as pool:
        answers = list(pool.map(lambda caller: _compare(app.url, caller, seeds), range(CALLERS)))
    wall = time.perf_counter() - started
    stop_file.touch()
    times = sorted(json.loads(probe.communicate()[0]))
    completed = sum(answer["counts"]["completed"] for answer in answers)
    jobs = sum(len(answer["cells"]) for answer in answers)
    return {"jobs": jobs, "completed": completed, "wall_s": wall, "page_requests": len(times),
            "page_p50_ms": times[len(times) // 2] * 1000, "page_p99_ms": times[int(len(times) * 0.99) - 1] * 1000,
            "page_slowest_ms": [round(t * 1000) for t in times[-5:]],
            "peak_rss_mb": _peak_rss_mb(app.process.pid), "idle_rss_mb": idle_mb, "load_average": os.getloadavg()[0]}


if __name__ == "__main__":
    f = measure()
    report(f, [f"{f['completed']} of {f['jobs']} jobs completed in {f['wall_s']:.1f} s through /compare over HTTP "
               "(each 5 s on the fake)",
               f"page during the load: p50 {f['page_p50_ms']:.0f} ms, p99 {f['page_p99_ms']:.0f} ms over "
               f"{f['page_requests']} requests   (goal p99 < 250 ms)",
               f"app peak RSS {f['peak_rss_mb']:.0f} MB (started: {f['idle_rss_mb']:.0f} MB)   (goal < 600 MB); "
               f"load average {f['load_average']:.1f}"])
