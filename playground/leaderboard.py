"""The leaderboard: what the votes say about each endpoint, next to what it costs and how long it takes.

Per endpoint: votes it was judged in, wins, ties, win rate (a tie is half a win) with its 95 % interval, a
Bradley–Terry rating with its interval (``playground.ratings``: every winner-beats-loser pair, a tie half a win
each way; order-independent, on the Elo scale), "all bad" votes it was in (left out of the ratings, shown apart),
mean cost and latency of its completed runs, and cost per win (mean cost ÷ win rate). A run's cost is what fal
billed where that is known (``billed_cost_usd``), else its estimate; ``cost_basis`` says which. A cost or time the
log holds that cannot be one (unparsable, negative, infinite) is left out. Every column has one dtype, empty or
not (figures float with NaN for "none"), so whatever draws the table reads numbers as numbers.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from playground.backends import BackendKind
from playground.backends.registry import kind, stand_ins
from playground.ratings import Ratings, fit
from playground.votes import ALL_BAD, TIE

COLUMNS = ["endpoint", "votes", "wins", "ties", "win_rate", "win_rate_low", "win_rate_high", "bt_rating", "ci_low",
           "ci_high", "all_bad", "mean_cost_usd", "cost_per_win_usd", "cost_basis", "mean_latency_s", "runs",
           "endpoint_id"]
COUNTS = ["votes", "wins", "ties", "all_bad", "runs"]
TEXTS = ["endpoint", "cost_basis", "endpoint_id"]
DTYPES = {column: "int64" if column in COUNTS else "str" if column in TEXTS else "float64" for column in COLUMNS}


def _judged(votes: pd.DataFrame) -> list[tuple[str | None, list[str]]]:
    """(winner or None for a tie, endpoints on show) of every vote that picked a winner or a tie."""
    return [(None if winner == TIE else winner, json.loads(candidates))
            for winner, candidates in zip(votes.winner, votes.candidates, strict=True) if winner != ALL_BAD]


def _amounts(column: pd.Series) -> pd.Series:
    """The column as numbers, NaN where a cell is not a possible amount (unparsable, negative, not finite)."""
    numbers = pd.to_numeric(column, errors="coerce").astype("float64")
    return numbers.where(np.isfinite(numbers) & (numbers >= 0))


def _cost_columns(endpoint_id: str, done: pd.DataFrame, win_rate: float | None) -> dict[str, object]:
    mine = done[done.endpoint_id == endpoint_id]
    billed = _amounts(mine.get("billed_cost_usd", pd.Series(index=mine.index, dtype=str)))
    cost = billed.fillna(_amounts(mine.estimated_cost_usd)).mean()
    basis = "billed" if billed.notna().all() else "estimated" if billed.isna().all() else "billed where known"
    latency = _amounts(mine.total_s).mean()
    return {"mean_cost_usd": None if pd.isna(cost) else round(cost, 4),
            "cost_per_win_usd": None if pd.isna(cost) or not win_rate else round(cost / win_rate, 4),
            "cost_basis": basis if len(mine) else "", "mean_latency_s": None if pd.isna(latency) else round(latency, 2),
            "runs": len(mine)}


def _round(value: float, digits: int) -> float | None:
    return None if pd.isna(value) else round(float(value), digits)


def leaderboard(votes: pd.DataFrame, results: pd.DataFrame, labels: dict[str, str], backend: str = "all") -> pd.DataFrame:
    """One row per endpoint that was in a vote, best rating first (endpoints only ever judged "all bad" last)."""
    return standings(votes, results, labels, backend)[0]


def standings(votes: pd.DataFrame, results: pd.DataFrame, labels: dict[str, str],
              backend: str = "all") -> tuple[pd.DataFrame, Ratings | None]:
    """The leaderboard table and the fit behind it (None without a vote that picked a winner or a tie)."""
    if backend != "all":
        votes = votes[votes.backend == backend]
        results = results[results.backend == backend]
    if votes.empty:
        return pd.DataFrame(columns=COLUMNS).astype(DTYPES), None
    judged = _judged(votes)
    all_bad: Counter[str] = Counter(e for winner, shown in zip(votes.winner, votes.candidates, strict=True)
                                    if winner == ALL_BAD
                                    for e in json.loads(shown))
    wins = Counter(winner for winner, _ in judged if winner is not None)
    ties = Counter(e for winner, shown in judged if winner is None for e in shown)
    seen = Counter(e for _, shown in judged for e in shown)
    fitted = fit(sorted(seen), judged) if judged else None
    position = {item: i for i, item in enumerate(fitted.items)} if fitted else {}
    done = results[results.status == "completed"]
    rows = []
    for endpoint_id in sorted(set(seen) | set(all_bad)):
        row: dict[str, object] = {"endpoint_id": endpoint_id, "endpoint": labels.get(endpoint_id, endpoint_id),
                                  "votes": seen[endpoint_id], "wins": wins[endpoint_id], "ties": ties[endpoint_id],
                                  "all_bad": all_bad[endpoint_id]}
        i = position.get(endpoint_id)
        rate = None
        if fitted is not None and i is not None:
            rate = float(fitted.win_rate[i])
            row.update(win_rate=_round(fitted.win_rate[i], 3), win_rate_low=_round(fitted.win_rate_low[i], 3),
                       win_rate_high=_round(fitted.win_rate_high[i], 3), bt_rating=_round(fitted.rating[i], 1),
                       ci_low=_round(fitted.rating_low[i], 1), ci_high=_round(fitted.rating_high[i], 1))
        rows.append({**row, **_cost_columns(endpoint_id, done, rate)})
    table = pd.DataFrame(rows, columns=COLUMNS).astype(DTYPES).sort_values("bt_rating", ascending=False,
                                                                            ignore_index=True, na_position="last")
    return table, fitted


def separation_note(ratings: Ratings | None, labels: dict[str, str]) -> str:
    """Whether the top two are told apart yet, and if not about how many more votes would do it."""
    if ratings is None or len(ratings.items) < 2:
        return ""
    first, second = (labels.get(ratings.items[i], ratings.items[i]) for i in (-ratings.rating).argsort(kind="stable")[:2])
    needed = ratings.votes_to_separate()
    if needed == 0:
        return f"**{first}** is ahead of **{second}** beyond doubt (their 95 % intervals do not overlap)."
    if needed is None:
        return f"**{first}** and **{second}** are level: more votes like these would not separate them."
    return (f"**{first}** and **{second}** are not told apart yet: about **{needed}** more votes like these would "
            "likely separate them (their 95 % intervals overlap).")


def leaderboard_note(backend: str, frame: pd.DataFrame) -> str:
    """What to say above the leaderboard when it is empty (or mixes synthetic clips in), from what the backends
    declare: the filter is a backend whose clips are a model's, or covers one (or more) whose clips are stand-ins."""
    chosen, previews = kind(backend), stand_ins()
    if frame.empty and chosen is not None and chosen.model_output:
        return f"No votes on {backend} runs yet." + (
            f" Votes on {_plural(previews)} judge synthetic clips, not models: choose "
            f"{' or '.join(f'*{k.name}*' for k in previews)} to see them anyway." if previews else "")
    if frame.empty:
        return "No votes yet: run a comparison and vote on its rows."
    included = stand_ins(backend)
    return f"⚠️ This includes votes on {_plural(included)} (synthetic clips)." if included else ""


