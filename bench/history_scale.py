"""Does History stay fast on a big log, and does appending stay constant-time?

Builds results.csv files of 100 and 100,000 rows (realistic columns and prompts), then measures, side by
side in one run: History's first page (cold: a fresh process reading the file; warm; after one more append;
filtered by prompt text), and the time of one append at 100 rows vs at 100,000 rows.
Goals: first page < 1 s; append at 100,000 rows within 20 % of append at 100 rows.

    .venv/bin/python bench/history_scale.py [--json]
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

# isort: off
from common import history_timings, report  # first: it puts the repository on sys.path
# isort: on
import pandas as pd  # noqa: E402

from playground.catalog import load_catalog  # noqa: E402
from playground.results import COLUMNS, ResultsLog  # noqa: E402
from playground.service import Playground  # noqa: E402

APPENDS = 60


def row(i: int) -> dict:
    arguments = {"prompt": f"Shot {i}: a paper boat, \"slow\" pan, rain, 🎬", "resolution": "480p", "duration": "5",
                 "seed": i}
    return {"run_id": f"{i:016x}", "batch_id": f"b{i // 16:06d}", "created_at": "2026-11-23T10:00:00.000+00:00",
            "finished_at": "2026-11-23T10:00:31.000+00:00", "backend": ("fal", "offline")[i % 2],
            "endpoint_id": "fal-ai/bytedance/seedance/v1/lite/text-to-video", "status": "completed",
            "request_id": f"req-{i:08d}", "prompt": arguments["prompt"], "arguments_json": json.dumps(arguments),
            "seed": i, "video_url": f"https://v3.fal.media/files/x/{i}.mp4", "video_path": f"/data/outputs/{i}.mp4",
            "width": 864, "height": 480, "fps": 24, "frames": 120, "duration_s": 5, "queue_s": 1.2, "run_s": 29.8,
            "total_s": 31, "estimated_cost_usd": 0.0875, "billed_units": "1", "error": "", "checks": "ok",
            "has_audio": "false", "mean_luma": 80.1, "motion": 0.43}


def build(path: Path, rows: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame([row(i) for i in range(rows)], columns=COLUMNS).to_csv(path, index=False, lineterminator="\n")
    return path


def first_page(path: Path) -> dict[str, float]:
    revisits = Playground(load_catalog(), path.parent).revisits  # the app's own History over this log
    return history_timings(revisits, lambda: revisits.results.append(row(10**7)))


def append_times(small: Path, big: Path) -> tuple[float, float]:
    """Median append time on each file, alternating between them so disk noise hits both alike."""
    logs = {small: ResultsLog(small), big: ResultsLog(big)}
    samples: dict[Path, list[float]] = {small: [], big: []}
    for log in logs.values():
        log.append(row(10**7 + 1))  # the first append checks the header once
    for i in range(APPENDS):
        for path, log in logs.items():
            started = time.perf_counter()
            log.append(row(10**7 + 2 + i))
            samples[path].append(time.perf_counter() - started)
    return statistics.median(samples[small]), statistics.median(samples[big])


def measure() -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-history-"))
    small, big = build(folder / "small" / "results.csv", 100), build(folder / "big" / "results.csv", 100_000)
    pages = first_page(big)
    at_small, at_big = append_times(small, big)
    return {"big_mb": big.stat().st_size / 1e6, "pages_s": pages, "append_100_s": at_small, "append_100k_s": at_big,
            "append_ratio": at_big / at_small}


if __name__ == "__main__":
    f = measure()
    lines = [f"results.csv of 100,000 rows ({f['big_mb']:.1f} MB)\n"]
    lines += [f"History, 100,000 rows, {name:<28} {seconds * 1000:8.1f} ms   (goal < 1000 ms)"
              for name, seconds in f["pages_s"].items()]
    lines.append(f"\nappend, median of {APPENDS}:  at 100 rows {f['append_100_s'] * 1000:.2f} ms   at 100,000 rows "
                 f"{f['append_100k_s'] * 1000:.2f} ms   ratio {f['append_ratio']:.2f}   (goal 0.80–1.20)")
    report(f, lines)
