"""Bradley–Terry ratings, ties as half wins, bootstrap intervals and the votes-to-separate figure, on synthetic
votes whose answer is known in closed form."""

import itertools
import math

import numpy as np
import pytest

from playground.ratings import fit, strengths

ELO_3_TO_1 = 400 * math.log10(3)  # a 3:1 record is a rating gap of 400·log10(3) ≈ 190.8 once the prior is negligible


def _record(n, share=0.65, a="a", b="b"):
    """``n`` head-to-head votes, ``a`` winning ``round(n × share)`` of them."""
    won = round(n * share)
    return [(a, [a, b])] * won + [(b, [a, b])] * (n - won)


def test_strengths_order_a_chain_and_leave_equals_equal():
    chain = strengths(np.array([[0, 3, 0], [0, 0, 3], [0, 0, 0]], dtype=float))
    assert chain[0] > chain[1] > chain[2]
    even = strengths(np.array([[0, 1], [1, 0]], dtype=float))
    assert even[0] == pytest.approx(even[1])


@pytest.mark.parametrize("votes", [
    [("a", ["a", "b"])] * 300 + [("b", ["a", "b"])] * 100,  # 300 wins to 100
    [("a", ["a", "b"])] * 200 + [(None, ["a", "b"])] * 200,  # 200 wins and 200 ties: a tie is half a win each way
])
def test_a_three_to_one_record_is_the_closed_form_gap(votes):
    ratings = fit(["a", "b"], votes)
    assert ratings.rating[0] - ratings.rating[1] == pytest.approx(ELO_3_TO_1, abs=2)
    assert ratings.rating[0] - 1000 == pytest.approx(1000 - ratings.rating[1])  # geometric mean 1: average is 1000
    assert ratings.win_rate[0] == pytest.approx(0.75)


def test_ties_only_leave_everyone_average_and_a_tie_counts_half():
    level = fit(["a", "b", "c"], [(None, ["a", "b", "c"])] * 5)
    assert level.rating == pytest.approx([1000, 1000, 1000]) and level.win_rate == pytest.approx([0.5, 0.5, 0.5])
    assert level.votes_to_separate() is None  # level: no number of votes like these separates them
    with_tie = fit(["a", "b"], [("a", ["a", "b"]), (None, ["a", "b"])])
    assert with_tie.win_rate[0] == pytest.approx(0.75) and with_tie.win_rate[1] == pytest.approx(0.25)
    split = fit(["a", "b"], [("a", ["a", "b"]), ("b", ["a", "b"])]).rating[0]
    swept = fit(["a", "b"], [("a", ["a", "b"])] * 2).rating[0]
    assert split < with_tie.rating[0] < swept


def test_intervals_cover_the_truth_and_narrow_as_one_over_root_votes():
    truth = 1000 + 200 * math.log10(0.65 / 0.35)  # a's rating when it wins 65 % of head-to-heads
    widths = []
    for n in (20, 80, 320, 1280):
        ratings = fit(["a", "b"], _record(n))
        assert ratings.rating_low[0] <= truth <= ratings.rating_high[0], n
        assert ratings.win_rate_low[0] <= 0.65 <= ratings.win_rate_high[0], n
        widths.append(ratings.rating_high[0] - ratings.rating_low[0])
    for wide, narrow in itertools.pairwise(widths):
        assert 0.35 < narrow / wide < 0.7, widths  # four times the votes: about half the width


@pytest.mark.parametrize("n", [15, 20, 25, 30])
def test_votes_to_separate_matches_the_normal_approximation(n):
    """At 65 % the intervals part near N = 1.96² · p(1−p) / (p − ½)² ≈ 39 votes (win-rate scale) to 44 (logit
    scale); the prior pulls ratings toward average, so a little more. And the forecast holds."""
    needed = fit(["a", "b"], _record(n)).votes_to_separate()
    assert needed is not None and 35 <= n + needed <= 70, needed
    assert fit(["a", "b"], _record(round((n + needed) * 1.25))).votes_to_separate() == 0


def test_already_apart_needs_no_more_votes():
    ratings = fit(["a", "b", "c"], _record(200, 0.8) + _record(200, 0.8, "b", "c"))
    assert ratings.votes_to_separate() == 0 and ratings.rating_low[0] > ratings.rating_high[1]


