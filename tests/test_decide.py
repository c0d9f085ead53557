"""From votes to a decision (playground.decide): tie-classes at 95 %, the win matrix, cost per second, the frontier,
the verdict in words, pools that never mix modes or sound, and the filters.

Must-show 1: 400 votes made through the app among five offline text-to-video endpoints with known Bradley–Terry
strengths (2.0 and 2.0 fast equal at the top), checked against the truth, a hand count of votes.csv and a cost
ratio computed from results.csv. Must-show 2: the verdict's cases and the pools, on small synthetic logs.
"""

import asyncio
import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from playground.decide import (
    PROVISIONAL_VOTES,
    Filters,
    decide,
    on_frontier,
    tie_classes,
    votes_to_separate,
    win_matrix,
)
from playground.decide_filters import kept_runs
from playground.decide_pools import judged_votes
from playground.decide_verdict import NOT_JUDGED
from playground.errors import InputError
from playground.ratings import Z95, Ratings
from playground.results import COLUMNS as RESULT_COLUMNS
from playground.votes import COLUMNS as VOTE_COLUMNS

T2V, I2V = "text-to-video", "image-to-video"
MODES = {name: T2V for name in "ABCDE"} | {"t1": T2V, "t2": T2V, "i1": I2V, "i2": I2V}
DAY = "2026-03-10T12:00:00.000+00:00"


def _vote(winner, shown, batch="b", prompt="p", seed="1", backend="fal", judge="", at=DAY):
    return {**dict.fromkeys(VOTE_COLUMNS, ""), "winner": winner, "candidates": json.dumps(shown), "batch_id": batch,
            "prompt": prompt, "seed": seed, "backend": backend, "judge": judge, "created_at": at}


def _run(endpoint, batch="b", prompt="p", seed="1", audio="false", cost=0.1, duration=4.0, backend="fal",
         status="completed", billed="", served_by="", at=DAY):
    return {**dict.fromkeys(RESULT_COLUMNS, ""), "endpoint_id": endpoint, "batch_id": batch, "prompt": prompt,
            "seed": seed, "has_audio": audio, "estimated_cost_usd": str(cost), "duration_s": str(duration),
            "backend": backend, "status": status, "billed_cost_usd": billed, "served_by": served_by, "created_at": at}


def _frame(rows, columns):
    return pd.DataFrame(rows, columns=columns).astype(str)


def _head_to_head(record):
    """Votes from {(a, b): (a's wins, b's wins, ties)}, all on one batch row whose clips the results hold."""
    votes = []
    for (a, b), (wins_a, wins_b, ties) in record.items():
        votes += [_vote(a, [a, b])] * wins_a + [_vote(b, [a, b])] * wins_b + [_vote("tie", [a, b])] * ties
    return _frame(votes, VOTE_COLUMNS)


def _priced(costs, names="ABCDE"):
    """One run per endpoint on the votes' row: {endpoint: (cost, duration)}; the rest $0.10 for 4 s."""
    return _frame([_run(name, cost=costs.get(name, (0.1, 4.0))[0], duration=costs.get(name, (0.1, 4.0))[1])
                   for name in names], RESULT_COLUMNS)


def _decide(record, costs=None):
    return decide(_head_to_head(record), _priced(costs or {}), {}, MODES, Filters())


