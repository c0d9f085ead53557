"""Decide's two pictures, as Vega-Lite specs drawn by the page's own vega-embed: rating against cost per second
(each endpoint a filled, labelled point with its 95 % interval as a vertical bar, the cheapest-for-its-quality
frontier as a line through its ringed points, provisional points grey, the top tie-class in the strong colour), and
the head-to-head win matrix as a heatmap whose every cell shows its count.

Both are read on a phone: few ticks, short labels, a point's label placed where it does not cover another, and a
column's name broken over lines. Each spec has a top-level ``encoding`` (the page's styling reads it) and paints
its own strokes (the page gives every unpainted mark the theme's accent stroke).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from playground.decide import Decision, Point
from playground.leaderboard import MARK, STYLE, TEXT, LeaderboardView

TOP, LOWER, PROVISIONAL = "top class", "lower class", "provisional"
STATUS_COLOURS = {TOP: MARK, LOWER: "#818cf8", PROVISIONAL: "#9ca3af"}  # indigo, light indigo, grey
FRONTIER = "#d97706"  # amber: the frontier's line and the rings round its points
WON, EVEN, LOST = MARK, "#eef2ff", "#ea580c"  # the matrix: the row beat the column always, half the time, never
NEVER_DECIDED = "#e5e7eb"  # a pair with no win either way (not met, or only ties)
INK = "#111827"  # the matrix's counts on pale cells (fixed: the cell is pale in dark mode too)

# Where a point's label may go, tried in order: (side, vertical offset in px). Offsets are pixels on the page.
PLACES = [("right", 0), ("left", 0), ("right", -15), ("left", -15), ("right", 15), ("left", 15), ("right", -30),
          ("left", -30), ("right", 30), ("left", 30)]
PHONE_PLOT = (290.0, 240.0)  # the plotting area on a 390 px phone (px): labels are placed to fit this, the worst
CHAR_PX, LINE_PX, POINT_PX, GAP_PX = 6.6, 14.0, 12.0, 15  # a label's character width, height; a ring's radius; the gap


def _cost(point: Point) -> float | None:
    cost = point.cost_per_second
    return cost if cost is not None and math.isfinite(cost) and cost >= 0 else None


def _status(point: Point) -> str:
    return PROVISIONAL if point.provisional else TOP if point.tie_class == 0 else LOWER


def _spread(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    return low, (high - low) or 1.0


def _places(points: list[Point]) -> dict[str, str]:
    """Each point's label place (``PLACES`` as "right-15" …): the first place whose box, on a phone's plotting
    area, covers no point and no label placed before it (best rated first); else beside its point on the right."""
    x0, dx = _spread([_cost(p) or 0.0 for p in points])
    y0, dy = _spread([v for p in points for v in (p.low, p.high, p.rating)])
    width, height = PHONE_PLOT
    at = {p.endpoint_id: ((_cost(p) or 0.0) - x0) / dx * width for p in points}  # x in px
    up = {p.endpoint_id: height - (p.rating - y0) / dy * height for p in points}  # y in px (down the screen)
    dots = [(at[p.endpoint_id] - POINT_PX, up[p.endpoint_id] - POINT_PX, at[p.endpoint_id] + POINT_PX,
             up[p.endpoint_id] + POINT_PX) for p in points]
    taken: list[tuple[float, float, float, float]] = []
    chosen: dict[str, str] = {}
    for point in sorted(points, key=lambda p: -p.rating):
        x, y, wide = at[point.endpoint_id], up[point.endpoint_id], len(point.label) * CHAR_PX
        for side, offset in PLACES:
            left = x + GAP_PX if side == "right" else x - GAP_PX - wide
            box = (left, y + offset - LINE_PX / 2, left + wide, y + offset + LINE_PX / 2)
            if 0 <= box[0] and box[2] <= width and not any(_overlap(box, other) for other in [*dots, *taken]):
                break
        else:
            side, offset = ("right", 0) if x < width / 2 else ("left", 0)
            left = x + GAP_PX if side == "right" else x - GAP_PX - wide
            box = (left, y - LINE_PX / 2, left + wide, y + LINE_PX / 2)
        taken.append(box)
        chosen[point.endpoint_id] = f"{side}{offset:+d}"
    return chosen


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def cost_rating_chart(decision: Decision) -> dict[str, Any] | None:
    """Rating (y) against cost per second (x), both numeric: one point per endpoint with a cost, its interval, the
    frontier; None when no endpoint has a cost."""
    points = [p for p in decision.points if _cost(p) is not None]
    if not points:
        return None
    places = _places(points)
    rows = [{"endpoint_id": p.endpoint_id, "label": p.label, "cost": _cost(p), "rating": round(p.rating, 1),
             "low": round(p.low, 1), "high": round(p.high, 1), "votes": p.votes, "class": p.tie_class + 1,
             "status": _status(p), "frontier": p.frontier, "place": places[p.endpoint_id]} for p in points]
    status = {"field": "status", "type": "nominal", "title": None,
              "scale": {"domain": list(STATUS_COLOURS), "range": list(STATUS_COLOURS.values())},
              "legend": {"orient": "bottom", "direction": "horizontal", "symbolType": "circle", "symbolOpacity": 1,
                         "labelColor": TEXT}}
    hover = [{"field": "label", "title": "endpoint"}, {"field": "cost", "title": "USD per second", "format": "$.4f"},
             {"field": "rating"}, {"field": "low", "title": "95 % low"}, {"field": "high", "title": "95 % high"},
             {"field": "votes"}, {"field": "class", "title": "tie-class (1 = top)"}, {"field": "status"},
             {"field": "frontier", "title": "cheapest for its quality"}]
    labels = [{"mark": {"type": "text", "align": "left" if side == "right" else "right", "baseline": "middle",
                        "dx": GAP_PX if side == "right" else -GAP_PX, "dy": offset, "fontSize": 12, "fill": TEXT,
                        "strokeWidth": 0, "aria": False},
               "transform": [{"filter": f"datum.place == '{side}{offset:+d}'"}],
               "encoding": {"text": {"field": "label"}}}
              for side, offset in PLACES if f"{side}{offset:+d}" in places.values()]
    return {**STYLE, "height": 300, "data": {"values": rows},
            "title": {"text": "Rating against cost per second",
                      "subtitle": ["higher is better, further left is cheaper", "amber: cheapest for its quality"],
                      "subtitleColor": TEXT},
            "encoding": {"x": {"field": "cost", "type": "quantitative", "title": "USD per second of video",
                               "scale": {"zero": False, "padding": 24, "nice": False},
                               "axis": {"format": "$.3~f", "tickCount": 3, "labelFlush": True, "labelOverlap": True}},
                         "y": {"field": "rating", "type": "quantitative", "title": "rating (1000 = average)",
                               "scale": {"zero": False, "padding": 16}, "axis": {"tickCount": 4}}},
            "layer": [{"mark": {"type": "rule", "strokeWidth": 2, "opacity": 0.55, "aria": False},
                       "encoding": {"y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"},
                                    "color": status}},
                      {"mark": {"type": "line", "stroke": FRONTIER, "strokeWidth": 2, "strokeDash": [6, 3],
                                "aria": False},
                       "transform": [{"filter": "datum.frontier"}], "encoding": {"order": {"field": "cost"}}},
                      {"mark": {"type": "point", "filled": False, "size": 420, "stroke": FRONTIER, "strokeWidth": 2.5,
                                "opacity": 1, "aria": False},
                       "transform": [{"filter": "datum.frontier"}]},
                      {"mark": {"type": "point", "filled": True, "size": 170, "opacity": 1, "fillOpacity": 1,
                                "stroke": "white", "strokeWidth": 1.5},
                       "encoding": {"color": status, "description": {"field": "label"}, "tooltip": hover}},
                      *labels]}


def _order(decision: Decision) -> list[int]:
    """The matrix's indices in the tie-classes' order (best first), then any endpoint no class names."""
    ids: list[str] = list(decision.matrix["endpoints"])
    ranked = [ids.index(e) for members in decision.classes for e in members if e in ids]
    return [*dict.fromkeys(ranked), *(i for i in range(len(ids)) if i not in ranked)]


def _names(decision: Decision) -> list[str]:
    """Each endpoint's label, or its id where two share a label (a nominal axis would merge them)."""
    labels: list[str] = list(decision.matrix["labels"])
    return labels if len(set(labels)) == len(labels) else list(decision.matrix["endpoints"])


