"""The one error family of the playground. The UI translates these once, at its edge.

PlaygroundError
 ├── CatalogError     a shipped or refreshed data file is malformed (names the file and the field)
 ├── PresetError      a preset file is malformed (names the file and the key; the app still starts)
 ├── InputError       a request is invalid; carries ``field: message`` problems; nothing was sent
 ├── LimitError       a public-mode limit (spend cap, concurrency, rate) stops a run before anything is sent
 ├── RunError         a backend failed to produce a result for a valid request (``status`` says how it ended)
 └── DownloadError    a finished result's video could not be saved locally (the run itself succeeded)
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import TypeGuard

from playground.record import RunRecord, Status
from playground.text import escape_surrogates

MAY_HAVE_RUN = "fal may have accepted it and may bill it"  # a submit whose answer never arrived (said in its row)


def may_have_run(error: str) -> bool:
    """Whether a run's row says fal may have it although its request id never arrived: never sent again
    automatically (an extension keeps such a cell as it is), since that could pay for it twice."""
    return MAY_HAVE_RUN in (error or "")


class PlaygroundError(Exception):
    """Base class for every error the playground raises on purpose."""


class CatalogError(PlaygroundError):
    """Seen by whoever ships or refreshes endpoint data: names the file and the field."""

    def __init__(self, file: str, field: str, message: str):
        self.file, self.field = file, field
        super().__init__(f"{file}: {field}: {message}")


class PresetError(PlaygroundError):
    """Seen at start-up or when saving: a preset that cannot be used, with its file and every bad key."""

    def __init__(self, file: str, problems: list[tuple[str, str]]):
        self.file, self.problems = file, list(problems)
        super().__init__("\n".join(self.lines))

    @property
    def lines(self) -> list[str]:
        return [escape_surrogates(f"{self.file}: {key}: {message}") for key, message in self.problems]


class InputError(PlaygroundError):
    """Seen by the user: a request that must not be sent, with one line per offending field."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = list(problems)
        super().__init__("\n".join(f"{field}: {message}" for field, message in self.problems))

    @property
    def fields(self) -> list[str]:
        return [field for field, _ in self.problems]


class LimitError(PlaygroundError):
    """Seen by a visitor of a public deployment: why this run may not start now; nothing was sent."""


class RunError(PlaygroundError):
    """Seen by the user: a valid request that a backend could not complete."""

    def __init__(self, message: str, status: Status = Status.FAILED, result: RunRecord | None = None):
        self.status = status
        self.result = result  # the run's logged record, once its row is written
        super().__init__(message)


class DownloadError(PlaygroundError):
    """Seen by the user beside a completed run: the video stayed remote (its URL is kept in the log)."""


DISK_WHY = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
            errno.EROFS: "the disk is mounted read-only", errno.EACCES: "the app may not write there",
            errno.EPERM: "the app may not write there", errno.EFBIG: "the file grew past the size allowed"}


def is_disk_problem(exc: BaseException) -> TypeGuard[OSError]:
    """Whether ``exc`` is the disk refusing a write (not, say, a network error, which is an OSError too)."""
    return isinstance(exc, OSError) and exc.errno in DISK_WHY


def disk_problem(exc: OSError) -> str:
    """An OSError from writing under the data directory, as a person reads it (not a raw errno)."""
    why = DISK_WHY
    return f"{why.get(exc.errno or 0, exc.strerror or exc.__class__.__name__)} ({exc.__class__.__name__}" + (
        f": {Path(exc.filename).name})" if exc.filename else ")")
