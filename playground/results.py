"""The results log: one CSV row per finished run, appended under a file lock and fsynced.

This module is the only writer of ``results.csv``. Values are written as text and read back as text
(``keep_default_na=False``), so a prompt such as "NA" or one with commas, quotes, newlines or emoji
comes back exactly as it went in.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock

COLUMNS = [
    "run_id", "batch_id", "created_at", "finished_at", "backend", "endpoint_id", "status", "request_id", "prompt",
    "arguments_json", "seed", "video_url", "video_path", "width", "height", "fps", "frames", "duration_s",
    "queue_s", "run_s", "total_s", "estimated_cost_usd", "billed_units", "error",
]
STATUSES = ("completed", "failed", "cancelled", "timed_out")


class ResultsLog:
    """Append-only CSV of finished runs, safe for several writers (threads or processes)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = FileLock(str(self.path) + ".lock")

    def append(self, row: dict[str, Any]) -> None:
        """Write one row (header first if the file is new); returns only once it is on disk."""
        unknown = set(row) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown results columns: {sorted(unknown)}")
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            if not self.path.exists() or self.path.stat().st_size == 0:
                writer.writeheader()
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in COLUMNS})
            with open(self.path, "a", encoding="utf-8", newline="") as handle:
                handle.write(buffer.getvalue())
                handle.flush()
                os.fsync(handle.fileno())

    def read(self) -> pd.DataFrame:
        """Every row, as text, in file order (oldest first)."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return pd.DataFrame(columns=COLUMNS)
        with self._lock:
            return pd.read_csv(self.path, dtype=str, keep_default_na=False)

    def newest(self, limit: int) -> list[dict[str, str]]:
        """The last ``limit`` rows, newest first."""
        frame = self.read()
        return frame.iloc[::-1].head(max(0, int(limit))).to_dict(orient="records")