def _plural(kinds: list[BackendKind]) -> str:
    return " and ".join(f"{k.title}s" for k in kinds)  # "offline previews"


VEGA_LITE = "https://vega.github.io/schema/vega-lite/v5.json"
MARK, TEXT = "#4f46e5", "currentColor"  # indigo reads on light and dark pages; text takes the page's own colour
STYLE: dict[str, Any] = {"$schema": VEGA_LITE, "background": "transparent",
                         "autosize": {"type": "fit-x", "contains": "padding"},
                         "usermeta": {"embedOptions": {"actions": False, "renderer": "svg"}}}


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(frame[columns].to_json(orient="records"))  # NaN → null
    return rows


def value_chart(priced: pd.DataFrame) -> dict[str, Any] | None:
    """Rating against mean cost (a Vega-Lite spec): one filled, labelled point per endpoint that has both, on
    numeric axes; None when there is none to draw."""
    if priced.empty:
        return None
    hover = [{"field": "endpoint"}, {"field": "mean_cost_usd", "title": "mean cost (USD)", "format": "$.4f"},
             {"field": "bt_rating", "title": "rating"}, {"field": "ci_low", "title": "95 % low"},
             {"field": "ci_high", "title": "95 % high"}, {"field": "votes"}]
    return {**STYLE, "height": 300, "data": {"values": _records(priced, ["endpoint", "mean_cost_usd", "bt_rating",
                                                                          "ci_low", "ci_high", "votes"])},
            "title": {"text": "Rating against mean cost", "subtitle": "up and to the left is worth the money",
                      "subtitleColor": TEXT},
            "encoding": {"x": {"field": "mean_cost_usd", "type": "quantitative", "title": "mean cost per clip (USD)",
                               "scale": {"zero": False, "padding": 48}, "axis": {"format": "$.3~f", "tickCount": 4}},
                         "y": {"field": "bt_rating", "type": "quantitative", "title": "rating (1000 = average)",
                               "scale": {"zero": False, "padding": 28}, "axis": {"tickCount": 5}}},
            "layer": [{"mark": {"type": "point", "filled": True, "size": 160, "fill": MARK, "opacity": 1,
                                "fillOpacity": 1, "stroke": "white", "strokeWidth": 1.5},
                       "encoding": {"description": {"field": "endpoint"}, "tooltip": hover}},
                      {"mark": {"type": "text", "dy": -15, "fontSize": 12, "fill": TEXT, "strokeWidth": 0},
                       "encoding": {"text": {"field": "endpoint"}}}]}


