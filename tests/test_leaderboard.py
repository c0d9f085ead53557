"""The leaderboard: ratings and intervals from votes (ties, all-bad), win rates, cost per win and latency."""

import json

import pandas as pd
import pytest

from playground.leaderboard import LeaderboardView, leaderboard, separation_note, standings
from playground.results import COLUMNS as RESULT_COLUMNS
from playground.votes import COLUMNS as VOTE_COLUMNS


def _votes(*rows):
    return pd.DataFrame([{**dict.fromkeys(VOTE_COLUMNS, ""), "winner": w, "candidates": json.dumps(c), "backend": b}
                         for w, c, b in rows], columns=VOTE_COLUMNS)


def _results(*rows):
    return pd.DataFrame([{**dict.fromkeys(RESULT_COLUMNS, ""), "endpoint_id": e, "status": s, "backend": b,
                          "estimated_cost_usd": str(cost), "total_s": str(t)} for e, s, b, cost, t in rows],
                        columns=RESULT_COLUMNS)


def test_leaderboard_columns_from_votes_and_results():
    votes = _votes(("a", ["a", "b", "c"], "fal"), ("a", ["a", "b"], "fal"), ("b", ["a", "b", "c"], "fal"),
                   ("c", ["b", "c"], "offline"))
    results = _results(("a", "completed", "fal", 0.2, 10), ("a", "completed", "fal", 0.4, 20),
                       ("a", "failed", "fal", 9.0, 99), ("b", "completed", "fal", 0.1, 5), ("c", "completed", "fal", 0.3, 7))
    board = leaderboard(votes, results, {"a": "Model A"}, backend="fal").set_index("endpoint_id")
    assert list(board.index) == ["a", "b", "c"]  # best rating first
    assert board.loc["a", "endpoint"] == "Model A" and board.loc["b", "endpoint"] == "b"
    assert (board.loc["a", "votes"], board.loc["a", "wins"], board.loc["a", "win_rate"]) == (3, 2, pytest.approx(0.667, abs=1e-3))
    assert board.loc["a", "mean_cost_usd"] == pytest.approx(0.3)  # the failed run does not count
    assert board.loc["a", "cost_per_win_usd"] == pytest.approx(0.3 / (2 / 3), abs=1e-4)
    assert board.loc["a", "mean_latency_s"] == pytest.approx(15)
    assert pd.isna(board.loc["c", "cost_per_win_usd"])  # no wins on fal: no cost per win
    everything = leaderboard(votes, results, {}, backend="all").set_index("endpoint_id")
    assert everything.loc["c", "wins"] == 1 and everything.loc["b", "votes"] == 4


def test_no_votes_is_an_empty_table():
    assert leaderboard(_votes(), _results(), {}).empty


FIGURES = ["win_rate", "win_rate_low", "win_rate_high", "bt_rating", "ci_low", "ci_high", "mean_cost_usd",
           "cost_per_win_usd", "mean_latency_s"]


@pytest.mark.parametrize("votes, runs", [
    ([], []),  # no votes: the empty table a chart may be handed first
    ([("a", ["a", "b"], "fal")], [("a", "completed", "fal", 0.2, 10)]),  # b has no cost
    ([("a", ["a", "b"], "fal")], []),  # no completed run at all: no cost anywhere
    ([("none", ["a", "b"], "fal")], [("a", "completed", "fal", 0.2, 10)]),  # only all-bad votes: no rating anywhere
])
def test_every_column_has_one_numeric_or_text_dtype_empty_or_not(votes, runs):
    """A chart reads a column's dtype to choose its scale: object columns of None would be drawn as categories."""
    table = leaderboard(_votes(*votes), _results(*runs), {})
    for column in FIGURES:
        assert table[column].dtype == "float64", column
    for column in ("votes", "wins", "ties", "all_bad", "runs"):
        assert table[column].dtype == "int64", column
    for column in ("endpoint", "cost_basis", "endpoint_id"):
        assert pd.api.types.is_string_dtype(table[column]) and table[column].dtype != object, column


