"""How often a judge agrees with people, on the rows both judged: the share of equal picks and Cohen's kappa (that
share corrected for the agreement two judges picking at random with their own habits would reach), each with a
95 % interval, so a person can tell when a model's verdicts are worth trusting.

A pick is what a row's vote said: an endpoint id, ``tie`` or ``none``. The share's interval is Wilson's, which
never shrinks to a point on a handful of rows (the normal one would say "exactly 1" after four agreeing rows);
kappa's is that interval carried through kappa = (p − pₑ)/(1 − pₑ) with the chance agreement pₑ held at its
observed value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from playground.ratings import wilson


@dataclass(frozen=True)
class Agreement:
    """A judge against people over ``rows`` rows both judged; None where a figure cannot be had (no rows; kappa
    when both always pick the same single answer, so chance agreement is already total)."""

    rows: int
    agreed: int
    share: float | None
    share_low: float | None
    share_high: float | None
    kappa: float | None
    kappa_low: float | None
    kappa_high: float | None


def agreement(pairs: Iterable[tuple[str, str]]) -> Agreement:
    """``pairs``: (the judge's pick, the people's pick) for each row both judged."""
    both = list(pairs)
    n = len(both)
    if n == 0:
        return Agreement(0, 0, None, None, None, None, None, None)
    agreed = sum(1 for judge, person in both if judge == person)
    observed = agreed / n
    low, high = wilson(np.array([observed]), np.array([n]))
    judges, people = Counter(j for j, _ in both), Counter(p for _, p in both)
    chance = sum(judges[k] * people[k] for k in judges) / (n * n)
    if chance >= 1:
        return Agreement(n, agreed, observed, float(low[0]), float(high[0]), None, None, None)
    def kappa(share: float) -> float:
        return max(-1.0, (share - chance) / (1 - chance))

    return Agreement(n, agreed, observed, float(low[0]), float(high[0]), kappa(observed), kappa(float(low[0])),
                     kappa(float(high[0])))