# -- must-show 2: the verdict's cases -------------------------------------------------------------------------
SEPARATE = r" Not told apart yet: about [1-9][\d,]* more votes like these would likely separate the top two\."
CASES = {
    "clear winner": ({("A", "B"): (25, 5, 0), ("A", "C"): (28, 2, 0), ("B", "C"): (25, 5, 0)}, {},
                     re.escape("**A** is the best: told apart from every other tier at 95 %.")),
    "top class with a cheaper member": (  # B: $0.96 for 4 s = $0.24/s against A's $1.20 for 4 s = $0.30/s: 80 %
        {("A", "B"): (16, 14, 0), ("A", "C"): (27, 3, 0), ("B", "C"): (27, 3, 0)}, {"A": (1.2, 4), "B": (0.96, 4)},
        re.escape("**B** is in the top class with **A**, at 80 % of its cost per second.") + SEPARATE),
    "three in the top class": (  # C: $0.30 for 2 s = $0.15/s, half of A's $0.30/s
        {("A", "B"): (11, 10, 0), ("A", "C"): (11, 10, 0), ("B", "C"): (11, 10, 0), ("A", "D"): (28, 2, 0),
         ("B", "D"): (28, 2, 0), ("C", "D"): (28, 2, 0)}, {"A": (1.2, 4), "B": (1.0, 4), "C": (0.3, 2)},
        re.escape("**C** is in the top class with **A** and **B**, at 50 % of **A**'s cost per second.") + SEPARATE),
    "the best is the cheapest": ({("A", "B"): (16, 14, 0), ("A", "C"): (27, 3, 0), ("B", "C"): (27, 3, 0)},
                                 {"A": (0.5, 5), "B": (1.2, 4)},
                                 re.escape("**A** leads the top class, shared with **B**, and costs the least per "
                                           "second in it.") + SEPARATE),
    "not told apart yet": ({("A", "B"): (13, 9, 0)}, {}, "^" + SEPARATE.lstrip() + "$"),
    "level": ({("A", "B"): (9, 9, 2)}, {},  # 20 votes each: not provisional (fewer than 20 is)
              re.escape("Not told apart: **A** and **B** are level, so more votes like these would not separate them.")),
    "provisional endpoints": ({("A", "B"): (25, 5, 0), ("A", "C"): (28, 2, 0), ("B", "C"): (25, 5, 0),
                               ("E", "C"): (2, 4, 0), ("D", "C"): (1, 3, 0)}, {},
                              re.escape(" Provisional (fewer than 20 votes each): **E** and **D**.") + "$"),
    "no votes": ({}, {}, "^" + re.escape(NOT_JUDGED) + "$"),
    "only 'all bad'": ({}, {}, "^" + re.escape(NOT_JUDGED) + "$"),
}


@pytest.mark.parametrize("case", CASES)
def test_the_verdict_says_each_case_in_words(case):
    record, costs, said = CASES[case]
    votes = _head_to_head(record)
    if case == "only 'all bad'":
        votes = _frame([_vote("none", ["A", "B"])] * 30, VOTE_COLUMNS)
    decisions = decide(votes, _priced(costs), {}, MODES, Filters())
    assert len(decisions) == 1
    assert re.search(said, decisions[0].verdict), decisions[0].verdict
    assert decisions[0].verdict.count(".") <= 3  # one or two sentences, then the provisional ones


def test_a_provisional_endpoint_is_marked_and_named_best_first():
    decision, = _decide(CASES["provisional endpoints"][0])
    provisional = {p.endpoint_id: p.provisional for p in decision.points}
    assert provisional == {"A": False, "B": False, "C": False, "D": True, "E": True}  # D: 4 votes, E: 6, C: 70
    votes = {p.endpoint_id: p.votes for p in decision.points}
    assert votes == {"A": 60, "B": 60, "C": 70, "D": 4, "E": 6} and PROVISIONAL_VOTES == 20
    assert decision.verdict.startswith("**A** is the best")  # A: told apart from B, its nearest, at 25 to 5


def test_classes_points_and_matrix_come_best_first_in_one_order():
    decision, = _decide(CASES["clear winner"][0])
    assert decision.classes == [["A"], ["B"], ["C"]]
    assert [p.endpoint_id for p in decision.points] == decision.matrix["endpoints"] == ["A", "B", "C"]
    assert [p.tie_class for p in decision.points] == [0, 1, 2]
    assert decision.matrix["wins"] == [[0, 25, 28], [5, 0, 25], [2, 5, 0]]  # the record, as given
    assert decision.votes == 90 and decision.pool == "text-to-video · silent"
    answer = decision.as_dict()
    assert set(answer) >= {"pool", "verdict", "classes", "matrix", "points", "votes"}
    assert json.loads(json.dumps(answer)) == answer  # plain JSON: no numpy numbers
    assert answer["points"][0]["endpoint_id"] == "A" and answer["points"][0]["low"] < answer["points"][0]["rating"]