@pytest.mark.parametrize("estimated, billed, latency, mean_cost, mean_latency", [
    (["0.2", "0.4"], ["", ""], ["10", "20"], 0.3, 15),
    (["0.2", "0.4", "-1", "inf", "-inf", "nan", "NaN", "abc", "1e400", ""], [""] * 10,
     ["10", "20", "-5", "inf", "x", "", "1e999", "nan", "-0.1", "30"], 0.3, 20),  # impossible figures are left out
    (["0.2", "0.4"], ["-0.5", "inf"], ["10", "20"], 0.3, 15),  # an impossible billed cost falls back to the estimate
    (["0.2", "0.4"], ["0.6", "oops"], ["10", "20"], 0.5, 15),  # billed 0.6 for one, the estimate 0.4 for the other
    (["-1", "abc"], ["", ""], ["", ""], None, None),  # nothing possible: no mean at all
])
def test_impossible_costs_and_times_in_the_log_are_left_out_of_the_means(estimated, billed, latency, mean_cost,
                                                                         mean_latency):
    results = _results(*[("a", "completed", "fal", cost, t) for cost, t in zip(estimated, latency, strict=True)])
    results["billed_cost_usd"] = billed + [""] * (len(results) - len(billed))
    row = leaderboard(_votes(("a", ["a", "b"], "fal")), results, {}).set_index("endpoint_id").loc["a"]
    for figure, expected in (("mean_cost_usd", mean_cost), ("mean_latency_s", mean_latency)):
        assert pd.isna(row[figure]) if expected is None else row[figure] == pytest.approx(expected), (figure, row)
    assert mean_cost is None or row["cost_per_win_usd"] == pytest.approx(mean_cost)  # a won its one vote


def test_one_vote_shows_how_unsure_it_is():
    """1 of 1 and 0 of 1 have Wilson's intervals (0.207–1 and 0–0.793 by hand, see test_ratings); the ratings'
    intervals are wide and overlap, so the note does not call the winner ahead beyond doubt."""
    table, fitted = standings(_votes(("a", ["a", "b"], "fal")), _results(), {})
    board = table.set_index("endpoint_id")
    assert (board.loc["a", "win_rate_low"], board.loc["a", "win_rate_high"]) == (pytest.approx(0.207), 1.0)
    assert (board.loc["b", "win_rate_low"], board.loc["b", "win_rate_high"]) == (0.0, pytest.approx(0.793))
    for endpoint in ("a", "b"):
        assert board.loc[endpoint, "ci_low"] < board.loc[endpoint, "bt_rating"] - 100
        assert board.loc[endpoint, "ci_high"] > board.loc[endpoint, "bt_rating"] + 100
    assert board.loc["a", "ci_low"] < board.loc["b", "ci_high"]
    assert "not told apart yet" in separation_note(fitted, {})


def test_the_charts_plot_numbers_on_numeric_scales():
    votes = _votes(("a", ["a", "b", "c"], "fal"), ("b", ["a", "b"], "fal"), ("a", ["a", "b"], "fal"),
                   ("none", ["a", "d"], "fal"))
    results = _results(("a", "completed", "fal", 0.2, 10), ("b", "completed", "fal", 0.1, 5))
    table = leaderboard(votes, results, {"a": "Model A"})
    view = LeaderboardView.of(table, "fal", pd.DataFrame())
    value = view.value_chart
    assert {value["encoding"][axis]["type"] for axis in ("x", "y")} == {"quantitative"}
    assert (value["encoding"]["x"]["field"], value["encoding"]["y"]["field"]) == ("mean_cost_usd", "bt_rating")
    points = {row["endpoint"]: row for row in value["data"]["values"]}
    assert set(points) == {"Model A", "b"}  # c has no cost, d no rating: nothing to place
    assert points["Model A"]["mean_cost_usd"] == 0.2 and isinstance(points["b"]["bt_rating"], float)
    marks = [layer["mark"] for layer in value["layer"]]
    assert {"type": "point", "filled": True}.items() <= marks[0].items() and marks[1]["type"] == "text"
    wins = view.win_rate_chart
    bar = wins["layer"][0]["encoding"]["x"]
    assert (bar["field"], bar["type"], bar["scale"]["domain"]) == ("win_rate", "quantitative", [0, 1])
    assert [row["endpoint"] for row in wins["data"]["values"]] == ["Model A", "b", "c"]  # best first; d unrated
    empty = LeaderboardView.of(leaderboard(_votes(), _results(), {}), "fal", pd.DataFrame())
    assert empty.value_chart is None and empty.win_rate_chart is None


