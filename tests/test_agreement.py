"""A judge's agreement with people, against hand computations (issue 26, must-show 2)."""

import pytest

from playground.agreement import agreement

# 10 rows. Judge picks a 6×, b 3×, tie 1×; people a 5×, b 4×, tie 1×; equal on 4 a + 2 b + 1 tie = 7.
# p₀ = 0.7; pₑ = (6·5 + 3·4 + 1·1) / 100 = 0.43; kappa = 0.27 / 0.57 = 0.4736842.
# Wilson 95 % for 7 of 10 (z = 1.959964): [0.3967781, 0.8922087] (as published tables give: 0.397–0.892);
# kappa's bounds: (0.3967781 − 0.43) / 0.57 = −0.0582840 and (0.8922087 − 0.43) / 0.57 = 0.8108925.
TEN = [("a", "a")] * 4 + [("b", "b")] * 2 + [("a", "b")] * 2 + [("b", "a")] + [("tie", "tie")]


def test_share_and_kappa_of_ten_rows_match_the_hand_computation():
    found = agreement(TEN)
    assert (found.rows, found.agreed) == (10, 7)
    assert found.share == pytest.approx(0.7)
    assert (found.share_low, found.share_high) == pytest.approx((0.3967781, 0.8922087), abs=1e-6)
    assert found.kappa == pytest.approx(0.27 / 0.57)
    assert (found.kappa_low, found.kappa_high) == pytest.approx((-0.0582840, 0.8108925), abs=1e-6)


@pytest.mark.parametrize("pairs, share, kappa, low, high", [
    # four rows in full agreement over two answers: p₀ = 1, pₑ = 0.5, kappa 1; Wilson for 4/4 is [n/(n+z²), 1]
    ([("a", "a"), ("b", "b"), ("a", "a"), ("b", "b")], 1.0, 1.0, (4 / (4 + 1.959964**2) - 0.5) / 0.5, 1.0),
    # two rows, always the other answer: p₀ = 0, pₑ = 0.5, kappa −1; Wilson for 0/2 is [0, z²/(n+z²)]
    ([("a", "b"), ("b", "a")], 0.0, -1.0, -1.0, (1.959964**2 / (2 + 1.959964**2) - 0.5) / 0.5),
])
def test_small_sets_keep_an_honest_interval(pairs, share, kappa, low, high):
    found = agreement(pairs)
    assert found.share == pytest.approx(share) and found.kappa == pytest.approx(kappa)
    assert (found.kappa_low, found.kappa_high) == pytest.approx((low, high), abs=1e-6)
    assert found.kappa_low < found.kappa_high  # never a point, even at perfect agreement


def test_no_rows_and_one_answer_everywhere_give_no_kappa():
    empty = agreement([])
    assert (empty.rows, empty.share, empty.kappa) == (0, None, None)
    same = agreement([("a", "a")] * 5)  # both always say "a": chance agreement is already total
    assert same.share == 1.0 and same.kappa is None and same.kappa_low is None