def matrix_chart(decision: Decision) -> dict[str, Any] | None:
    """Rows: the winner; columns: the opponent; each cell the times the row beat the column (as text), coloured by
    the share of their decided meetings the row won; the diagonal empty. None with fewer than two endpoints or no
    win or tie between any two."""
    wins: list[list[int]] = decision.matrix["wins"]
    ties: list[list[int]] = decision.matrix["ties"]
    order, names = _order(decision), _names(decision)
    if len(order) < 2 or not any(wins[i][j] or ties[i][j] for i in order for j in order if i != j):
        return None
    cells = [{"winner": names[i], "opponent": names[j], "wins": wins[i][j], "losses": wins[j][i], "ties": ties[i][j],
              "share": wins[i][j] / (wins[i][j] + wins[j][i]) if wins[i][j] + wins[j][i] else None}
             for i in order for j in order if i != j]
    sequence = [names[i] for i in order]
    lines = max(len(name.split(" ")) for name in sequence)  # a column's name is broken at its spaces
    hover = [{"field": "winner", "title": "row"}, {"field": "opponent", "title": "column"},
             {"field": "wins", "title": "row beat column"}, {"field": "losses", "title": "column beat row"},
             {"field": "ties"}, {"field": "share", "title": "row's share", "format": ".0%"}]
    share = {"field": "share", "type": "quantitative", "title": "row's share of wins",
             "scale": {"domain": [0, 0.5, 1], "range": [LOST, EVEN, WON], "interpolate": "lab"},
             "legend": {"orient": "bottom", "direction": "horizontal", "format": ".0%", "gradientLength": 160,
                        "labelColor": TEXT, "titleColor": TEXT, "values": [0, 0.5, 1]}}
    cell = {"type": "rect", "stroke": "white", "strokeWidth": 2, "opacity": 1}
    strong = "datum.share != null && (datum.share >= 0.75 || datum.share <= 0.2)"  # dark cells take white text
    return {**STYLE, "height": {"step": 46}, "data": {"values": cells},
            "title": {"text": "Head to head", "subtitle": "times the row beat the column", "subtitleColor": TEXT},
            "encoding": {"x": {"field": "opponent", "type": "nominal", "sort": sequence, "title": None,
                               "axis": {"orient": "top", "labelExpr": "split(datum.label, ' ')", "labelAngle": 0,
                                        "labelPadding": 4 + LINE_PX * (lines - 1),
                                        "ticks": False, "labelLimit": 90}},
                         "y": {"field": "winner", "type": "nominal", "sort": sequence, "title": "winner",
                               "axis": {"ticks": False, "labelLimit": 110}}},
            "layer": [{"mark": {**cell, "fill": NEVER_DECIDED, "aria": False},
                       "transform": [{"filter": "datum.share == null"}]},
                      {"mark": cell, "transform": [{"filter": "datum.share != null"}],
                       "encoding": {"color": share, "tooltip": hover,
                                    "description": {"field": "winner"}}},
                      {"mark": {"type": "text", "fontSize": 14, "fontWeight": "bold", "strokeWidth": 0,
                                "baseline": "middle"},
                       "encoding": {"text": {"field": "wins", "type": "quantitative"}, "tooltip": hover,
                                    "fill": {"condition": {"test": strong, "value": "white"}, "value": INK}}}]}


