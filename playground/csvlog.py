"""An append-only CSV file with fixed columns, safe for several writers (threads or processes).

Rows are appended under a file lock, flushed and fsynced; values are written as text and read back as
text (``keep_default_na=False``), so "NA", commas, quotes, newlines and emoji come back exactly.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock


class CsvLog:
    """One CSV file, one header, rows appended whole or not at all."""

    columns: list[str] = []

    def __init__(self, path: Path, columns: list[str] | None = None):
        self.path = Path(path)
        self.columns = list(columns or self.columns)
        self._lock = FileLock(str(self.path) + ".lock")

    def append(self, row: dict[str, Any]) -> None:
        """Write one row (header first if the file is new); returns only once it is on disk."""
        unknown = set(row) - set(self.columns)
        if unknown:
            raise ValueError(f"unknown columns for {self.path.name}: {sorted(unknown)}")
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=self.columns, lineterminator="\n")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            if not self.path.exists() or self.path.stat().st_size == 0:
                writer.writeheader()
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in self.columns})
            with open(self.path, "a", encoding="utf-8", newline="") as handle:
                handle.write(buffer.getvalue())
                handle.flush()
                os.fsync(handle.fileno())

    def read(self) -> pd.DataFrame:
        """Every row, as text, in file order (oldest first)."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return pd.DataFrame(columns=self.columns)
        with self._lock:
            return pd.read_csv(self.path, dtype=str, keep_default_na=False)
