"""The results log, ``<data dir>/results.csv``: one row per finished run (a contract: see the README).

Its columns are ``RunRecord``'s fields. Rows are appended by the runner when a run ends and changed only by a
fetch-again from History (``update``); ``ResultsLog`` is the one piece of code that writes the file. With
``PLAYGROUND_DATABASE_URL`` the same rows are kept in a database table instead (``playground.store``).
"""

from __future__ import annotations

from playground.record import COLUMNS, RunRecord
from playground.store.base import RecordLog


class ResultsLog(RecordLog):
    """Append-only log of finished runs (a CSV file, or a table), safe for several writers (threads or processes)."""

    columns = COLUMNS

    def add(self, record: RunRecord) -> None:
        """Write a finished run's row; returns once it is on disk."""
        self.append(record.to_row())
