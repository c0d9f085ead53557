"""How should an image shared by a batch reach fal: inline data URI per cell, or one storage upload?

Runs a 4-cell batch sharing one image against the fake fal server (real HTTPS on loopback, real fal-client),
both ways side by side, and prints bytes sent and wall time, with ratios. Loopback hides network cost, so
the bytes column is the one that carries over to fal; fal's own decoding of data URIs is not measured here.

    .venv/bin/python bench/upload_choice.py
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent.parent / "tests")]
from fake_fal import FakeFal, Script  # noqa: E402

FAKE = FakeFal(tempfile.mkdtemp(prefix="bench-fal-")).start()
os.environ.update(FAKE.env())

import fal_client  # noqa: E402
import fal_client.client  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from playground.backends.connections import FalConnections  # noqa: E402

fal_client.client.REST_URL = fal_client.client.CDN_URL = FAKE.base_url
ENDPOINT, CELLS, KEY = "bytedance/seedance-2.0/image-to-video", 4, "bench:0123456789"


def image(side: int) -> bytes:
    pixels = np.random.default_rng(side).integers(0, 255, (side, side * 16 // 9, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


async def batch(image_url_for) -> None:
    client = fal_client.AsyncClient(key=KEY)

    async def cell(seed: int):
        handle = await client.submit(ENDPOINT, {"prompt": "x", "image_url": await image_url_for(), "seed": seed})
        await handle.get(interval=0.05)

    await asyncio.gather(*(cell(seed) for seed in range(CELLS)))


def measure(data: bytes, inline: bool) -> tuple[int, float]:
    FAKE.reset(Script(queue_s=0, run_s=0, logs=()))
    connections = FalConnections()
    uri = "data:image/png;base64," + base64.b64encode(data).decode()

    async def url() -> str:
        return uri if inline else await connections.upload(KEY, data, "image/png", "image_url.png")

    started = time.perf_counter()
    asyncio.run(batch(url))
    return sum(s.size for s in FAKE.requests), time.perf_counter() - started


def main() -> None:
    print(f"{CELLS} cells sharing one image; fake fal on loopback\n")
    print(f"{'image':>12} | {'data URI: bytes':>15} {'wall s':>7} | {'upload: bytes':>13} {'wall s':>7} | bytes ratio")
    for side in (96, 360, 720):
        data = image(side)
        inline_bytes, inline_s = measure(data, inline=True)
        upload_bytes, upload_s = measure(data, inline=False)
        print(f"{len(data) / 1024:>9.0f} KB | {inline_bytes:>15,} {inline_s:>7.3f} | {upload_bytes:>13,} {upload_s:>7.3f} |"
              f" upload ÷ inline = {upload_bytes / inline_bytes:.2f}")
    FAKE.stop()


if __name__ == "__main__":
    main()
