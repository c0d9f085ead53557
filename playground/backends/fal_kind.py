"""What the fal backend declares to the app, apart from the backend itself, so that knowing the kind does not load
``fal_client`` and its HTTP stack (about 17 ms of start-up): that loads with the first fal backend a key asks for
(``fal.py``), which an app run offline never does."""

from __future__ import annotations

import threading

from playground.backends import Backend, BackendForKey, BackendKind
from playground.config import FalSettings


def _build(settings: FalSettings) -> BackendForKey:
    """One app's fal backends, made on first use: one per key, all sharing the app's connections."""
    lock, made = threading.Lock(), list[BackendForKey]()

    def for_key(key: str) -> Backend:
        with lock:  # two first visitors at once still share one set of connections
            if not made:
                from playground.backends.fal import build

                made.append(build(settings, KIND))
        return made[0](key)

    return for_key


KIND = BackendKind(name="fal", title="fal.ai", label="fal.ai (billed)", about="", paid=True, needs_key=True,
                   can_cancel=True, can_refetch=True, model_output=True, build=_build, can_judge=True)
