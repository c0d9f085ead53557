"""Cold start: `python app.py` until its first HTTP 200, against a hello-world Gradio app (goal ≤ 1.20×).

Both are started the same way (fresh processes, alternating, median of 3), offline, on free ports.

    .venv/bin/python bench/cold_start.py [--json]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from app_process import free_port
from common import ROOT, report

HELLO = "import gradio as gr\nwith gr.Blocks() as demo:\n    gr.Markdown('hello')\ndemo.launch()\n"
ROUNDS = 3


def first_200(script: Path, data_dir: Path) -> float:
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_SERVER_NAME": "127.0.0.1",
           "PLAYGROUND_DATA_DIR": str(data_dir)}
    env.pop("FAL_KEY", None)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < 120:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{script} did not answer")
    finally:
        process.kill()
        process.wait()


def measure() -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-start-"))
    hello = folder / "hello.py"
    hello.write_text(HELLO)
    app_s, hello_s = [], []
    for _ in range(ROUNDS):
        hello_s.append(first_200(hello, folder / "data"))
        app_s.append(first_200(ROOT / "app.py", folder / "data"))
    return {"app_s": statistics.median(app_s), "hello_s": statistics.median(hello_s),
            "ratio": statistics.median(app_s) / statistics.median(hello_s)}


if __name__ == "__main__":
    f = measure()
    report(f, [f"python app.py → first HTTP 200   {f['app_s']:.2f} s (median of {ROUNDS})",
               f"hello-world Gradio app          {f['hello_s']:.2f} s",
               f"ratio                           {f['ratio']:.2f}   (goal ≤ 1.20)"])
