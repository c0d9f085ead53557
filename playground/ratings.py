"""Bradley–Terry ratings from votes, with bootstrap 95 % intervals and how many votes would separate the top two.

Each vote is an ``outcome`` matrix ``W`` over the endpoints on show: ``W[i, j]`` is how much ``i`` beat ``j`` in
that vote (1 for the winner over each other clip, ½ each way for every pair of a tie). The fit is Hunter's MM
algorithm with a small prior (half a win and half a loss against an average opponent, so one vote never means
infinity). Intervals resample whole votes with replacement (a fixed seed, so a refresh shows the same figures)
and refit every resample at once with numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

PRIOR = 0.5
RESAMPLES = 300
ITERATIONS = 2000
TOLERANCE = 1e-10


def rating(strength: np.ndarray) -> np.ndarray:
    """Strength (geometric mean 1) on the Elo scale: 1000 is average, +400 is ten times as likely to win."""
    return np.asarray(1000 + 400 * np.log10(strength))


def strengths(wins: np.ndarray) -> np.ndarray:
    """Bradley–Terry strengths for one ``wins`` matrix (n × n) or a stack of them (b × n × n), geometric mean 1."""
    stacked = wins if wins.ndim == 3 else wins[None]
    games = stacked + stacked.transpose(0, 2, 1)
    won = stacked.sum(axis=2) + PRIOR
    p = np.ones(stacked.shape[:2])
    for _ in range(ITERATIONS):
        denominator = (games / (p[:, :, None] + p[:, None, :])).sum(axis=2) + 2 * PRIOR / (p + 1)
        updated = won / denominator
        updated /= np.exp(np.log(updated).mean(axis=1, keepdims=True))
        done = np.abs(updated - p).max() < TOLERANCE
        p = updated
        if done:
            break
    return p if wins.ndim == 3 else p[0]


@dataclass(frozen=True)
class Ratings:
    """Per item (in ``items`` order): rating and its interval, win rate (a tie is half a win) and its interval."""

    items: list[str]
    rating: np.ndarray
    rating_low: np.ndarray
    rating_high: np.ndarray
    win_rate: np.ndarray
    win_rate_low: np.ndarray
    win_rate_high: np.ndarray
    rating_sd: np.ndarray
    votes: int

    def votes_to_separate(self) -> int | None:
        """About how many more votes like these would make the top two's rating intervals stop overlapping
        (0 if they already do; None when the top two are level, so no number of votes would). Intervals narrow
        as 1/√votes, so the two half-widths (1.96 bootstrap standard deviations each: smoother than the
        percentiles, which jump with every vote at small counts) must add up to less than the gap."""
        if len(self.items) < 2:
            return None
        first, second = np.argsort(-self.rating, kind="stable")[:2]
        gap = float(self.rating[first] - self.rating[second])
        if self.rating_low[first] > self.rating_high[second]:
            return 0
        if gap < 1e-6:
            return None
        spread = 1.96 * float(self.rating_sd[first] + self.rating_sd[second])
        return max(1, math.ceil(self.votes * (spread / gap) ** 2 - self.votes))


def fit(items: list[str], votes: list[tuple[str | None, list[str]]], seed: int = 0) -> Ratings:
    """Ratings of ``items`` from votes (winner, or None for a tie; the items on show), with 95 % intervals from
    ``RESAMPLES`` bootstrap resamples of the votes."""
    index = {item: i for i, item in enumerate(items)}
    outcomes, shown = np.zeros((len(votes), len(items), len(items))), np.zeros((len(votes), len(items)))
    for v, (winner, on_show) in enumerate(votes):
        present = [index[item] for item in on_show]
        shown[v, present] = 1
        for i in present:
            for j in present:
                if i != j:
                    outcomes[v, i, j] = 0.5 if winner is None else float(items[i] == winner)
    credit = outcomes.sum(axis=2) / np.maximum(shown.sum(axis=1, keepdims=True) - 1, 1)  # 1 win, ½ tie, 0 loss
    point = rating(strengths(outcomes.sum(axis=0)))
    draws = np.random.default_rng(seed).multinomial(len(votes), np.full(len(votes), 1 / len(votes)), size=RESAMPLES)
    counts = draws.astype(float)
    resampled = rating(strengths(np.einsum("bv,vij->bij", counts, outcomes)))
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = (counts @ credit) / (counts @ shown)
        rate = credit.sum(axis=0) / shown.sum(axis=0)
    low, high = np.percentile(resampled, [2.5, 97.5], axis=0)
    rate_low, rate_high = np.nanpercentile(rates, [2.5, 97.5], axis=0)
    return Ratings(list(items), point, low, high, rate, rate_low, rate_high, resampled.std(axis=0), len(votes))
