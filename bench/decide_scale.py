"""`/decide` at 10,000 votes beside 1,000: does the decision stay quick as a team's votes pile up?

Writes a data folder with the same kind of logs the app keeps — results.csv (every clip the votes were cast on:
five text-to-video tiers, one row of four clips per prompt × seed) and votes.csv — at 1,000 and at 10,000 votes,
cast by 40 judges with winners drawn from known Bradley–Terry strengths (a fixed RNG). Then, for each, `/decide`
through the app's own named API (``Playground(...).api.decide``): cold (a new app over the folder: the logs read,
300 bootstrap resamples fitted) and warm (the logs cached). Goals: cold at 10,000 votes < 1 s; 10k ÷ 1k ≤ 10 (the
fit grows with the pairs it holds, not worse than with the votes).

    .venv/bin/python bench/decide_scale.py [--json]
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from pathlib import Path

# isort: off
from common import report  # first: it puts the repository on sys.path
# isort: on
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from playground.catalog import load_catalog  # noqa: E402
from playground.results import COLUMNS as RESULT_COLUMNS  # noqa: E402
from playground.service import Playground  # noqa: E402
from playground.votes import COLUMNS as VOTE_COLUMNS  # noqa: E402

STRENGTHS = {"fal-ai/bytedance/seedance/v1/lite/text-to-video": 0.0,
             "fal-ai/bytedance/seedance/v1/pro/text-to-video": 0.6,
             "fal-ai/bytedance/seedance/v1/pro/fast/text-to-video": 0.4,
             "bytedance/seedance-2.0/text-to-video": 1.1, "bytedance/seedance-2.0/fast/text-to-video": 1.1}
SHOWN = 4  # clips on show per row
JUDGES = 40
WHEN = "2026-11-23T10:00:00.000+00:00"


def build(folder: Path, votes: int) -> Path:
    """results.csv and votes.csv for ``votes`` votes, each on its own prompt × seed row of four clips."""
    folder.mkdir(parents=True, exist_ok=True)
    rng, tiers = np.random.default_rng(7), list(STRENGTHS)
    runs, cast = [], []
    for i in range(votes):
        shown = [tiers[k] for k in sorted(rng.choice(len(tiers), SHOWN, replace=False))]
        weights = np.array([math.exp(STRENGTHS[t]) for t in shown])
        winner = shown[rng.choice(SHOWN, p=weights / weights.sum())]
        batch, prompt, seed = f"b{i // 25:05d}", f"prompt {i % 25}", str(i)
        for tier in shown:
            runs.append({**dict.fromkeys(RESULT_COLUMNS, ""), "run_id": f"{i:08x}{tiers.index(tier)}",
                         "batch_id": batch, "created_at": WHEN, "backend": "fal", "endpoint_id": tier,
                         "status": "completed", "prompt": prompt, "seed": seed, "duration_s": "5.04",
                         "estimated_cost_usd": f"{0.2 + 0.1 * tiers.index(tier):.4f}", "has_audio": "false"})
        cast.append({**dict.fromkeys(VOTE_COLUMNS, ""), "vote_id": f"v{i:08d}", "created_at": WHEN, "batch_id": batch,
                     "row": f"p{i % 25}-s{i}", "prompt": prompt, "seed": seed, "winner": winner,
                     "candidates": json.dumps(shown), "backend": "fal", "judge": f"judge {i % JUDGES}"})
    pd.DataFrame(runs, columns=RESULT_COLUMNS).to_csv(folder / "results.csv", index=False, lineterminator="\n")
    pd.DataFrame(cast, columns=VOTE_COLUMNS).to_csv(folder / "votes.csv", index=False, lineterminator="\n")
    return folder


def timings(folder: Path, expected_votes: int) -> dict[str, float]:
    """`/decide` over the folder: cold (a new app: logs read, ratings fitted) and warm."""
    started = time.perf_counter()
    api = Playground(load_catalog(), folder).api
    answer = api.decide({})
    cold = time.perf_counter() - started
    if answer["votes"] != expected_votes or len(answer["points"]) != len(STRENGTHS):
        raise RuntimeError(f"/decide saw {answer['votes']} votes and {len(answer['points'])} tiers")
    started = time.perf_counter()
    api.decide({})
    return {"cold_s": cold, "warm_s": time.perf_counter() - started}


def measure() -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-decide-"))
    small, big = build(folder / "1k", 1_000), build(folder / "10k", 10_000)
    timings(small, 1_000)  # once, unmeasured: the modules imported and the files in the OS cache alike for both
    at_1k, at_10k = timings(small, 1_000), timings(big, 10_000)
    return {"at_1k": at_1k, "at_10k": at_10k, "cold_ratio": at_10k["cold_s"] / at_1k["cold_s"],
            "warm_ratio": at_10k["warm_s"] / at_1k["warm_s"]}


if __name__ == "__main__":
    f = measure()
    report(f, [f"/decide at 10,000 votes: cold {f['at_10k']['cold_s'] * 1000:.0f} ms, warm "
               f"{f['at_10k']['warm_s'] * 1000:.0f} ms   (goal cold < 1000 ms)",
               f"/decide at 1,000 votes:  cold {f['at_1k']['cold_s'] * 1000:.0f} ms, warm "
               f"{f['at_1k']['warm_s'] * 1000:.0f} ms",
               f"10k ÷ 1k: cold {f['cold_ratio']:.2f}, warm {f['warm_ratio']:.2f}   (goal ≤ 10)"])
