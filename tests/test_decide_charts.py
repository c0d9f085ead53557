"""Decide's pictures as specs, from hand-made decisions: every endpoint with a cost is a point on numeric axes with
its interval, the frontier and the classes are marked, labels do not cover each other on a phone, and the win
matrix's cells say exactly the counts, in the classes' order, diagonal empty. (What the page draws from them is
tests/test_browser_leaderboard.py's.)"""

import json
import math

import pandas as pd
import pytest

from playground.decide import Decision, Point
from playground.decide_charts import (
    FRONTIER,
    PHONE_PLOT,
    STATUS_COLOURS,
    DecideView,
    class_table,
    cost_rating_chart,
    matrix_chart,
)


def _point(endpoint_id, rating, cost, tie_class=0, frontier=False, provisional=False, label=None, spread=40.0):
    return Point(endpoint_id=endpoint_id, label=label or endpoint_id.upper(), rating=rating, low=rating - spread,
                 high=rating + spread, votes=20, cost_per_second=cost, provisional=provisional, frontier=frontier,
                 tie_class=tie_class)


def _decision(points, classes=None, wins=None, ties=None, labels=None):
    ids = [p.endpoint_id for p in points]
    size = len(ids)
    matrix = {"endpoints": ids, "labels": labels or [p.label for p in points],
              "wins": wins or [[0] * size for _ in ids], "ties": ties or [[0] * size for _ in ids]}
    return Decision(pool="text-to-video · without sound", verdict="", classes=classes or [ids], matrix=matrix,
                    points=points, votes=30)


FIVE = [_point("pro", 1120, 0.3024, frontier=True), _point("fast", 1105, 0.2419, frontier=True),
        _point("mini", 1010, 0.12, tie_class=1), _point("v15", 1000, 0.052, tie_class=1, frontier=True),
        _point("lite", 860, 0.018, tie_class=2, frontier=True, provisional=True)]


def _layers(spec, mark):
    return [layer for layer in spec["layer"] if (layer["mark"] if isinstance(layer["mark"], str)
                                                 else layer["mark"]["type"]) == mark]


def _main_points(spec):
    """The filled point layer (the frontier's rings are points too, unfilled)."""
    [layer] = [layer for layer in _layers(spec, "point") if layer["mark"].get("filled")]
    return layer


def test_every_endpoint_with_a_cost_is_a_point_on_numeric_axes():
    no_cost = [_point("none", 990, None), _point("nan", 980, math.nan), _point("negative", 970, -0.1)]
    spec = cost_rating_chart(_decision([*FIVE, *no_cost]))
    rows = {row["endpoint_id"]: row for row in spec["data"]["values"]}
    assert set(rows) == {"pro", "fast", "mini", "v15", "lite"}  # no cost, no place on a cost axis
    assert rows["v15"]["cost"] == 0.052 and rows["v15"]["rating"] == 1000
    assert (rows["v15"]["low"], rows["v15"]["high"]) == (960, 1040)
    encoding = spec["encoding"]
    assert (encoding["x"]["field"], encoding["x"]["type"]) == ("cost", "quantitative")
    assert (encoding["y"]["field"], encoding["y"]["type"]) == ("rating", "quantitative")
    points = _main_points(spec)
    assert "transform" not in points and points["encoding"]["description"] == {"field": "label"}
    [bars] = _layers(spec, "rule")  # the interval: a vertical bar from low to high at the point's cost
    assert bars["encoding"]["y"]["field"] == "low" and bars["encoding"]["y2"]["field"] == "high"
    json.dumps(spec, allow_nan=False)  # the page gets JSON: no NaN anywhere


def test_frontier_classes_and_provisional_points_are_told_apart():
    spec = cost_rating_chart(_decision(FIVE))
    rows = {row["endpoint_id"]: row for row in spec["data"]["values"]}
    assert {e for e, row in rows.items() if row["frontier"]} == {"pro", "fast", "v15", "lite"}
    assert {e: row["status"] for e, row in rows.items()} == {
        "pro": "top class", "fast": "top class", "mini": "lower class", "v15": "lower class", "lite": "provisional"}
    assert {e: row["class"] for e, row in rows.items()} == {"pro": 1, "fast": 1, "mini": 2, "v15": 2, "lite": 3}
    colour = _main_points(spec)["encoding"]["color"]["scale"]
    assert dict(zip(colour["domain"], colour["range"], strict=True)) == STATUS_COLOURS
    assert STATUS_COLOURS["provisional"] == "#9ca3af"  # grey
    [line] = _layers(spec, "line")  # the frontier: a line through its points, cheapest first
    assert line["transform"] == [{"filter": "datum.frontier"}] and line["encoding"]["order"] == {"field": "cost"}
    assert line["mark"]["stroke"] == FRONTIER
    rings = [layer for layer in _layers(spec, "point") if not layer["mark"].get("filled")]
    assert [ring["transform"] for ring in rings] == [[{"filter": "datum.frontier"}]]


