"""The Leaderboard's model judges (issue 26, part 4): each judge rated on its own votes beside people's, never pooled,
and its agreement with people on rows both judged, against hand computations (must-show 2)."""

import pandas as pd
import pytest

from playground.judge_board import ENOUGH_PAIRS, judge_board, kappa_band, pairs, short_labels
from playground.leaderboard import NO_JUDGE, LeaderboardView, standings
from playground.record import COLUMNS as RESULT_COLUMNS
from playground.votes import COLUMNS, Vote

FLASH = "OpenRouter video (fal) · google/gemini-2.5-flash · rubric 1#a3f9c2"
FAL = "fal video-understanding · rubric 1#a3f9c2"
LABELS = {"a": "1.0 Lite", "b": "2.0 Fast"}


def _votes(*picks, batch="B1", backend="fal", candidates=("a", "b")):
    """Votes as the log holds them: (row, winner, judge) each."""
    return pd.DataFrame([Vote.cast(batch, row, "a paper boat", 7, winner, list(candidates), False, backend,
                                   judge).to_row() for row, winner, judge in picks], columns=COLUMNS)


def _both(*frames):
    return pd.concat(frames, ignore_index=True)


# Ten rows r0…r9 of one batch. The judge judged r0…r8, people voted on r0…r7 and r9; r7 had three people.
# Pairs (judge, person): r0 a·a, r1 a·a, r2 b·b, r3 b·b, r4 a·b, r5 b·a, r6 tie·tie, r7 a·a (ann), a·a (bob),
# a·b (cy) — 10 pairs on the 8 rows both judged; r8 (judge only) and r9 (people only) give none.
# Equal: 4 a·a + 2 b·b + 1 tie·tie = 7, so p₀ = 7/10 = 0.7.
# Judge's picks over the pairs: a 6 (r0 r1 r4 r7×3), b 3, tie 1; people's: a 5 (r0 r1 r5 ann bob), b 4, tie 1.
# pₑ = (6·5 + 3·4 + 1·1) / 10² = 0.43; kappa = (0.7 − 0.43) / (1 − 0.43) = 0.27 / 0.57 = 0.4737 → "0.47", which
# Landis & Koch call moderate (0.41–0.60).
# Wilson 95 % for 7 of 10 (z = 1.959964): 0.3968–0.8922 → "40–89 %"; kappa's bounds carry it through:
# (0.3968 − 0.43) / 0.57 = −0.0583 and (0.8922 − 0.43) / 0.57 = 0.8109 → "-0.06 to 0.81": the interval holds 0,
# so not clearly better than chance.
JUDGE = _votes(("r0", "a", FAL), ("r1", "a", FAL), ("r2", "b", FAL), ("r3", "b", FAL), ("r4", "a", FAL),
               ("r5", "b", FAL), ("r6", "tie", FAL), ("r7", "a", FAL), ("r8", "b", FAL))
PEOPLE = _votes(("r0", "a", "ann"), ("r1", "a", "ann"), ("r2", "b", "ann"), ("r3", "b", "bob"), ("r4", "b", "ann"),
                ("r5", "a", "ann"), ("r6", "tie", "ann"), ("r7", "a", "ann"), ("r7", "a", "bob"), ("r7", "b", "cy"),
                ("r9", "a", "ann"))


def test_agreement_on_a_synthetic_set_matches_the_hand_computation():
    board = judge_board(PEOPLE, JUDGE, LABELS)
    row = board.agreement.set_index("judge").loc["judge 1"]
    assert (row["rows"], row["pairs"], row["agreed"]) == (8, 10, 7)
    assert row["agree %"] == pytest.approx(70.0) and row["agree 95 %"] == "40–89"
    assert row["kappa"] == pytest.approx(0.47) and row["kappa 95 %"] == "-0.06 to 0.81"
    assert board.note == ("- **judge 1** = fal video\\-understanding · rubric 1\\#a3f9c2 (9 rows judged): agrees "
                          "with people on 7 of 10 picks over 8 rows both judged (70 %, 95 %: 40–89 %); kappa 0.47 "
                          "(-0.06 to 0.81): moderate — not clearly better than chance.")


def test_a_row_judged_by_three_people_gives_three_pairs():
    found = pairs(JUDGE, PEOPLE)
    assert len(found) == 10
    on_r7 = found[found.row == "r7"]
    assert sorted(zip(on_r7.judge_pick, on_r7.person_pick, strict=True)) == [("a", "a"), ("a", "a"), ("a", "b")]
    assert not {"r8", "r9"} & set(found.row)  # a row only one side judged gives no pair