CLASS_COLUMNS = {"class": "int64", "endpoint": "str", "standing": "str", "rating": "float64", "95 % low": "float64",
                 "95 % high": "float64", "votes": "int64", "USD per second": "float64",
                 "cheapest for its quality": "str"}


def class_table(decision: Decision) -> pd.DataFrame:
    """The pool's endpoints best first: tie-class (1 = top), standing (as the chart's legend words it: provisional
    ones said so), rating with its interval, votes, cost per second, and a tick on the frontier."""
    rows = [{"class": p.tie_class + 1, "endpoint": p.label, "standing": _status(p), "rating": p.rating,
             "95 % low": p.low, "95 % high": p.high, "votes": p.votes, "USD per second": _cost(p),
             "cheapest for its quality": "✓" if p.frontier else ""} for p in decision.points]
    return pd.DataFrame(rows, columns=list(CLASS_COLUMNS)).astype(CLASS_COLUMNS)


@dataclass(frozen=True)
class DecideView:
    """The Decide tab: the pools the filters leave (best-populated first) and the one shown, its verdict, its two
    pictures (None: nothing to draw) and its endpoints by class; under them the standings of every pool together
    (``board``) and the judge filter's choices."""

    pools: list[str]
    pool: str
    verdict: str
    cost_rating_chart: dict[str, Any] | None
    matrix_chart: dict[str, Any] | None
    classes: pd.DataFrame
    board: LeaderboardView
    judges: list[str]

    @classmethod
    def of(cls, decisions: list[Decision], pool: str | None, board: LeaderboardView, judges: list[str]) -> DecideView:
        """The pool asked for, else the best-populated one (``decisions`` come best-populated first)."""
        chosen = next((d for d in decisions if d.pool == pool), decisions[0])
        votes = f"{chosen.votes:,} vote{'' if chosen.votes == 1 else 's'}"
        verdict = f"#### {chosen.pool} · {votes}\n\n{chosen.verdict}"
        return cls([d.pool for d in decisions], chosen.pool, verdict, cost_rating_chart(chosen), matrix_chart(chosen),
                   class_table(chosen), board, judges)