# -- the parts, by hand ---------------------------------------------------------------------------------------
def test_the_win_matrix_counts_wins_and_ties_by_hand():
    votes = _frame([_vote("A", ["A", "B", "C"]), _vote("B", ["A", "B"]), _vote("tie", ["A", "C"]),
                    _vote("tie", ["A", "B", "C"]), _vote("none", ["B", "C"]), _vote("C", ["B", "C"])], VOTE_COLUMNS)
    matrix = win_matrix(["A", "B", "C"], {"A": "Model A"}, judged_votes(votes, _priced({}), MODES))
    assert matrix["labels"] == ["Model A", "B", "C"]
    assert matrix["wins"] == [[0, 1, 1],  # A beat B and C in the three-way vote
                              [1, 0, 0],  # B beat A head to head
                              [0, 1, 0]]  # C beat B; the all-bad vote counts for no one
    assert matrix["ties"] == [[0, 1, 2], [1, 0, 1], [2, 1, 0]]


def _ratings(rating, samples, low=None, high=None):
    n = len(rating)
    return Ratings(list("ABCDE"[:n]), np.array(rating, float), np.array(low or rating, float),
                   np.array(high or rating, float), np.zeros(n), np.zeros(n), np.zeros(n),
                   np.zeros(n), 100, np.array(samples, float))


K = np.linspace(-1, 1, 300)  # 300 resamples spread evenly: percentiles by hand


def test_a_tie_class_holds_what_is_not_told_apart_from_its_best():
    # A − B spans −50…250 (holds 0), B − C −30…230 (holds 0), A − C 180…220 (does not): B joins A's class, C is told
    # apart from A, the class's best, so it starts the next class although it is not told apart from B.
    chain = _ratings([300, 200, 100], np.stack([300 + 0 * K, 200 + 150 * K, 100 + 20 * K], axis=1))
    assert tie_classes(chain) == [[0, 1], [2]]
    needed = math.ceil(100 * (Z95 * np.std(-150 * K) / 100) ** 2 - 100)  # the gap is 100, the difference's sd 150·sd(K)
    assert votes_to_separate(chain) == needed


def test_when_every_resample_agrees_the_intervals_must_not_overlap():
    flat = np.tile([300.0, 200.0], (300, 1))  # a clean sweep: every resample the same, a point that hides all doubt
    apart = _ratings([300, 200], flat, low=[260, 150], high=[340, 240])
    overlapping = _ratings([300, 200], flat, low=[230, 150], high=[370, 250])
    assert tie_classes(apart) == [[0], [1]] and votes_to_separate(apart) == 0
    assert tie_classes(overlapping) == [[0, 1]] and votes_to_separate(overlapping) >= 1


FRONTIER = [  # (cost per second, tie-class) per endpoint → on the frontier
    ({"A": (0.30, 0), "B": (0.24, 0), "C": (0.01, 1), "D": (0.02, 2), "E": (None, 0)},
     {"A": False, "B": True, "C": True, "D": False, "E": False}),  # A: B is as good and cheaper; D: C beats it on both
    ({"A": (0.30, 0), "B": (0.30, 0), "C": (0.40, 1)}, {"A": True, "B": True, "C": False}),  # equals both stay
    ({"A": (0.10, 0), "B": (0.05, 1), "C": (0.01, 2)}, {"A": True, "B": True, "C": True}),  # each cheaper, worse
]


@pytest.mark.parametrize("given, expected", FRONTIER)
def test_the_frontier_is_the_cheapest_for_its_quality(given, expected):
    cost = {e: c for e, (c, _) in given.items()}
    place = {e: k for e, (_, k) in given.items()}
    assert {e: on_frontier(e, cost, place) for e in given} == expected


