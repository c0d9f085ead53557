"""From votes to a decision: which tiers are told apart, which is worth its price, said in words.

Votes are first filtered (``decide_filters.Filters``) and split into pools (``decide_pools``: pools never mix
modes or sound); each pool is then decided on its own:

- **Ratings**: Bradley–Terry with bootstrap resamples (``playground.ratings``), as on the leaderboard.
- **Tie-classes at 95 %**: two endpoints are *told apart* when the 95 % interval of their rating difference over
  the bootstrap resamples excludes 0 (where every resample gives the same difference — a clean sweep — when
  their own 95 % intervals, from the fit's curvature, do not overlap, which is stricter). Sorted by rating, each
  endpoint joins the current class unless it is told apart from that class's best, where it starts the next one;
  so endpoints that cannot be told apart share a class and ones that can are separated.
- **Win matrix**: ``wins[i][j]`` is the number of votes ``i`` won with ``j`` on show, ``ties[i][j]`` the tie votes
  with both on show: counts anyone can check by hand against votes.csv.
- **Cost per second**: per endpoint, over the completed runs the same filters keep (and in a "with sound" or
  "silent" pool, only its runs with or without sound): the mean billed cost (the estimate where fal's bill is not
  known) divided by the mean clip duration.
- **Frontier** (cheapest for its quality): an endpoint with a cost per second is on it when no other endpoint is
  at least as good (the same tie-class, whose members count as equal, or a better one) and at least as cheap per
  second, and better or cheaper in one of the two.
- **Provisional**: an endpoint in fewer than ``PROVISIONAL_VOTES`` of the pool's votes (the page greys it).
- **Verdict**: ``decide_verdict``.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from playground.catalog import Catalog
from playground.decide_filters import SILENT, WITH_SOUND, Filters, SuiteScope, kept_runs, kept_votes
from playground.decide_pools import Judged, judged_votes, pool_name, pool_order
from playground.decide_verdict import NOT_JUDGED, verdict
from playground.ratings import Z95, Ratings, fit

__all__ = ["PROVISIONAL_VOTES", "Decision", "Filters", "Point", "decide", "decide_in"]

PROVISIONAL_VOTES = 20  # an endpoint in fewer of a pool's votes than this is provisional
FLAT = 1e-6  # a bootstrap interval narrower than this is a point: the resamples saw no uncertainty


@dataclass(frozen=True)
class Point:
    """One endpoint of a pool: its rating and 95 % interval, votes, cost per second, and where it stands."""

    endpoint_id: str
    label: str
    rating: float
    low: float
    high: float
    votes: int
    cost_per_second: float | None
    provisional: bool
    frontier: bool
    tie_class: int  # 0 = the top class


@dataclass(frozen=True)
class Decision:
    """What one pool's votes decide."""

    pool: str  # "text-to-video · with sound", or what was asked when no vote matched ("all votes")
    verdict: str  # one or two sentences (Markdown bold), then the provisional endpoints
    classes: list[list[str]]  # endpoint ids, best class first, best first within a class
    matrix: dict[str, Any]  # endpoints (classes order), labels, wins[i][j], ties[i][j]
    points: list[Point]
    votes: int

    def as_dict(self) -> dict[str, Any]:
        """The `/decide` answer for this pool."""
        return {"pool": self.pool, "verdict": self.verdict, "classes": self.classes, "matrix": self.matrix,
                "points": [asdict(point) for point in self.points], "votes": self.votes,
                "provisional_votes": PROVISIONAL_VOTES}


def told_apart(fitted: Ratings, a: int, b: int) -> bool:
    """Whether items ``a`` and ``b`` are told apart at 95 % (see the module's docstring)."""
    if fitted.samples.size:
        low, high = np.percentile(fitted.samples[:, a] - fitted.samples[:, b], [2.5, 97.5])
        if high - low >= FLAT:
            return bool(low > 0 or high < 0)
    return bool(fitted.rating_low[a] > fitted.rating_high[b] or fitted.rating_low[b] > fitted.rating_high[a])


