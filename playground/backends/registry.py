"""The kinds of backend the app knows, by name, and where a session's runs go (``PLAYGROUND_BACKEND``).

Outside ``backends/`` nothing decides from a backend's name: it asks its kind here what it declares. A new backend
is its module (the class and its ``BackendKind``) and one line in ``KINDS``; a test adds one of its own for as
long as the test lasts with ``monkeypatch.setitem(KINDS, kind.name, kind)``. The order counts: ``auto`` takes the
first kind that needs a key and the first that does not, and the Leaderboard opens on the first whose clips are a
model's.
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.backends import Backend, BackendForKey, BackendKind, fal_kind, offline
from playground.config import FalSettings
from playground.errors import PlaygroundError, RunError

KINDS: dict[str, BackendKind] = {kind.name: kind for kind in (fal_kind.KIND, offline.KIND)}
AUTO, ALL = "auto", "all"  # PLAYGROUND_BACKEND's "choose by key"; the filters' "every backend"


def kind(name: str) -> BackendKind | None:
    return KINDS.get(name)


def names() -> list[str]:
    return list(KINDS)


def label(name: str) -> str:
    """A run's backend as its result shows it (the bare name for a kind no longer registered)."""
    known = KINDS.get(name)
    return known.label if known else name


def refetchable() -> str:
    """The kinds whose results can be fetched again, as a sentence says them ("fal")."""
    return " or ".join(k.name for k in KINDS.values() if k.can_refetch) or "no"


def stand_ins(covered: str = ALL) -> list[BackendKind]:
    """The kinds whose clips are not a model's among those a filter covers (a kind's name, or "all")."""
    return [k for k in KINDS.values() if not k.model_output and covered in (ALL, k.name)]


def judged_first() -> str:
    """The filter the Leaderboard opens on: the first kind whose clips are a model's, else every backend."""
    return next((k.name for k in KINDS.values() if k.model_output), ALL)


@dataclass(frozen=True)
class Route:
    """Where a session's runs go: to ``keyed`` when a key is known, else to ``keyless`` (None: nowhere)."""

    choice: str  # as PLAYGROUND_BACKEND says it: "auto" or a kind's name
    keyed: BackendKind | None
    keyless: BackendKind | None

    @classmethod
    def of(cls, choice: str) -> Route:
        """``auto``: the first kind needing a key when there is one, else the first needing none; a kind's name:
        always that kind. An unknown name stops start-up, naming the setting."""
        if choice == AUTO:
            return cls(choice, next((k for k in KINDS.values() if k.needs_key), None),
                       next((k for k in KINDS.values() if not k.needs_key), None))
        chosen = KINDS.get(choice)
        if chosen is None:
            raise PlaygroundError(f"PLAYGROUND_BACKEND={choice!r}: must be one of {', '.join([AUTO, *KINDS])}")
        return cls(choice, chosen, None) if chosen.needs_key else cls(choice, None, chosen)


class Built:
    """Every kind as one app builds it, each once (fal's clients and uploads are shared by all its keys);
    ``given`` stands in for the kind of its name (tests pass a quicker offline preview)."""

    def __init__(self, settings: FalSettings, given: Backend | None = None):
        self._for_key = {name: k.build(settings) for name, k in KINDS.items()}
        if given is not None:
            fixed: Backend = given
            self._for_key[fixed.name] = lambda _key: fixed

    def for_key(self, name: str) -> BackendForKey:
        return self._for_key[name]

    def backend(self, name: str, key: str) -> Backend:
        """The backend of kind ``name`` for ``key``; RunError for a kind this app does not know."""
        if name not in self._for_key:
            raise RunError(f"this app has no {name!r} backend (known: {', '.join(self._for_key)})")
        return self._for_key[name](key)
