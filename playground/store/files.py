"""The embedded store (the default): files under the data directory, in the formats they have always had —
``results.csv``, ``votes.csv`` and ``seed_checks.csv`` (the logs people open in a spreadsheet), ``batches/<id>.json``,
``presets/*.json`` and ``inflight/<run id>.json``; public-mode admissions are counted in this process's memory. Safe for several processes on one machine (file locks); a
folder shared between machines (a mounted bucket, NFS) has no such locks: several replicas need the database."""

from __future__ import annotations

from pathlib import Path

from playground.compare.store import BatchStore
from playground.guard import MemoryAdmissions
from playground.journal import Journal
from playground.results import ResultsLog
from playground.seed_checks import SeedChecksLog
from playground.store.parts import Store
from playground.store.preset_folder import PresetFolder
from playground.votes import VotesLog


def open_files(data_dir: Path) -> Store:
    """The embedded store over ``data_dir`` (nothing is created until something is written)."""
    return Store(ResultsLog(data_dir / "results.csv"), VotesLog(data_dir / "votes.csv"),
                 SeedChecksLog(data_dir / "seed_checks.csv"), BatchStore(data_dir / "batches"),
                 Journal(data_dir / "inflight"), PresetFolder(data_dir / "presets"), f"files under {data_dir}",
                 admissions=MemoryAdmissions())
