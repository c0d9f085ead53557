"""The results log, ``<data dir>/results.csv``: one row per finished run (a contract: see the README).

Its columns are ``RunRecord``'s fields. Rows are appended by the runner when a run ends and changed only by a
fetch-again from History (``update``); ``ResultsLog`` is the one piece of code that writes the file.
"""

from __future__ import annotations

from playground.csvlog import CsvLog
from playground.record import COLUMNS, RunRecord


class ResultsLog(CsvLog):
    """Append-only CSV of finished runs, safe for several writers (threads or processes)."""

    columns = COLUMNS

    def add(self, record: RunRecord) -> None:
        """Write a finished run's row; returns once it is on disk."""
        self.append(record.to_row())
