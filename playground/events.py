"""The queue lifecycle every backend reports, in fal's own vocabulary (submit → queued → in progress → completed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Submitted:
    """The backend accepted the request; its id is known (and must be recorded before waiting).

    ``resume`` holds what a later process needs to find the request again (fal's status, response and
    cancel URLs); it is empty for backends whose runs cannot outlive the process.
    """

    request_id: str
    resume: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Queued:
    """Waiting in the queue; position 0 is next."""

    position: int


@dataclass(frozen=True)
class InProgress:
    """Running; ``logs`` holds the log lines that are new since the last event."""

    logs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Completed:
    """The model output (``{"video": {...}, "seed": ...}``) and what the backend knows about billing."""

    request_id: str
    result: dict[str, Any]
    billed_units: str = ""
    logs: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())  # where the output cannot match the request (e.g. an input not used)
    served_from: str = ""  # the endpoint fal says served it (x-fal-served-from), when it says


Event = Submitted | Queued | InProgress | Completed
