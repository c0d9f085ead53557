"""Shared by the benchmarks: import paths, the fake fal set up before fal_client is imported, JSON output."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the anchor of the start-up and page-weight benchmarks: a bare Gradio app, started and loaded the same way
HELLO = "import gradio as gr\nwith gr.Blocks() as demo:\n    gr.Markdown('hello')\ndemo.launch()\n"
for folder in (ROOT, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def start_fake():
    """An in-process fake fal, with the environment pointed at it (call before importing playground)."""
    from fake_fal import FakeFal

    fake = FakeFal(Path(tempfile.mkdtemp(prefix="bench-fal-"))).start()
    os.environ.update(fake.env())
    import fal_client.client

    fal_client.client.REST_URL = fal_client.client.CDN_URL = fake.base_url  # storage hosts are constants
    return fake


def report(figures: dict, lines: list[str]) -> None:
    """``--json``: the figures for bench/run.py; otherwise the lines, for a person."""
    if "--json" in sys.argv:
        print(json.dumps(figures))
    else:
        print("\n".join(lines))


def history_timings(revisits, append: Callable[[], None]) -> dict[str, float]:
    """History's first page as a visitor meets it: cold, warm, after one more run is appended, filtered by text."""
    from playground.history import Filters

    timings = {}
    for name, before, filters in (("cold first page", None, Filters()), ("warm first page", None, Filters()),
                                  ("first page after an append", append, Filters()),
                                  ("filtered by prompt text", None, Filters(text="shot 4242:"))):
        if before is not None:
            before()
        started = time.perf_counter()
        revisits.page(filters, 1)
        timings[name] = time.perf_counter() - started
    return timings
