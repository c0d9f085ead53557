"""The leaderboard: what the votes say about each endpoint, next to what it costs and how long it takes.

Per endpoint: votes it took part in, wins, win rate, a Bradley–Terry rating (fit to every
winner-beats-loser pair of every vote; order-independent, shown on the Elo scale), mean cost and
latency of its completed runs, and cost per win (mean cost ÷ win rate). A run's cost is what fal billed
where that is known (``billed_cost_usd``), else its estimate; ``cost_basis`` says which.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass

import pandas as pd

COLUMNS = ["endpoint", "votes", "wins", "win_rate", "bt_rating", "mean_cost_usd", "cost_per_win_usd", "cost_basis",
           "mean_latency_s", "runs", "endpoint_id"]
PRIOR = 0.5  # virtual wins and losses against an average opponent, so one vote cannot mean infinity


def bradley_terry(pairs: list[tuple[str, str]], items: list[str], iterations: int = 500) -> dict[str, float]:
    """Strengths by Hunter's MM algorithm with a small prior; geometric mean 1."""
    wins = Counter(winner for winner, _ in pairs)
    games = Counter(frozenset(pair) for pair in pairs)
    strength = {item: 1.0 for item in items}
    for _ in range(iterations):
        updated = {}
        for i in items:
            denominator = 2 * PRIOR / (strength[i] + 1.0)
            for j in items:
                if j != i and games[frozenset((i, j))]:
                    denominator += games[frozenset((i, j))] / (strength[i] + strength[j])
            updated[i] = (wins[i] + PRIOR) / denominator
        mean_log = sum(math.log(v) for v in updated.values()) / len(updated)
        strength = {i: v / math.exp(mean_log) for i, v in updated.items()}
    return strength


def leaderboard(votes: pd.DataFrame, results: pd.DataFrame, labels: dict[str, str], backend: str = "all") -> pd.DataFrame:
    """One row per endpoint that took part in a vote, best rating first."""
    if backend != "all":
        votes = votes[votes.backend == backend]
        results = results[results.backend == backend]
    if votes.empty:
        return pd.DataFrame(columns=COLUMNS)
    pairs: list[tuple[str, str]] = []
    shown: Counter[str] = Counter()
    for winner, candidates in zip(votes.winner, votes.candidates):
        everyone = json.loads(candidates)
        shown.update(everyone)
        pairs += [(winner, loser) for loser in everyone if loser != winner]
    items = sorted(shown)
    strength = bradley_terry(pairs, items)
    wins = Counter(votes.winner)
    done = results[results.status == "completed"]
    rows = []
    for endpoint_id in items:
        mine = done[done.endpoint_id == endpoint_id]
        billed = pd.to_numeric(mine.get("billed_cost_usd", pd.Series(dtype=str)), errors="coerce")
        costs = billed.fillna(pd.to_numeric(mine.estimated_cost_usd, errors="coerce"))
        cost = costs.mean()
        basis = "billed" if billed.notna().all() else "estimated" if billed.isna().all() else "billed where known"
        latency = pd.to_numeric(mine.total_s, errors="coerce").mean()
        win_rate = wins[endpoint_id] / shown[endpoint_id]
        rows.append({"endpoint_id": endpoint_id, "endpoint": labels.get(endpoint_id, endpoint_id),
                     "votes": shown[endpoint_id], "wins": wins[endpoint_id], "win_rate": round(win_rate, 3),
                     "bt_rating": round(1000 + 400 * math.log10(strength[endpoint_id]), 1),
                     "mean_cost_usd": None if pd.isna(cost) else round(cost, 4),
                     "cost_per_win_usd": None if pd.isna(cost) or not win_rate else round(cost / win_rate, 4),
                     "cost_basis": basis if len(mine) else "",
                     "mean_latency_s": None if pd.isna(latency) else round(latency, 2), "runs": len(mine)})
    return pd.DataFrame(rows, columns=COLUMNS).sort_values("bt_rating", ascending=False, ignore_index=True)


def leaderboard_note(backend: str, frame: pd.DataFrame) -> str:
    """What to say above the leaderboard when it is empty (or mixes synthetic clips in)."""
    if frame.empty and backend == "fal":
        return ("No votes on fal runs yet. Votes on offline previews judge synthetic clips, not models: choose "
                "*offline* to see them anyway.")
    if frame.empty:
        return "No votes yet: run a comparison and vote on its rows."
    return "⚠️ This includes votes on offline previews (synthetic clips)." if backend != "fal" else ""


@dataclass(frozen=True)
class LeaderboardView:
    """The Leaderboard tab: a note, the table, the endpoints that have a cost (for the value plot), seed stability."""

    note: str
    table: pd.DataFrame
    priced: pd.DataFrame
    stability: pd.DataFrame

    @classmethod
    def of(cls, table: pd.DataFrame, backend: str, stability: pd.DataFrame) -> LeaderboardView:
        return cls(leaderboard_note(backend, table), table, table.dropna(subset=["mean_cost_usd"]), stability)