def test_cost_per_second_is_mean_cost_over_mean_duration_billed_first():
    runs = _frame([_run("A", cost=0.2, duration=2), _run("A", cost=0.4, billed="0.3", duration=4),
                   _run("A", status="failed", cost=9, duration=1), _run("A", cost=0.5, duration="oops"),
                   _run("B", cost=0.1, duration=4)], RESULT_COLUMNS)
    votes = _frame([_vote("A", ["A", "B"])] * 3, VOTE_COLUMNS)
    decision, = decide(votes, runs, {}, MODES, Filters())
    cost = {p.endpoint_id: p.cost_per_second for p in decision.points}
    # A: costs 0.2, 0.3 (billed beats the 0.4 estimate), 0.5 → mean 1/3; durations 2 and 4 → mean 3 (the failed run
    # and the unreadable duration left out of theirs)
    assert cost["A"] == pytest.approx((1.0 / 3) / 3, abs=1e-6) and cost["B"] == pytest.approx(0.025)


# -- pools ----------------------------------------------------------------------------------------------------
def _pools_logs():
    """t2v and i2v, each with and without sound, where the order flips between pools; a row of mixed sound, one
    whose clips the log lacks, one reused from another batch, and one that mixes modes."""
    votes, runs = [], []
    for batch, (a, b), audio, first, second in (("ts", ("t1", "t2"), "true", 30, 0), ("tq", ("t1", "t2"), "false", 0, 25),
                                                ("is", ("i1", "i2"), "true", 20, 0), ("iq", ("i1", "i2"), "false", 0, 15)):
        runs += [_run(a, batch=batch, audio=audio), _run(b, batch=batch, audio=audio)]
        votes += [_vote(a, [a, b], batch=batch)] * first + [_vote(b, [a, b], batch=batch)] * second
    runs += [_run("t1", batch="mix", audio="true"), _run("t2", batch="mix", audio="false")]
    runs += [_run("t1", batch="old", seed="9", audio="true"), _run("t2", batch="old", seed="9", audio="true")]
    votes += [_vote("t1", ["t1", "t2"], batch="mix")] * 3 + [_vote("t2", ["t1", "t2"], batch="gone")] * 2
    votes += [_vote("t2", ["t1", "t2"], batch="reused", seed="9")] * 4  # its clips were runs of batch "old"
    runs.append(_run("i1", batch="ts", audio="true"))
    votes += [_vote("t1", ["t1", "i1"], batch="ts")]  # both clips with sound, but of two modes
    return _frame(votes, VOTE_COLUMNS), _frame(runs, RESULT_COLUMNS)


def test_pools_never_mix_modes_or_sound_and_each_has_its_own_classes():
    votes, runs = _pools_logs()
    decisions = decide(votes, runs, {}, MODES, Filters())
    found = {d.pool: (d.votes, d.classes) for d in decisions}
    assert found == {
        "text-to-video · with sound": (34, [["t1"], ["t2"]]),  # 30 to 0, and the reused row's 4 for t2 (batch "old")
        "text-to-video · silent": (25, [["t2"], ["t1"]]),  # the other way round without sound
        "image-to-video · with sound": (20, [["i1"], ["i2"]]),
        "image-to-video · silent": (15, [["i2"], ["i1"]]),
        "text-to-video · mixed sound": (3, [["t1", "t2"]]),
        "text-to-video · unknown sound": (2, [["t2", "t1"]]),  # clips nowhere in the log: not guessed
        "unknown mode · with sound": (1, [["t1", "i1"]]),
    }
    assert [d.pool for d in decisions][:4] == ["text-to-video · with sound", "text-to-video · silent",
                                               "image-to-video · with sound", "image-to-video · silent"]  # most first
    for decision in decisions:
        endpoints = {e for group in decision.classes for e in group}
        assert set(decision.matrix["endpoints"]) == endpoints == {p.endpoint_id for p in decision.points}


