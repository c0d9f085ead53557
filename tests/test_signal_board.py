"""Signals per endpoint on the leaderboard: means with Student-t 95 % intervals, worked out by hand here."""

from __future__ import annotations

import pandas as pd
import pytest

from playground.record import RunRecord
from playground.signal_board import signal_board, signals_line, t95


def _row(endpoint: str, motion: float, sharpness: float | str = 100.0, backend: str = "fal", judged: str = "",
         status: str = "completed", cuts: str = "", loudness: str = "", silence: str = "") -> dict[str, str]:
    return {"endpoint_id": endpoint, "backend": backend, "status": status, "judged": judged, "motion": str(motion),
            "flicker": "0.5", "sharpness": str(sharpness), "cuts": cuts, "loudness_db": loudness, "silence": silence}


def test_means_and_intervals_match_a_hand_computation():
    # motion 1, 2, 3: mean 2, sample sd 1, t(2) = 4.303 → half width 4.303 / √3 = 2.4843
    rows = [_row("a", m, cuts=c) for m, c in ((1, ""), (2, "48"), (3, "10 90"))] + [_row("b", 7)]
    board = signal_board(pd.DataFrame(rows), {"a": "Tier A"})
    a = board[board.endpoint_id == "a"].iloc[0]
    assert a.endpoint == "Tier A" and a.clips == 3
    assert a.motion == pytest.approx(2.0) and a.motion_low == pytest.approx(2 - 2.4843, abs=1e-3)
    assert a.motion_high == pytest.approx(2 + 2.4843, abs=1e-3)
    assert a.cuts_per_clip == pytest.approx(1.0)  # 0 + 1 + 2 cuts over 3 clips
    assert pd.isna(a.loudness_db)  # no clip with sound
    b = board[board.endpoint_id == "b"].iloc[0]
    assert b.motion == pytest.approx(7.0) and pd.isna(b.motion_low)  # one clip: no interval


@pytest.mark.parametrize("left_out", [
    {"judged": '{"batch": "x"}'},  # a judge run measures no clip
    {"status": "failed"},
    {"sharpness": ""},  # logged before signals were measured
    {"backend": "offline"},
])
def test_rows_that_are_not_measured_clips_of_the_backend_are_left_out(left_out):
    rows = [_row("a", 1), {**_row("a", 100), **left_out}]
    board = signal_board(pd.DataFrame(rows), {}, backend="fal")
    assert board.iloc[0].clips == 1 and board.iloc[0].motion == pytest.approx(1.0)


def test_no_results_is_an_empty_board():
    assert signal_board(pd.DataFrame(), {}).empty


@pytest.mark.parametrize("freedom, expected", [(1, 12.706), (2, 4.303), (30, 2.042), (60, 2.000), (1000, 1.962)])
def test_t_quantiles_match_the_published_table(freedom, expected):
    assert t95(freedom) == pytest.approx(expected, abs=2e-3)


@pytest.mark.parametrize("run, expected", [
    (RunRecord(), ""),
    (RunRecord(motion=3.14, flicker=0.42, sharpness=212.4, cuts="48"),
     "motion 3.1 · flicker 0.4 · sharpness 212 · cuts at 48"),
    (RunRecord(motion=0.0, flicker=0.0, sharpness=50.0, cuts="", loudness_db=-21.4, silence=0.1),
     "motion 0.0 · flicker 0.0 · sharpness 50 · no cuts · −21 dB, 10% silent"),
])
def test_signals_line(run, expected):
    assert signals_line(run) == expected
