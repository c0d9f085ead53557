"""Are comparison cells really concurrent? A 4-endpoint × 2-seed batch against the fake fal server.

Each endpoint's jobs take a fixed time on the fake (1, 2, 3 and 4 s). Printed side by side, from one run:
the batch's wall time, the slowest cell's own total time, the serial sum of all cells, and the ratios.
Goal: wall ÷ slowest cell ≤ 1.10 (it would be ≈ 2.5 if cells ran one after another).

    .venv/bin/python bench/compare_wall.py [--json]
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from common import report, start_fake

FAKE = start_fake()

from playground.catalog import load_catalog  # noqa: E402
from playground.service import Playground  # noqa: E402

from fake_fal import Script  # noqa: E402

LATENCY_S = {"fal-ai/bytedance/seedance/v1/lite/text-to-video": 1.0,
             "fal-ai/bytedance/seedance/v1/pro/text-to-video": 2.0,
             "fal-ai/bytedance/seedance/v1/pro/fast/text-to-video": 3.0,
             "bytedance/seedance-2.0/text-to-video": 4.0}
SPEC = {"prompts": ["a lighthouse at dusk"], "endpoints": list(LATENCY_S), "seeds": [7, 42],
        "arguments": {"resolution": "480p", "duration": "4"}}


async def run_batch(playground: Playground) -> dict:
    final = None
    async for snapshot in playground.comparisons.run(SPEC):
        final = snapshot
    return final


def measure() -> dict:
    for endpoint_id, seconds in LATENCY_S.items():
        FAKE.by_endpoint[endpoint_id] = Script(queue_s=0.0, run_s=seconds, logs=("working",))
    playground = Playground(load_catalog(), Path(tempfile.mkdtemp()) / "data", server_key="bench:0123456789abcdef")
    started = time.perf_counter()
    final = asyncio.run(run_batch(playground))
    wall = time.perf_counter() - started
    totals = [c["total_s"] for c in final["cells"] if c["status"] == "completed"]
    return {"cells": len(totals), "wall_s": wall, "slowest_cell_s": max(totals), "serial_sum_s": sum(totals),
            "wall_over_slowest": wall / max(totals), "injected_max_s": max(LATENCY_S.values())}


if __name__ == "__main__":
    f = measure()
    report(f, [f"cells completed        {f['cells']} of 8 (4 endpoints × 2 seeds; fake latencies 1-4 s)",
               f"batch wall time        {f['wall_s']:6.2f} s",
               f"slowest cell (own)     {f['slowest_cell_s']:6.2f} s    injected slowest {f['injected_max_s']:.2f} s",
               f"serial sum of cells    {f['serial_sum_s']:6.2f} s",
               f"wall ÷ slowest cell    {f['wall_over_slowest']:6.3f}     (goal ≤ 1.10)",
               f"serial sum ÷ wall      {f['serial_sum_s'] / f['wall_s']:6.2f}×"])
    FAKE.stop()