def test_a_reused_clip_whose_runs_disagree_is_not_guessed():
    votes = _frame([_vote("t1", ["t1", "t2"], batch="new")], VOTE_COLUMNS)
    runs = _frame([_run("t1", batch="x", audio="true"), _run("t1", batch="y", audio="false"),
                   _run("t2", batch="x", audio="true")], RESULT_COLUMNS)
    assert [d.pool for d in decide(votes, runs, {}, MODES, Filters())] == ["text-to-video · unknown sound"]


@pytest.mark.parametrize("asked, pools", [
    ({"mode": "image-to-video"}, ["image-to-video · with sound", "image-to-video · silent"]),
    ({"sound": "silent"}, ["text-to-video · silent", "image-to-video · silent"]),
    ({"mode": "image-to-video", "sound": "silent"}, ["image-to-video · silent"]),
    ({"mode": "reference-to-video"}, ["reference-to-video"]),  # nothing there: one "not enough votes" decision
])
def test_mode_and_sound_filters_pick_pools(asked, pools):
    votes, runs = _pools_logs()
    decisions = decide(votes, runs, {}, MODES, Filters.parse(asked))
    assert [d.pool for d in decisions] == pools
    if asked.get("mode") == "reference-to-video":
        assert decisions[0].verdict == NOT_JUDGED and decisions[0].classes == [] and decisions[0].votes == 0


# -- filters --------------------------------------------------------------------------------------------------
def test_filters_keep_votes_by_backend_date_judge_batch_and_prompt():
    votes = _frame([_vote("A", ["A", "B"], backend="fal", judge="Ada", at="2026-01-31T23:59:59.999+00:00"),
                    _vote("A", ["A", "B"], backend="fal", judge="Bo", at="2026-02-01T00:00:00.000+00:00"),
                    _vote("B", ["A", "B"], backend="offline", judge="Ada", at="2026-02-02T08:00:00.000+00:00",
                          batch="b2", prompt="q"),
                    _vote("B", ["A", "B"], backend="fal", judge="", at="not a date")], VOTE_COLUMNS)
    runs = _priced({})

    def counted(batches=None, prompts=None, **asked):  # over every pool (b2's clips are not in the log)
        return sum(d.votes for d in decide(votes, runs, {}, MODES, Filters.parse(asked), batches, prompts))

    assert counted() == 4 and counted(backend="fal") == 3 and counted(backend="offline") == 1
    assert counted(until="2026-01-31") == 1  # a bare date covers its whole day (UTC)
    assert counted(since="2026-02-01") == 2 and counted(since="2026-02-01", until="2026-02-01") == 1
    assert counted(since="2026-02-01T00:00:00.001") == 1  # a moment: from then on
    assert counted(judge="Ada") == 2 and counted(judge="Bo") == 1 and counted(judge="everyone") == counted(judge="") == 4
    assert counted(batches=frozenset({"b2"})) == 1 and counted(prompts=frozenset({"p"})) == 3


def test_costs_come_from_the_runs_the_same_filters_keep():
    votes = _frame([_vote("A", ["A", "B"])] * 2, VOTE_COLUMNS)
    runs = _frame([_run("A", cost=0.4, duration=4), _run("B", cost=0.4, duration=4),
                   _run("A", cost=4.0, duration=4, at="2025-12-01T00:00:00.000+00:00", batch="old"),
                   _run("A", cost=8.0, duration=4, backend="offline")], RESULT_COLUMNS)
    assert len(kept_runs(runs, Filters.parse({"since": "2026-01-01", "backend": "fal"}))) == 2
    dated = decide(votes, runs, {}, MODES, Filters.parse({"since": "2026-01-01", "backend": "fal"}))[0]
    assert {p.endpoint_id: p.cost_per_second for p in dated.points} == {"A": pytest.approx(0.1), "B": pytest.approx(0.1)}
    every = decide(votes, runs, {}, MODES, Filters())[0]
    assert {p.endpoint_id: p.cost_per_second for p in every.points}["A"] == pytest.approx((0.4 + 4 + 8) / 3 / 4)


