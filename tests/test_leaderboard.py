"""The leaderboard: ratings and intervals from votes (ties, all-bad), win rates, cost per win and latency."""

import json

import pandas as pd
import pytest

from playground.leaderboard import leaderboard, separation_note, standings
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
