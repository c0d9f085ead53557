"""Are comparison cells really concurrent? A 4-endpoint × 2-seed batch against the fake fal server.

Each endpoint's jobs take a fixed time on the fake (1, 2, 3 and 4 s). Printed side by side, from one run:
the batch's wall time, the slowest cell's own total time, the serial sum of all cells, and the ratios.
Goal: wall ÷ slowest cell ≤ 1.15 (it would be ≈ 2.5 if cells ran one after another).

    .venv/bin/python bench/compare_wall.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from fake_fal import FakeFal, Script  # noqa: E402

FAKE = FakeFal(tempfile.mkdtemp(prefix="bench-fal-")).start()
os.environ.update(FAKE.env())  # before fal_client is imported

from playground.catalog import load_catalog  # noqa: E402
from playground.service import Playground  # noqa: E402

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


def main() -> None:
    for endpoint_id, seconds in LATENCY_S.items():
        FAKE.by_endpoint[endpoint_id] = Script(queue_s=0.0, run_s=seconds, logs=("working",))
    playground = Playground(load_catalog(), Path(tempfile.mkdtemp()) / "data", server_key="bench:0123456789abcdef")
    started = time.perf_counter()
    final = asyncio.run(run_batch(playground))
    wall = time.perf_counter() - started
    cells = [c for c in final["cells"] if c["status"] == "completed"]
    totals = [c["total_s"] for c in cells]
    slowest, serial = max(totals), sum(totals)
    print(f"cells completed        {len(cells)} of {len(final['cells'])} (4 endpoints × 2 seeds; fake latencies 1-4 s)")
    print(f"batch wall time        {wall:6.2f} s")
    print(f"slowest cell (own)     {slowest:6.2f} s    injected slowest {max(LATENCY_S.values()):.2f} s")
    print(f"serial sum of cells    {serial:6.2f} s")
    print(f"wall ÷ slowest cell    {wall / slowest:6.3f}     (goal ≤ 1.15)")
    print(f"serial sum ÷ wall      {serial / wall:6.2f}×    (speed-up from running cells at once)")
    print(f"wall ÷ injected max    {wall / max(LATENCY_S.values()):6.3f}     (includes status polling granularity)")
    FAKE.stop()


if __name__ == "__main__":
    main()