def test_fewer_pairs_than_the_threshold_is_too_few_to_say():
    people = PEOPLE[PEOPLE.judge != "cy"]  # 9 pairs on the same 8 rows
    assert ENOUGH_PAIRS == 10
    board = judge_board(people, JUDGE, LABELS)
    assert "too few rows both judged to say (9 picks over 8 rows both judged; fewer than 10 picks)." in board.note
    assert board.agreement.loc[0, "pairs"] == 9  # the figures stay in the table, with their wide intervals


@pytest.mark.parametrize("picks, share, kappa, verdict", [
    # full agreement over two answers: p₀ = 1, pₑ = 0.5, kappa 1; Wilson for 10/10 is [10/(10 + z²), 1] =
    # [0.7225, 1] → kappa's low (0.7225 − 0.5)/0.5 = 0.4449 > 0
    ([("a", "a")] * 5 + [("b", "b")] * 5, "(100 %, 95 %: 72–100 %)", "kappa 1.00 (0.44 to 1.00): almost perfect",
     "better than chance"),
    # always the other answer: p₀ = 0, kappa −1; Wilson for 0/10 is [0, z²/(10 + z²)] = [0, 0.2775] → kappa's
    # high (0.2775 − 0.5)/0.5 = −0.4449 < 0
    ([("a", "b")] * 5 + [("b", "a")] * 5, "(0 %, 95 %: 0–28 %)", "kappa -1.00 (-1.00 to -0.44): poor",
     "worse than chance"),
])
def test_the_reading_says_whether_a_judge_beats_chance(picks, share, kappa, verdict):
    judge = _votes(*((f"r{i}", mine, FAL) for i, (mine, _) in enumerate(picks)))
    people = _votes(*((f"r{i}", theirs, "ann") for i, (_, theirs) in enumerate(picks)))
    note = judge_board(people, judge, LABELS).note
    assert f"{share}; {kappa} — {verdict}." in note


def test_one_answer_everywhere_has_no_kappa():
    judge = _votes(*((f"r{i}", "a", FAL) for i in range(10)))
    people = _votes(*((f"r{i}", "a", "ann") for i in range(10)))
    board = judge_board(people, judge, LABELS)
    assert "agrees with people on 10 of 10 picks" in board.note and "no kappa" in board.note
    assert pd.isna(board.agreement.loc[0, "kappa"]) and board.agreement.loc[0, "kappa 95 %"] == ""


@pytest.mark.parametrize("kappa, band", [(-0.5, "poor"), (-0.01, "poor"), (0.0, "slight"), (0.2, "slight"),
                                         (0.21, "fair"), (0.4, "fair"), (0.41, "moderate"), (0.6, "moderate"),
                                         (0.61, "substantial"), (0.8, "substantial"), (0.81, "almost perfect"),
                                         (1.0, "almost perfect")])
def test_kappa_bands_are_landis_and_kochs(kappa, band):
    assert kappa_band(kappa) == band


def _fit_alone(votes):
    table, _ = standings(votes, pd.DataFrame(columns=RESULT_COLUMNS), LABELS)
    return table.set_index("endpoint").bt_rating


def test_never_pooled_a_judge_that_disagrees_everywhere_is_people_mirrored():
    """People say a beat b on five rows, the judge b beat a on the same rows. Kept apart, the judge's ratings are
    people's mirrored about 1000 (the fit is symmetric); pooled, both would be level at 1000."""
    people = _votes(*((f"r{i}", "a", "ann") for i in range(5)))
    judge = _votes(*((f"r{i}", "b", FAL) for i in range(5)))
    ratings = judge_board(people, judge, LABELS).ratings.set_index("endpoint")
    assert ratings.loc["1.0 Lite", "people"] > 1000 > ratings.loc["1.0 Lite", "judge 1"]
    for endpoint in LABELS.values():
        assert ratings.loc[endpoint, "people"] + ratings.loc[endpoint, "judge 1"] == pytest.approx(2000, abs=0.11)
        low, high = (float(x) for x in ratings.loc[endpoint, "people 95 %"].split("–"))
        mirrored = (float(x) for x in ratings.loc[endpoint, "judge 1 95 %"].split("–"))
        assert list(mirrored) == pytest.approx([2000 - high, 2000 - low], abs=1)