@pytest.mark.parametrize("raw, expected", [
    ("", Filters()), ("  \n", Filters()), ("{}", Filters()), ({}, Filters()), (None, Filters()),
    ('{"backend": "offline"}', Filters(backend="offline")),
    ({"judge": " Ada ", "mode": "text-to-video", "sound": "with sound", "since": "2026-01-01", "until": "2026-01-31"},
     Filters(judge="Ada", mode="text-to-video", sound="with sound", since="2026-01-01", until="2026-01-31")),
    ({"judge": "\u2028", "suite": "\r\n\u0085\u2029", "tag": None}, Filters()),  # line breaks only: blank, the default
])
def test_filters_parse(raw, expected):
    assert Filters.parse(raw) == expected


@pytest.mark.parametrize("raw, key", [
    ("{", "filters"), ("[1, 2]", "filters"), ('"offline"', "filters"), ("x" * 100_000, "filters"),
    ({"colour": "red"}, "colour"), ({"x" * 100_000: 1}, "x" * 40), ({"\ud800": 1}, "\\ud800"),
    ({"backend": "mars"}, "backend"), ({"backend": 3}, "backend"), ({"since": "yesterday"}, "since"),
    ({"until": "2026-02-30"}, "until"), ({"since": "2026-02-02", "until": "2026-02-01"}, "until"),
    ({"mode": "t2v"}, "mode"), ({"sound": "loud"}, "sound"), ({"judge": 5}, "judge"), ({"suite": "\ud800"}, "suite"),
    ({"tag": "t" * 100_000}, "tag"), ({"judge": ["Ada"]}, "judge"),
])
def test_bad_filters_are_refused_naming_the_key(raw, key):
    with pytest.raises(InputError) as refused:
        Filters.parse(raw)
    assert refused.value.problems[0][0] == key and len(str(refused.value)) < 600, str(refused.value)[:600]


# -- must-show 1: votes made through the app among five endpoints with known strengths ---------------------------
V2, V2_FAST = "bytedance/seedance-2.0/text-to-video", "bytedance/seedance-2.0/fast/text-to-video"
V15, V1_PRO, V1_LITE = ("fal-ai/bytedance/seedance/v1.5/pro/text-to-video", "fal-ai/bytedance/seedance/v1/pro/text-to-video",
                        "fal-ai/bytedance/seedance/v1/lite/text-to-video")
TRUTH = {V2: 1250, V2_FAST: 1250, V15: 1000, V1_PRO: 750, V1_LITE: 500}  # Elo: 2.0 and 2.0 fast equal at the top
JUDGES, SEEDS = 40, [1, 2]


@pytest.fixture(scope="module")
def app_votes(tmp_path_factory, catalog):
    """An offline app holding one comparison of the five (2 seeds, 480p, "2" s, sound off so all share a pool) and
    four head-to-heads of neighbours in the truth's order (their clips reused from it: nothing rendered twice), and
    40 judges' votes on every row, each winner drawn from the Bradley–Terry truth (Luce's choice rule for a row of
    five) with a fixed generator: 400 votes."""
    from playground.backends.offline import OfflineBackend
    from playground.service import Playground
    from playground.visitor import Visitor

    playground = Playground(catalog, tmp_path_factory.mktemp("decide") / "data", "auto",
                            offline=OfflineBackend(step_delay_s=0))
    me = Visitor(session="decider")
    shared = {"prompts": ["A paper boat drifts down a rain gutter"], "seeds": SEEDS,
              "arguments": {"resolution": "480p", "duration": "2", "generate_audio": False}}
    order = list(TRUTH)

    async def run():
        batches = [[s async for s in playground.comparisons.run({**shared, "endpoints": order}, me)][-1]]
        for pair in zip(order, order[1:], strict=False):
            spec = {**shared, "endpoints": list(pair), "reuse": True}
            batches.append([s async for s in playground.comparisons.run(spec, me)][-1])
        return batches

    batches = asyncio.run(run())
    assert [b["origins"] for b in batches] == [{"new": 10, "reused": 0, "kept": 0}] + [
        {"new": 0, "reused": 4, "kept": 0}] * 4
    strength = {e: 10 ** (elo / 400) for e, elo in TRUTH.items()}
    draw = np.random.default_rng(0)
    for judge in range(JUDGES):
        for batch in batches:
            for seed in SEEDS:
                row = [c["endpoint_id"] for c in batch["cells"] if c["seed"] == seed]
                chance = np.array([strength[e] for e in row]) / sum(strength[e] for e in row)
                letter = "ABCDE"[draw.choice(len(row), p=chance)]
                playground.comparisons.voting.vote_by_id(batch["batch_id"], f"1 × {seed}", letter,
                                                         Visitor(session="decider", name=f"judge {judge}"))
    return playground


