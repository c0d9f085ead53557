"""The data directory must take writes before the app takes visitors: a paid result with nowhere to go is worse
than an app that will not start. So start-up tries a write in it, in each folder it keeps, and on each log it
appends to, and stops with one clear message naming what refused and why (a full disk, a read-only mount, a file
the app may not write)."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from playground.errors import PlaygroundError, disk_problem

log = logging.getLogger(__name__)
LOGS = ("results.csv", "votes.csv", "seed_checks.csv")
FOLDERS = ("outputs", "inflight", "batches", "inputs", "presets", "exports", "gallery")


def _try_folder(folder: Path) -> None:
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-") as probe:
        probe.write(b"ok")
        probe.flush()
        os.fsync(probe.fileno())


def check_writable(data_dir: Path) -> None:
    """PlaygroundError unless the data directory, its folders and its logs can all be written."""
    refused: list[str] = []
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        _try_folder(data_dir)
    except OSError as exc:
        raise PlaygroundError(f"the data directory {data_dir} cannot be written: {disk_problem(exc)}. Set "
                              "PLAYGROUND_DATA_DIR to a folder the app can write, or free space / make it "
                              "writable") from None
    for name in FOLDERS:
        if (data_dir / name).is_dir():
            try:
                _try_folder(data_dir / name)
            except OSError as exc:
                refused.append(f"{name}/ ({disk_problem(exc)})")
    for name in LOGS:
        if (data_dir / name).exists():
            try:
                with open(data_dir / name, "ab"):  # opened for appending, nothing written
                    pass
            except OSError as exc:
                refused.append(f"{name} ({disk_problem(exc)})")
    if refused:
        raise PlaygroundError(f"in the data directory {data_dir}, the app cannot write: {'; '.join(refused)}. "
                              "Make them writable (or move them aside) and start again")
    log.info("data directory: %s (results, votes, kept batches, videos)", data_dir)


CODE = Path(__file__).resolve().parent  # on a Space: copied onto the container's own (ephemeral) disk


def ephemeral_warning(data_dir: Path, on_spaces: bool, code: Path = CODE) -> str | None:
    """On a Space, what to say when the data directory is on the container's own disk (the filesystem the app's
    code was copied onto), which a restart wipes: since April 2026 only a mounted Storage Bucket persists. None
    elsewhere, or when the directory is on a volume mounted apart."""
    if not on_spaces:
        return None
    try:
        ephemeral = os.stat(data_dir).st_dev == os.stat(code).st_dev
    except OSError:
        return None
    if not ephemeral:
        return None
    return (f"the data directory {data_dir} is on this Space's ephemeral disk: results, votes and videos are lost "
            "when the Space restarts. Mount a Storage Bucket as a volume (the Space's Settings → Volumes, e.g. at "
            "/data) and set PLAYGROUND_DATA_DIR=/data; several replicas also need PLAYGROUND_DATABASE_URL")