def test_two_judges_are_kept_apart_and_people_are_untouched():
    other = _votes(("q0", "b", FLASH), ("q1", "b", FLASH), ("q2", "a", FLASH), batch="B2")  # rows no person judged
    alone = judge_board(PEOPLE, JUDGE, LABELS).ratings.set_index("endpoint")
    both = judge_board(PEOPLE, _both(JUDGE, other), LABELS)
    assert short_labels(_both(JUDGE, other)) == {FLASH: "judge 1", FAL: "judge 2"}  # numbered by full name
    ratings = both.ratings.set_index("endpoint")
    assert list(ratings.columns) == ["people", "people 95 %", "judge 1", "judge 1 95 %", "judge 2", "judge 2 95 %"]
    assert ratings["judge 2"].to_dict() == alone["judge 1"].to_dict() == _fit_alone(JUDGE).to_dict()
    assert ratings["judge 1"].to_dict() == _fit_alone(other).to_dict()
    assert ratings["people"].to_dict() == alone["people"].to_dict() == _fit_alone(PEOPLE).to_dict()
    assert ratings["people 95 %"].to_dict() == alone["people 95 %"].to_dict()
    never = both.agreement.set_index("judge").loc["judge 1"]
    assert (never["rows"], never["pairs"]) == (0, 0) and pd.isna(never["agree %"])
    assert ("- **judge 1** = OpenRouter video \\(fal\\) · google/gemini\\-2.5\\-flash · rubric 1\\#a3f9c2 "
            "(3 rows judged): has judged no row people voted on yet.") in both.note.splitlines()


def test_people_first_then_endpoints_only_a_judge_rated():
    judge = _votes(("r0", "c", FAL), ("r1", "a", FAL), candidates=("a", "b", "c"))
    ratings = judge_board(PEOPLE, judge, LABELS).ratings
    assert list(ratings.endpoint[:2]) == list(_fit_alone(PEOPLE).index)  # people's best first
    assert ratings.endpoint.iloc[-1] == "c" and pd.isna(ratings.people.iloc[-1]) and ratings["people 95 %"].iloc[-1] == ""


@pytest.mark.parametrize("models", [None, _votes(), _votes(("r0", "a", FAL), backend="offline")],
                         ids=["none given", "no votes", "only on another backend"])
def test_no_judge_yet_is_an_empty_board_that_says_so(models):
    board = judge_board(PEOPLE, models, LABELS, backend="fal")
    assert board.note == NO_JUDGE == "No model judge has judged a row yet."
    assert board.ratings.empty and board.agreement.empty


def test_both_sides_are_kept_to_the_backend_asked_for():
    offline_people = _votes(("r0", "b", "dan"), ("r1", "b", "dan"), backend="offline")
    board = judge_board(_both(PEOPLE, offline_people), _both(JUDGE, _votes(("r0", "a", FLASH), backend="offline")),
                        LABELS, backend="fal")
    assert list(board.agreement.judge) == ["judge 1"] and board.agreement.loc[0, "pairs"] == 10
    assert board.ratings.set_index("endpoint").people.to_dict() == _fit_alone(PEOPLE).to_dict()


def test_judges_without_people_votes_still_show_their_ratings():
    board = judge_board(_votes(), JUDGE, LABELS)
    assert board.ratings["judge 1"].notna().all() and board.ratings.people.isna().all()
    assert "has judged no row people voted on yet" in board.note


@pytest.mark.parametrize("name, shown", [
    ("gemini\nflash\u2028v2\x1c*bold*", "gemini flash v2 \\*bold\\*"),  # one line, markup escaped
    ("broken \ud800 name", "broken \\\\ud800 name"),  # a lone surrogate as its escape (escaped once more)
    ("x" * 100_000, "x" * 199 + "…"),
    ("", ""),
])
def test_odd_judge_names_are_one_plain_line(name, shown):
    note = judge_board(PEOPLE, _votes(("r0", "a", name)), LABELS).note
    assert note.startswith(f"- **judge 1** = {shown} (1 row judged): ") and "\n" not in note


def test_the_view_has_no_judges_unless_given_and_keeps_people_as_they_are():
    people_table, _ = standings(PEOPLE, pd.DataFrame(columns=RESULT_COLUMNS), LABELS)
    plain = LeaderboardView.of(people_table, "fal", pd.DataFrame())
    assert plain.judges.note == NO_JUDGE and plain.judges.ratings.empty and plain.judges.agreement.empty
    board = judge_board(PEOPLE, JUDGE, LABELS)
    with_judges = LeaderboardView.of(people_table, "fal", pd.DataFrame(), "", board)
    assert with_judges.judges is board and with_judges.table is plain.table and with_judges.note == plain.note