def test_generated_votes_decide_as_the_truth_says(app_votes):
    decisions = app_votes.compare.decisions({"backend": "offline"})
    assert [(d.pool, d.votes) for d in decisions] == [("text-to-video · silent", 400)]  # reused clips found too
    decision = decisions[0]
    assert decision == app_votes.compare.decide("")  # the one pool either way
    # the order is the truth's; the equal two share the top class (95 %: about one seed in twenty would split
    # them by chance), and each other endpoint is told apart from its neighbours
    assert decision.classes == [[V2, V2_FAST], [V15], [V1_PRO], [V1_LITE]]
    assert [p.tie_class for p in decision.points] == [0, 0, 1, 2, 3]
    assert not any(p.provisional for p in decision.points)


def test_the_win_matrix_is_a_hand_count_of_votes_csv(app_votes):
    decision = app_votes.compare.decide({"backend": "offline"})
    logged = pd.read_csv(app_votes.data_dir / "votes.csv", dtype=str, keep_default_na=False)
    assert len(logged) == 400
    order = decision.matrix["endpoints"]
    wins = [[0] * 5 for _ in order]
    for winner, shown in zip(logged.winner, logged.candidates, strict=True):
        for loser in json.loads(shown):
            if loser != winner:
                wins[order.index(winner)][order.index(loser)] += 1
    assert decision.matrix["wins"] == wins and decision.matrix["ties"] == [[0] * 5 for _ in order]
    assert sum(map(sum, wins)) == 2 * 40 * 4 + 8 * 40 * 1  # each five-clip vote beats 4, each pair vote 1


def test_the_verdict_names_the_cheaper_member_of_the_top_class_with_its_ratio(app_votes):
    decision = app_votes.compare.decide({"backend": "offline"})
    runs = pd.read_csv(app_votes.data_dir / "results.csv", dtype=str, keep_default_na=False)
    runs = runs[runs.status == "completed"]
    per_second = {}
    for endpoint in TRUTH:  # offline runs bill nothing: the estimate is the cost
        mine = runs[runs.endpoint_id == endpoint]
        per_second[endpoint] = mine.estimated_cost_usd.astype(float).mean() / mine.duration_s.astype(float).mean()
    ratio = per_second[V2_FAST] / per_second[V2]
    assert round(100 * ratio) == 80  # 2.0 fast's $0.0112 per 1,000 tokens against 2.0's $0.014 (the catalog's facts)
    assert decision.verdict.startswith(f"**2.0 fast** is in the top class with **2.0**, at {round(100 * ratio)} % "
                                       "of its cost per second. Not told apart yet: about ")
    points = {p.endpoint_id: p for p in decision.points}
    assert all(points[e].cost_per_second == pytest.approx(per_second[e], rel=1e-4) for e in TRUTH)
    assert not points[V2].frontier and points[V2_FAST].frontier  # as good, and cheaper: 2.0 is not worth its price
