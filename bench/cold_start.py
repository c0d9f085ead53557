"""Cold start: `python app.py` until its first HTTP 200, against a hello-world Gradio app (goal ≤ 1.10×).

Both are started the same way (fresh processes, offline, on free ports) in alternating pairs, hello-world first
then the app; the figure is the median of the pairs' ratios (each pair shares the machine's load of its moment),
with the load average beside it.

    .venv/bin/python bench/cold_start.py [--json]
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import HELLO, ROOT, report  # first: it puts the repository and tests/ on sys.path

PAIRS = 7


def first_200(script: Path, data_dir: Path) -> tuple[float, float]:
    """(wall seconds from the start of ``python script`` to its first HTTP 200, CPU seconds it used by then)."""
    from app_process import free_port

    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_SERVER_NAME": "127.0.0.1",
           "PLAYGROUND_DATA_DIR": str(data_dir)}
    env.pop("FAL_KEY", None)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    wall = None
    try:
        while wall is None and time.perf_counter() - started < 120:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as response:
                    if response.status == 200:
                        wall = time.perf_counter() - started
            except OSError:
                time.sleep(0.02)
    finally:
        process.kill()
        _, _, usage = os.wait4(process.pid, 0)  # the child's own CPU, less disturbed by other work than its wall time
        process.returncode = -9
    if wall is None:
        raise RuntimeError(f"{script} did not answer")
    return wall, usage.ru_utime + usage.ru_stime


def measure() -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-start-"))
    hello = folder / "hello.py"
    hello.write_text(HELLO)
    # our modules compiled once, as pip compiled Gradio's at install: a first run would write them, but not where
    # PYTHONDONTWRITEBYTECODE is set (as on this project's machines), and every measured start would then compile
    # ~100 modules from source (~60 ms) that the hello-world app never does
    compileall.compile_dir(ROOT / "playground", quiet=1)
    first_200(ROOT / "app.py", folder / "data")  # once, unmeasured: the data directory made, files in the OS cache
    hello_runs, app_runs, load = [], [], []
    for _ in range(PAIRS):
        load.append(os.getloadavg()[0])
        hello_runs.append(first_200(hello, folder / "data"))
        app_runs.append(first_200(ROOT / "app.py", folder / "data"))
    ratios = [app[0] / hello[0] for app, hello in zip(app_runs, hello_runs, strict=True)]
    cpu_ratios = [app[1] / hello[1] for app, hello in zip(app_runs, hello_runs, strict=True)]
    return {"app_s": statistics.median(a for a, _ in app_runs), "hello_s": statistics.median(h for h, _ in hello_runs),
            "ratio": statistics.median(ratios), "ratios": ratios, "pairs": PAIRS,
            "app_cpu_s": statistics.median(c for _, c in app_runs),
            "hello_cpu_s": statistics.median(c for _, c in hello_runs), "cpu_ratio": statistics.median(cpu_ratios),
            "loadavg": [min(load), max(load)]}


if __name__ == "__main__":
    f = measure()
    report(f, [f"python app.py → first HTTP 200   {f['app_s']:.2f} s (median of {PAIRS})",
               f"hello-world Gradio app          {f['hello_s']:.2f} s",
               f"ratio, median of {PAIRS} pairs       {f['ratio']:.2f}   (goal ≤ 1.10); each pair: "
               + " ".join(f"{r:.2f}" for r in f["ratios"]),
               f"CPU to first 200                {f['app_cpu_s']:.2f} s vs {f['hello_cpu_s']:.2f} s, ratio "
               f"{f['cpu_ratio']:.2f} (median of the pairs' ratios)",
               f"load average                    {f['loadavg'][0]:.2f}–{f['loadavg'][1]:.2f} (2 cores)"])
