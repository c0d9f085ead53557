"""``Store``: the record parts an app is built from, whichever store keeps them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from playground.compare.store import BatchStore
from playground.journal import Journal
from playground.results import ResultsLog
from playground.seed_checks import SeedChecksLog
from playground.store.base import PresetShelf
from playground.votes import VotesLog


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Store:
    """Runs, votes, seed checks, kept batches, the in-flight journal and where saved presets go; ``where`` says
    where they are for a person (never a password), ``close`` lets go of what the store holds (leases, connections)."""

    runs: ResultsLog
    votes: VotesLog
    seed_checks: SeedChecksLog
    batches: BatchStore
    journal: Journal
    presets: PresetShelf
    where: str
    closer: Callable[[], None] = field(default=_nothing, repr=False)

    def close(self) -> None:
        self.closer()
