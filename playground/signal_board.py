"""Signals as people read them: per clip in one short line (the grid's captions, History's details), and per
endpoint for the leaderboard, each signal's mean over its measured clips with a 95 % interval (Student's t on the
clips' spread), so a difference between tiers can be told from noise."""

from __future__ import annotations

import numpy as np
import pandas as pd

from playground.record import RunRecord

T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
       2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def t95(freedom: int) -> float:
    """Student's t two-sided 95 % quantile: the table to 30 degrees of freedom, then z + (z³ + z) / 4ν (within
    0.001 beyond)."""
    if freedom <= len(T95):
        return T95[freedom - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * freedom)


SIGNALS = ("motion", "flicker", "sharpness", "loudness_db", "silence")
COLUMNS = ["endpoint", "clips", *(f"{name}{part}" for name in SIGNALS for part in ("", "_low", "_high")),
           "cuts_per_clip", "endpoint_id"]
DTYPES = {c: "str" if c in ("endpoint", "endpoint_id") else "int64" if c == "clips" else "float64" for c in COLUMNS}


def _mean_interval(values: pd.Series) -> tuple[float | None, float | None, float | None]:
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    numbers = numbers[np.isfinite(numbers)]
    if numbers.empty:
        return None, None, None
    mean = float(numbers.mean())
    if len(numbers) < 2:
        return round(mean, 3), None, None
    half = float(t95(len(numbers) - 1) * numbers.std(ddof=1) / np.sqrt(len(numbers)))
    return round(mean, 3), round(mean - half, 3), round(mean + half, 3)


def signal_board(results: pd.DataFrame, labels: dict[str, str], backend: str = "all") -> pd.DataFrame:
    """One row per endpoint with measured clips (completed generations; judge runs have no clip), best-measured
    first: how many clips, and each signal's mean with its 95 % interval (none from a single clip)."""
    if results.empty or "sharpness" not in results:
        return pd.DataFrame(columns=COLUMNS).astype(DTYPES)
    done = results[(results.status == "completed") & (results.sharpness.astype(str) != "")]
    if "judged" in done:
        done = done[done.judged.astype(str) == ""]
    if backend != "all":
        done = done[done.backend == backend]
    rows = []
    for endpoint_id, clips in done.groupby("endpoint_id", sort=True):
        row: dict[str, object] = {"endpoint": labels.get(str(endpoint_id), str(endpoint_id)), "clips": len(clips),
                                  "endpoint_id": str(endpoint_id)}
        for name in SIGNALS:
            row[name], row[f"{name}_low"], row[f"{name}_high"] = _mean_interval(clips[name])
        row["cuts_per_clip"] = round(float(np.mean([len(str(c).split()) for c in clips.cuts.fillna("")])), 3)
        rows.append(row)
    board = pd.DataFrame(rows, columns=COLUMNS).astype(DTYPES)  # one dtype per column, empty or not (NaN: none)
    return board.sort_values("clips", ascending=False, kind="stable", ignore_index=True)


def signals_line(run: RunRecord) -> str:
    """"motion 3.1 · flicker 0.4 · sharpness 212 · cuts at 48 · −21 dB, 10 % silent" ("" before it is measured)."""
    if run.sharpness is None and run.flicker is None:
        return ""
    parts = [f"motion {run.motion:.1f}" if run.motion is not None else "",
             f"flicker {run.flicker:.1f}" if run.flicker is not None else "",
             f"sharpness {run.sharpness:.0f}" if run.sharpness is not None else "",
             f"cuts at {', '.join(run.cuts.split())}" if run.cuts.strip() else "no cuts"]
    if run.loudness_db is not None:
        silent = f", {run.silence:.0%} silent" if run.silence is not None else ""
        parts.append(f"{run.loudness_db:.0f} dB{silent}".replace("-", "−"))
    return " · ".join(part for part in parts if part)
