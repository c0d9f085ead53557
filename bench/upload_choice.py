"""How should an image shared by a batch reach fal: inline data URI per cell, or one storage upload?

Runs a 4-cell batch sharing one image against the fake fal server (real HTTPS on loopback, real fal-client),
both ways side by side, and prints bytes sent and wall time, with ratios. Loopback hides network cost, so
the bytes column is the one that carries over to fal; fal's own decoding of data URIs is not measured here.
Then a real image-to-video comparison through the playground: uploads per batch sharing one image (goal 1).

    .venv/bin/python bench/upload_choice.py [--json]
"""

from __future__ import annotations

import asyncio
import base64
import io
import tempfile
import time
from pathlib import Path

from common import report, start_fake

FAKE = start_fake()

import fal_client  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from playground.backends.connections import FalConnections  # noqa: E402
from playground.catalog import load_catalog  # noqa: E402
from playground.service import Playground  # noqa: E402

from fake_fal import Script  # noqa: E402

ENDPOINT, CELLS, KEY = "bytedance/seedance-2.0/image-to-video", 4, "bench:0123456789"
I2V = ["fal-ai/bytedance/seedance/v1/lite/image-to-video", "fal-ai/bytedance/seedance/v1/pro/image-to-video",
       "fal-ai/bytedance/seedance/v1/pro/fast/image-to-video", "bytedance/seedance-2.0/image-to-video"]


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


def bytes_sent(data: bytes, inline: bool) -> tuple[int, float]:
    FAKE.reset(Script(queue_s=0, run_s=0, logs=()))
    connections = FalConnections()
    uri = "data:image/png;base64," + base64.b64encode(data).decode()

    async def url() -> str:
        return uri if inline else await connections.upload(KEY, data, "image/png", "image_url.png")

    started = time.perf_counter()
    asyncio.run(batch(url))
    return sum(s.size for s in FAKE.requests), time.perf_counter() - started


def uploads_per_batch() -> int:
    FAKE.reset(Script(queue_s=0, run_s=0.2, logs=()))
    playground = Playground(load_catalog(), Path(tempfile.mkdtemp()) / "data", server_key=KEY)
    uri = "data:image/png;base64," + base64.b64encode(image(96)).decode()
    spec = {"prompts": ["x"], "endpoints": I2V, "seeds": [1, 2], "arguments": {"image_url": uri, "resolution": "480p"}}

    async def run():
        async for _ in playground.comparisons.run(spec):
            pass

    asyncio.run(run())
    return len(FAKE.seen("POST", "/files/upload"))


def measure() -> dict:
    figures = {}
    for side in (96, 360, 720):
        data = image(side)
        inline_bytes, inline_s = bytes_sent(data, inline=True)
        upload_bytes, upload_s = bytes_sent(data, inline=False)
        figures[f"{len(data) // 1024}KB"] = {"inline_bytes": inline_bytes, "inline_s": inline_s,
                                             "upload_bytes": upload_bytes, "upload_s": upload_s}
    return {"sizes": figures, "uploads_per_batch": uploads_per_batch()}


if __name__ == "__main__":
    f = measure()
    lines = [f"{CELLS} cells sharing one image; fake fal on loopback\n",
             f"{'image':>8} | {'data URI: bytes':>15} {'wall s':>7} | {'upload: bytes':>13} {'wall s':>7} | bytes ratio"]
    for size, s in f["sizes"].items():
        lines.append(f"{size:>8} | {s['inline_bytes']:>15,} {s['inline_s']:>7.3f} | {s['upload_bytes']:>13,} "
                     f"{s['upload_s']:>7.3f} | upload ÷ inline = {s['upload_bytes'] / s['inline_bytes']:.2f}")
    lines.append(f"\nuploads for an 8-cell image-to-video comparison sharing one image: {f['uploads_per_batch']} (goal 1)")
    report(f, lines)
    FAKE.stop()
