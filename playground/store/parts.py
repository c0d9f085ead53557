"""``Store``: the record parts an app is built from, whichever store keeps them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from playground.compare.store import BatchStore
from playground.guard import Admissions, MemoryAdmissions
from playground.journal import Journal
from playground.results import ResultsLog
from playground.seed_checks import SeedChecksLog
from playground.store.base import PresetShelf
from playground.votes import VotesLog


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Store:
    """Runs, votes, seed checks, kept batches, the in-flight journal, where saved presets go and the public-mode
    admissions; ``where`` says where they are for a person (never a password), ``close`` lets go of what the store
    holds (leases, connections). ``sweep_s``: when several replicas share the store, how often each looks for runs
    a replica that died left in flight (None: only at start-up, the embedded store's one process)."""

    runs: ResultsLog
    votes: VotesLog
    seed_checks: SeedChecksLog
    batches: BatchStore
    journal: Journal
    presets: PresetShelf
    where: str
    closer: Callable[[], None] = field(default=_nothing, repr=False)
    admissions: Admissions = field(default_factory=MemoryAdmissions)
    sweep_s: float | None = None

    def close(self) -> None:
        self.closer()