def test_the_same_votes_give_the_same_intervals():
    first, again = fit(["a", "b"], _record(30)), fit(["a", "b"], _record(30))
    assert first.rating_low.tolist() == again.rating_low.tolist()  # a fixed seed: a refresh does not jitter


# Wilson's 95 % score interval by hand, z = 1.959964 (z² = 3.841459): centre (p + z²/2n) / (1 + z²/n), half-width
# z / (1 + z²/n) · √(p(1 − p)/n + z²/4n²). 1 of 1: (1 + 1.920729) / 4.841459 = 0.603276 ± 0.404829 · 0.979982
# = 0.396724 → 0.2066–1. 0 of 3: 0.640243 / 2.280486 = 0.280748 ± 0.859450 · 0.326660 = 0.280746 → 0–0.5615.
# A tie in 1 (p = ½): 0.5 ± 0.404829 · √(0.25 + 0.960365) = 0.5 ± 0.445449 → 0.0546–0.9454.
@pytest.mark.parametrize("votes, low, high", [
    ([("a", ["a", "b"])], [0.2066, 0.0], [1.0, 0.7934]),  # one vote: 1 of 1 and 0 of 1
    ([("a", ["a", "b", "c"])] * 3, [0.4385, 0.0, 0.0], [1.0, 0.5615, 0.5615]),  # a clean sweep of three votes
    ([(None, ["a", "b"])], [0.0546, 0.0546], [0.9454, 0.9454]),  # one tie: half a win in one vote
])
def test_when_every_resample_agrees_the_win_rate_interval_is_wilsons(votes, low, high):
    ratings = fit(sorted({item for _, shown in votes for item in shown}), votes)
    assert ratings.win_rate_low.tolist() == pytest.approx(low, abs=1e-4)
    assert ratings.win_rate_high.tolist() == pytest.approx(high, abs=1e-4)


def test_where_the_bootstrap_varies_it_still_gives_the_win_rate_interval():
    """13 wins of 20: a resample's win count is Binomial(20, 0.65), so its 2.5th and 97.5th percentiles are 8–9
    and 17 wins (P(X ≤ 8) = 0.0196, P(X ≤ 9) = 0.0532; P(X ≥ 17) = 0.0444, P(X ≥ 18) = 0.0121, summed by hand
    from C(20, k) 0.65^k 0.35^(20−k)). Wilson's interval would be 0.4329–0.8188 (the formula above): its upper
    bound is below 16.5 / 20, where the bootstrap's is not."""
    for seed in range(5):
        ratings = fit(["a", "b"], _record(20), seed=seed)
        assert 7.5 / 20 <= ratings.win_rate_low[0] <= 9.5 / 20, seed
        assert 16.5 / 20 <= ratings.win_rate_high[0] <= 17.5 / 20, seed


@pytest.mark.parametrize("n", [1, 2, 5])
def test_a_clean_sweep_has_a_rating_interval_from_the_curvature(n):
    """Every resample of n votes "a beat b" is the same, so the bootstrap is a point. The interval is then ±1.96
    standard deviations of the Laplace approximation. For two items centred at ±t (in log strength) with a fit
    symmetric about 0, the curvature along t is 4·n·π(1 − π) for the n games (π = e^{2t} / (1 + e^{2t})) plus
    2·½·2·q(1 − q) for each item's prior games against an average opponent (q = e^t / (1 + e^t)); the rating's SD
    is (400 / ln 10) / √curvature."""
    ratings = fit(["a", "b"], [("a", ["a", "b"])] * n)
    elo = 400 / math.log(10)
    t = (ratings.rating[0] - 1000) / elo
    chance, versus_average = 1 / (1 + math.exp(-2 * t)), 1 / (1 + math.exp(-t))
    curvature = 4 * n * chance * (1 - chance) + 2 * 0.5 * 2 * versus_average * (1 - versus_average)
    half_width = 1.959964 * elo / math.sqrt(curvature)
    for i in (0, 1):
        assert ratings.rating_high[i] - ratings.rating[i] == pytest.approx(half_width, abs=0.5)
        assert ratings.rating[i] - ratings.rating_low[i] == pytest.approx(half_width, abs=0.5)
    if n == 1:  # one vote shows a plausibly average winner, and does not tell the two apart
        assert ratings.rating_low[0] < 1000 < ratings.rating_high[0] and ratings.votes_to_separate() > 0