def tie_classes(fitted: Ratings) -> list[list[int]]:
    """Item indices in tie-classes, best class first, best first within a class."""
    order = [int(i) for i in np.argsort(-fitted.rating, kind="stable")]
    classes = [[order[0]]] if order else []
    for item in order[1:]:
        if told_apart(fitted, classes[-1][0], item):
            classes.append([item])
        else:
            classes[-1].append(item)
    return classes


def votes_to_separate(fitted: Ratings) -> int | None:
    """About how many more votes like these would tell the top two apart (0 if they are; None when level). The
    difference's interval narrows as 1/√votes, so 1.96 of its bootstrap standard deviations must fall below the
    gap (where the resamples are flat, the two ratings' own deviations added, as ``Ratings.votes_to_separate``)."""
    if len(fitted.items) < 2:
        return None
    first, second = (int(i) for i in np.argsort(-fitted.rating, kind="stable")[:2])
    if told_apart(fitted, first, second):
        return 0
    gap = float(fitted.rating[first] - fitted.rating[second])
    if gap < FLAT:
        return None
    spread = float(np.std(fitted.samples[:, first] - fitted.samples[:, second])) if fitted.samples.size else 0.0
    if spread < FLAT:
        spread = float(fitted.rating_sd[first] + fitted.rating_sd[second])
    return max(1, math.ceil(fitted.votes * (Z95 * spread / gap) ** 2 - fitted.votes))


def win_matrix(order: list[str], labels: dict[str, str], votes: list[Judged]) -> dict[str, Any]:
    """Head-to-head counts in ``order``: wins[i][j] votes ``i`` won with ``j`` on show; ties[i][j] tie votes with
    both on show."""
    at = {endpoint: i for i, endpoint in enumerate(order)}
    wins, ties = np.zeros((len(order), len(order)), int), np.zeros((len(order), len(order)), int)
    for vote in votes:
        shown = [at[endpoint] for endpoint in vote.shown]
        for j in shown:
            if vote.winner is None:
                ties[shown, j] += 1
            elif at[vote.winner] != j:
                wins[at[vote.winner], j] += 1
    np.fill_diagonal(ties, 0)
    return {"endpoints": order, "labels": [labels.get(e, e) for e in order], "wins": wins.tolist(),
            "ties": ties.tolist()}


