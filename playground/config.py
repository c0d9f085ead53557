"""Settings read from the environment, in one place (contract: DESIGN §4–5)."""

from __future__ import annotations

import os
from pathlib import Path

from playground.errors import PlaygroundError

BACKEND_CHOICES = ("auto", "fal", "offline")


def data_dir() -> Path:
    """``PLAYGROUND_DATA_DIR`` (default ``./data``): results.csv, outputs/ and everything else we keep."""
    return Path(os.environ.get("PLAYGROUND_DATA_DIR") or "data").resolve()


def backend_choice() -> str:
    """``PLAYGROUND_BACKEND=auto|fal|offline``; anything else stops start-up with a clear message."""
    choice = (os.environ.get("PLAYGROUND_BACKEND") or "auto").strip().lower()
    if choice not in BACKEND_CHOICES:
        raise PlaygroundError(f"PLAYGROUND_BACKEND={choice!r}: must be one of {', '.join(BACKEND_CHOICES)}")
    return choice