def win_rate_chart(table: pd.DataFrame) -> dict[str, Any] | None:
    """Win rate per endpoint (a Vega-Lite spec): horizontal bars on a 0–100 % axis, best first, each with its
    figure; None when no endpoint has one."""
    rated = table.dropna(subset=["win_rate"]).sort_values("win_rate", ascending=False, kind="stable")
    if rated.empty:
        return None
    rate = {"field": "win_rate", "type": "quantitative", "title": "win rate (a tie is half a win)",
            "scale": {"domain": [0, 1]}, "axis": {"format": ".0%", "tickCount": 5}}
    figure = {"text": {"field": "win_rate", "format": ".0%"}, "x": rate}
    hover = [{"field": "endpoint"}, {"field": "win_rate", "title": "win rate", "format": ".0%"},
             {"field": "win_rate_low", "title": "95 % low", "format": ".0%"},
             {"field": "win_rate_high", "title": "95 % high", "format": ".0%"}, {"field": "votes"}]
    return {**STYLE, "height": {"step": 34}, "title": {"text": "Win rate"},
            "data": {"values": _records(rated, ["endpoint", "win_rate", "win_rate_low", "win_rate_high", "votes"])},
            "encoding": {"y": {"field": "endpoint", "type": "nominal", "title": None, "sort": list(rated.endpoint),
                               "axis": {"labelLimit": 130, "ticks": False}}},
            "layer": [{"mark": {"type": "bar", "fill": MARK, "opacity": 1},
                       "encoding": {"x": rate, "tooltip": hover, "description": {"field": "endpoint"}}},
                      {"mark": {"type": "text", "align": "right", "dx": -5, "fill": "white", "fontWeight": "bold",
                                "opacity": 1, "strokeWidth": 0},
                       "transform": [{"filter": "datum.win_rate >= 0.25"}], "encoding": figure},
                      {"mark": {"type": "text", "align": "left", "dx": 5, "fill": TEXT, "opacity": 1, "strokeWidth": 0},
                       "transform": [{"filter": "datum.win_rate < 0.25"}], "encoding": figure}]}


NO_JUDGE = "No model judge has judged a row yet."


@dataclass(frozen=True)
class JudgeBoard:
    """The tab's "Model judges" section, as ``judge_board.judge_board`` makes it: each judge's ratings beside
    people's (never pooled), how often each judge agrees with people, and a legend with one reading per judge.
    Empty tables and ``NO_JUDGE`` until a model judge has judged a row."""

    ratings: pd.DataFrame = field(default_factory=pd.DataFrame)
    agreement: pd.DataFrame = field(default_factory=pd.DataFrame)
    note: str = NO_JUDGE


@dataclass(frozen=True)
class LeaderboardView:
    """The Leaderboard tab: a note (with whether the top two are told apart), the table, the endpoints that have a
    cost and a rating (for the value chart), seed stability, the two charts as Vega-Lite specs (None: empty), and
    the model judges beside people (``judges``: none yet unless given)."""

    note: str
    table: pd.DataFrame
    priced: pd.DataFrame
    stability: pd.DataFrame
    win_rate_chart: dict[str, Any] | None
    value_chart: dict[str, Any] | None
    judges: JudgeBoard = field(default_factory=JudgeBoard)
    signals: pd.DataFrame = field(default_factory=pd.DataFrame)  # per endpoint: each signal's mean, 95 % interval

    @classmethod
    def of(cls, table: pd.DataFrame, backend: str, stability: pd.DataFrame, separation: str = "",
           judges: JudgeBoard | None = None, signals: pd.DataFrame | None = None) -> LeaderboardView:
        note = "\n\n".join(part for part in (leaderboard_note(backend, table), separation) if part)
        priced = table.dropna(subset=["mean_cost_usd", "bt_rating"])
        return cls(note, table, priced, stability, win_rate_chart(table), value_chart(priced),
                   JudgeBoard() if judges is None else judges, pd.DataFrame() if signals is None else signals)