def _label_boxes(spec):
    """Each label's box on a phone's plotting area, as the chart places it (a label 6.6 px a character)."""
    width, height = PHONE_PLOT
    rows = spec["data"]["values"]
    cost = [r["cost"] for r in rows]
    level = [v for r in rows for v in (r["low"], r["high"], r["rating"])]
    boxes = {}
    for layer in _layers(spec, "text"):
        [place] = layer["transform"]
        for row in rows:
            if place["filter"] != f"datum.place == '{row['place']}'":
                continue
            x = (row["cost"] - min(cost)) / ((max(cost) - min(cost)) or 1) * width + layer["mark"]["dx"]
            y = height - (row["rating"] - min(level)) / ((max(level) - min(level)) or 1) * height + layer["mark"]["dy"]
            wide = len(row["label"]) * 6.6
            left = x if layer["mark"]["align"] == "left" else x - wide
            boxes[row["endpoint_id"]] = (left, y - 7, left + wide, y + 7)
    return boxes


@pytest.mark.parametrize("points", [
    FIVE,
    # three tiers at one price and nearly one rating: beside each other their names would be written over each other
    [_point("a", 1000, 0.1), _point("b", 1002, 0.1), _point("c", 1004, 0.1), _point("d", 1100, 0.3)],
], ids=["five", "crowded"])
def test_labels_do_not_cover_each_other_on_a_phone(points):
    spec = cost_rating_chart(_decision(points))
    boxes = _label_boxes(spec)
    assert set(boxes) == {p.endpoint_id for p in points}  # every point named, once
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            one, two = boxes[a], boxes[b]
            assert not (one[0] < two[2] and two[0] < one[2] and one[1] < two[3] and two[1] < one[3]), (a, b, boxes)
    assert all(0 <= box[0] and box[2] <= PHONE_PLOT[0] for box in boxes.values()), boxes  # none cut off at a side


def test_nothing_to_draw_is_none():
    assert cost_rating_chart(_decision([_point("a", 1000, None), _point("b", 990, None)])) is None
    assert cost_rating_chart(_decision([])) is None
    assert matrix_chart(_decision([_point("a", 1000, 0.1)])) is None  # one endpoint: no pair
    assert matrix_chart(_decision([_point("a", 1000, 0.1), _point("b", 990, 0.2)])) is None  # no vote between them


# wins[i][j]: i beat j. Hand counts for three endpoints listed c, a, b; classes say a and b (tied) above c.
WINS = [[0, 1, 0],   # c beat a once
        [3, 0, 2],   # a beat c three times, b twice
        [4, 2, 0]]   # b beat c four times, a twice
TIES = [[0, 0, 1], [0, 0, 5], [1, 5, 0]]


def _cells(spec):
    return {(cell["winner"], cell["opponent"]): cell for cell in spec["data"]["values"]}


def test_matrix_cells_say_the_counts_in_the_classes_order():
    points = [_point("c", 900, 0.05, tie_class=1), _point("a", 1050, 0.2), _point("b", 1040, 0.1)]
    spec = matrix_chart(_decision(points, classes=[["a", "b"], ["c"]], wins=WINS, ties=TIES))
    cells = _cells(spec)
    assert set(cells) == {(r, c) for r in "ABC" for c in "ABC" if r != c}  # the diagonal is empty
    expected = {("A", "B"): 2, ("A", "C"): 3, ("B", "A"): 2, ("B", "C"): 4, ("C", "A"): 1, ("C", "B"): 0}
    assert {pair: cell["wins"] for pair, cell in cells.items()} == expected
    assert cells[("A", "C")]["share"] == pytest.approx(3 / 4) and cells[("C", "A")]["share"] == pytest.approx(1 / 4)
    assert cells[("B", "C")]["share"] == 1 and cells[("C", "B")]["share"] == 0
    assert cells[("A", "B")]["ties"] == 5 and cells[("A", "B")]["share"] == pytest.approx(0.5)
    assert spec["encoding"]["y"]["sort"] == ["A", "B", "C"] == spec["encoding"]["x"]["sort"]  # best class first
    assert (spec["encoding"]["y"]["field"], spec["encoding"]["x"]["field"]) == ("winner", "opponent")
    [text] = _layers(spec, "text")
    assert text["encoding"]["text"]["field"] == "wins"  # each cell shows its count
    colour = next(layer for layer in _layers(spec, "rect") if "encoding" in layer)["encoding"]["color"]
    assert colour["field"] == "share" and colour["scale"]["domain"] == [0, 0.5, 1]
    json.dumps(spec, allow_nan=False)