def _amounts(column: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(column, errors="coerce").astype("float64")
    return numbers.where(np.isfinite(numbers) & (numbers >= 0))


def cost_per_second(runs: pd.DataFrame, endpoints: list[str], sound: str) -> dict[str, float | None]:
    """Per endpoint: mean cost (billed, else estimated) ÷ mean clip duration over ``runs`` (completed, filtered);
    in a "with sound" or "silent" pool only its runs with or without sound. None where either is unknown."""
    if not runs.empty and sound in (WITH_SOUND, SILENT):
        runs = runs[runs.has_audio.astype(str).str.strip().str.lower() == ("true" if sound == WITH_SOUND else "false")]
    found: dict[str, float | None] = {}
    for endpoint in endpoints:
        mine = runs[runs.endpoint_id == endpoint] if not runs.empty else runs
        if mine.empty:
            found[endpoint] = None
            continue
        billed = _amounts(mine.billed_cost_usd) if "billed_cost_usd" in mine else pd.Series(np.nan, index=mine.index)
        cost = billed.fillna(_amounts(mine.estimated_cost_usd)).mean()
        duration = _amounts(mine.duration_s).mean()
        found[endpoint] = None if pd.isna(cost) or pd.isna(duration) or duration <= 0 else float(cost / duration)
    return found


def on_frontier(endpoint: str, cost: dict[str, float | None], tie_class: dict[str, int]) -> bool:
    """Cheapest for its quality: no other endpoint at least as good and at least as cheap, better in one."""
    mine = cost.get(endpoint)
    if mine is None:
        return False
    for other, theirs in cost.items():
        if other == endpoint or theirs is None:
            continue
        if theirs <= mine and tie_class[other] <= tie_class[endpoint] and (
                theirs < mine or tie_class[other] < tie_class[endpoint]):
            return False
    return True


def _decided(pool: str, votes: list[Judged], runs: pd.DataFrame, labels: dict[str, str], sound: str) -> Decision:
    seen = Counter(endpoint for vote in votes for endpoint in vote.shown)
    fitted = fit(sorted(seen), [(vote.winner, list(vote.shown)) for vote in votes])
    classes = [[fitted.items[i] for i in group] for group in tie_classes(fitted)]
    order = [endpoint for group in classes for endpoint in group]
    place = {endpoint: rank for rank, group in enumerate(classes) for endpoint in group}
    cost = cost_per_second(runs, order, sound)
    index = {endpoint: i for i, endpoint in enumerate(fitted.items)}
    points = [Point(endpoint, labels.get(endpoint, endpoint), round(float(fitted.rating[index[endpoint]]), 1),
                    round(float(fitted.rating_low[index[endpoint]]), 1),
                    round(float(fitted.rating_high[index[endpoint]]), 1), seen[endpoint],
                    None if cost[endpoint] is None else round(cost[endpoint] or 0.0, 6),
                    seen[endpoint] < PROVISIONAL_VOTES, on_frontier(endpoint, cost, place), place[endpoint])
              for endpoint in order]
    said = verdict(classes, labels, cost, [p.endpoint_id for p in points if p.provisional],
                   votes_to_separate(fitted), PROVISIONAL_VOTES)
    return Decision(pool, said, classes, win_matrix(order, labels, votes), points, len(votes))


def _asked(filters: Filters) -> str:
    parts = [part for part in (filters.mode, filters.sound) if part]
    return " · ".join(parts) if parts else "all votes"


def decide(votes: pd.DataFrame, results: pd.DataFrame, labels: dict[str, str], modes: dict[str, str],
           filters: Filters, batches: frozenset[str] | None = None,
           prompts: frozenset[str] | None = None) -> list[Decision]:
    """One decision per pool (mode × sound) left after filtering, best-populated first; one saying there are not
    enough votes when none is left. ``batches``/``prompts``: a suite or tag already resolved (None: no filter)."""
    judged = judged_votes(kept_votes(votes, filters, batches, prompts), results, modes)
    pools: dict[tuple[str, str], list[Judged]] = {}
    for vote in judged:
        if filters.mode in ("", vote.mode) and filters.sound in ("", vote.sound):
            pools.setdefault((vote.mode, vote.sound), []).append(vote)
    if not pools:
        return [Decision(_asked(filters), NOT_JUDGED, [], win_matrix([], labels, []), [], 0)]
    runs = kept_runs(results, filters, batches, prompts)
    ranked = sorted(pools.items(), key=lambda item: (-len(item[1]), pool_order(*item[0])))
    return [_decided(pool_name(mode, sound), pooled, runs, labels, sound) for (mode, sound), pooled in ranked]


def decide_in(catalog: Catalog, votes: pd.DataFrame, results: pd.DataFrame, filters: Filters | dict[str, Any] | str,
              suite_scope: SuiteScope) -> list[Decision]:
    """``decide`` as the app asks it: filters as `/decide` takes them (JSON text, a dict, or parsed), the suite and
    tag resolved by ``suite_scope``, labels and modes from the catalog."""
    asked = filters if isinstance(filters, Filters) else Filters.parse(filters)
    batches, prompts = suite_scope(asked.suite, asked.tag) if asked.suite or asked.tag else (None, None)
    modes = {endpoint.endpoint_id: endpoint.mode for endpoint in catalog.values()}
    return decide(votes, results, catalog.short_labels(), modes, asked, batches, prompts)