def test_cost_per_win_uses_what_fal_billed_where_it_is_known():
    votes = _votes(("a", ["a", "b"], "fal"), ("b", ["a", "b"], "fal"))
    results = _results(("a", "completed", "fal", 0.2, 10), ("a", "completed", "fal", 0.4, 20),
                       ("b", "completed", "fal", 0.1, 5))
    results.loc[0, "billed_cost_usd"] = "0.5"  # fal billed more than estimated for one of a's runs
    board = leaderboard(votes, results, {}, backend="fal").set_index("endpoint_id")
    assert board.loc["a", "mean_cost_usd"] == pytest.approx((0.5 + 0.4) / 2)
    assert board.loc["a", "cost_basis"] == "billed where known" and board.loc["b", "cost_basis"] == "estimated"
    assert board.loc["a", "cost_per_win_usd"] == pytest.approx(0.45 / 0.5)


def test_ties_count_half_and_all_bad_is_shown_but_not_rated():
    judged = [("a", ["a", "b"], "fal"), ("tie", ["a", "b"], "fal")]
    board = leaderboard(_votes(*judged), _results(), {}).set_index("endpoint_id")
    assert (board.loc["a", "wins"], board.loc["a", "ties"], board.loc["a", "win_rate"]) == (1, 1, 0.75)
    assert board.loc["b", "win_rate"] == 0.25 and board.loc["a", "ci_low"] <= board.loc["a", "bt_rating"]
    all_bad = [("none", ["a", "b", "c"], "fal")] * 3
    with_bad = leaderboard(_votes(*judged, *all_bad), _results(), {}).set_index("endpoint_id")
    assert with_bad.loc["a", "bt_rating"] == board.loc["a", "bt_rating"]  # all-bad votes leave ratings alone
    assert with_bad.loc["a", "votes"] == 2 and with_bad.loc["a", "all_bad"] == 3
    assert with_bad.loc["c", "all_bad"] == 3 and with_bad.loc["c", "votes"] == 0  # shown, yet never rated
    assert pd.isna(with_bad.loc["c", "bt_rating"]) and list(with_bad.index)[-1] == "c"


def test_the_note_says_whether_the_top_two_are_told_apart():
    close = [("a", ["a", "b"], "fal")] * 6 + [("b", ["a", "b"], "fal")] * 4
    table, fitted = standings(_votes(*close), _results(), {"a": "Model A"})
    needed = fitted.votes_to_separate()
    assert needed > 10 and f"about **{needed}** more votes" in separation_note(fitted, {"a": "Model A"})
    _, apart = standings(_votes(*[("a", ["a", "b"], "fal")] * 60), _results(), {})
    assert "beyond doubt" in separation_note(apart, {})
    _, level = standings(_votes(("tie", ["a", "b"], "fal")), _results(), {})
    assert "level" in separation_note(level, {})
    assert separation_note(standings(_votes(("none", ["a", "b"], "fal")), _results(), {})[1], {}) == ""


@pytest.mark.parametrize("query", ["\ud800", "x" * 100_000, "[]", '{"backend": "fal\\u2028"}',
                                   '{"backend": "all", "extra": 1}', '{"backend": null}'])
def test_odd_leaderboard_filters_are_refused(tmp_path, catalog, query):
    from playground.errors import InputError
    from playground.service import Playground

    api = Playground(catalog, tmp_path / "data").api
    with pytest.raises(InputError):
        api.leaderboard(query)
    for blank in ("", "  \r\n", "\u2028\u200b"):  # nothing asked: every backend (no votes yet)
        assert api.leaderboard(blank) == []