def test_a_pair_that_never_had_a_winner_is_a_neutral_cell_and_unclassed_endpoints_come_last():
    points = [_point("x", 1000, 0.1), _point("y", 990, 0.1), _point("z", 980, 0.1)]
    wins = [[0, 2, 0], [1, 0, 0], [0, 0, 0]]
    ties = [[0, 0, 3], [0, 0, 0], [3, 0, 0]]  # x and z only ever tied
    spec = matrix_chart(_decision(points, classes=[["y"], ["x"]], wins=wins, ties=ties))
    assert spec["encoding"]["x"]["sort"] == ["Y", "X", "Z"]
    cells = _cells(spec)
    assert cells[("X", "Z")]["share"] is None and cells[("X", "Z")]["wins"] == 0 and cells[("X", "Z")]["ties"] == 3
    neutral = next(layer for layer in _layers(spec, "rect") if "encoding" not in layer)
    assert neutral["transform"] == [{"filter": "datum.share == null"}]


def test_two_endpoints_sharing_a_label_stay_two_rows():
    points = [_point("a/one", 1000, 0.1, label="Same"), _point("b/two", 990, 0.2, label="Same")]
    spec = matrix_chart(_decision(points, wins=[[0, 1], [2, 0]]))
    assert spec["encoding"]["y"]["sort"] == ["a/one", "b/two"]
    assert {pair: cell["wins"] for pair, cell in _cells(spec).items()} == {("a/one", "b/two"): 1, ("b/two", "a/one"): 2}


@pytest.mark.parametrize("chart", [cost_rating_chart, matrix_chart])
def test_specs_carry_what_the_page_styles_from(chart):
    """Gradio's page reads the top-level encoding (it fails without one) and strokes every mark that paints no stroke
    of its own with its accent colour: text included, which would blur it."""
    spec = chart(_decision(FIVE, classes=[["pro", "fast"], ["mini", "v15"], ["lite"]],
                           wins=[[0, 5, 8, 9, 3], [4, 0, 7, 8, 2], [2, 3, 0, 5, 3], [1, 2, 4, 0, 2], [0, 1, 1, 1, 0]]))
    assert isinstance(spec["encoding"], dict) and spec["encoding"]
    for layer in spec["layer"]:
        mark, colour = layer["mark"], layer.get("encoding", {}).get("color")
        assert "stroke" in mark or mark.get("strokeWidth") == 0 or (colour and mark["type"] == "rule"), mark


def test_class_table_lists_the_pool_best_first_with_classes_and_provisional_ones_said():
    table = class_table(_decision(FIVE))
    assert list(table["endpoint"]) == ["PRO", "FAST", "MINI", "V15", "LITE"]
    assert list(table["class"]) == [1, 1, 2, 2, 3]
    assert list(table["standing"]) == ["top class", "top class", "lower class", "lower class", "provisional"]
    assert list(table["cheapest for its quality"]) == ["✓", "✓", "", "✓", "✓"]
    assert table["USD per second"].dtype == "float64" and table["votes"].dtype == "int64"
    assert class_table(_decision([])).empty


def _board():
    from playground.leaderboard import COLUMNS, DTYPES, LeaderboardView
    return LeaderboardView.of(pd.DataFrame(columns=COLUMNS).astype(DTYPES), "offline", pd.DataFrame())


@pytest.mark.parametrize("asked, shown", [("image-to-video · silent", "image-to-video · silent"),
                                          (None, "text-to-video · with sound"),  # first: the best-populated
                                          ("a pool the filters no longer leave", "text-to-video · with sound")])
def test_the_view_shows_the_pool_asked_for_else_the_first(asked, shown):
    first = _decision(FIVE, wins=[[0, 5, 8, 9, 3], [4, 0, 7, 8, 2], [2, 3, 0, 5, 3], [1, 2, 4, 0, 2], [0] * 5])
    first = Decision("text-to-video · with sound", "**PRO** is the best.", first.classes, first.matrix, first.points,
                     31)
    second = Decision("image-to-video · silent", "Not enough votes yet.", [], {"endpoints": [], "labels": [],
                                                                              "wins": [], "ties": []}, [], 1)
    view = DecideView.of([first, second], asked, _board(), ["everyone", "Ann"])
    assert view.pools == ["text-to-video · with sound", "image-to-video · silent"] and view.pool == shown
    picked = first if shown == first.pool else second
    assert view.verdict.startswith(f"#### {shown} · {picked.votes} vote") and picked.verdict in view.verdict
    assert (view.cost_rating_chart is None, view.matrix_chart is None) == ((False, False) if picked is first
                                                                          else (True, True))
    assert len(view.classes) == len(picked.points) and view.judges == ["everyone", "Ann"]
