"""Reading a small file that anyone could have put in a folder we scan, without hanging or filling memory.

Start-up reads every ``*.json`` in a few folders (presets, examples; later kept batches and journal entries). Such a
name can be a named pipe (a plain open waits for a writer forever), a device or a link to one (``/dev/zero`` never
ends), a socket, a folder, a dangling link, or a regular file far too big. ``read_small_text`` refuses each of those
with a reason a person can act on, and reads only regular files of at most ``max_bytes``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

# Flags for an open that can neither block (a FIFO with no writer opens at once) nor adopt a terminal.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
_KINDS = ((stat.S_ISDIR, "is a folder"), (stat.S_ISFIFO, "is a named pipe (FIFO)"),
          (stat.S_ISCHR, "is a character device (like /dev/zero)"), (stat.S_ISBLK, "is a block device"),
          (stat.S_ISSOCK, "is a socket"))


class SmallFileError(ValueError):
    """A file that was not read, and why (``reason`` reads after the file's name: "is a named pipe (FIFO)")."""

    def __init__(self, path: Path | str, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}")


def _not_regular(mode: int) -> str | None:
    """Why a file of this mode is not read (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    return next((reason for is_kind, reason in _KINDS if is_kind(mode)), "is not a regular file") + \
        ", not a regular file"


def _size_problem(size: int, max_bytes: int) -> str | None:
    return f"is {size:,} bytes; a file here holds at most {max_bytes:,}" if size > max_bytes else None


def read_small_bytes(path: Path | str, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` (links to one are followed), or SmallFileError.

    The kind is checked before opening (a device is never opened) and again on the open file (a swap in between
    is caught); the open never blocks, and at most ``max_bytes + 1`` bytes are read even if the file grows.
    """
    try:
        before = os.stat(path)
    except FileNotFoundError:
        raise SmallFileError(path, "does not exist (or is a link to nothing)") from None
    except OSError as exc:
        raise SmallFileError(path, f"cannot be read ({exc.strerror or exc.__class__.__name__})") from None
    if problem := _not_regular(before.st_mode) or _size_problem(before.st_size, max_bytes):
        raise SmallFileError(path, problem)
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise SmallFileError(path, f"cannot be opened ({exc.strerror or exc.__class__.__name__})") from None
    try:
        opened = os.fstat(descriptor)
        if problem := _not_regular(opened.st_mode) or _size_problem(opened.st_size, max_bytes):
            raise SmallFileError(path, problem)
        chunks, remaining = [], max_bytes + 1
        while remaining > 0 and (chunk := os.read(descriptor, min(remaining, 1 << 20))):
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise SmallFileError(path, f"cannot be read ({exc.strerror or exc.__class__.__name__})") from None
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise SmallFileError(path, f"grew past {max_bytes:,} bytes while being read")
    return data


def read_small_text(path: Path | str, max_bytes: int, encoding: str = "utf-8") -> str:
    """The text of a regular file of at most ``max_bytes`` (see ``read_small_bytes``), or SmallFileError, which
    also says where the bytes stop being ``encoding``."""
    data = read_small_bytes(path, max_bytes)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SmallFileError(path, f"is not {encoding.upper()} text (byte {exc.start:,} cannot be read)") from None
