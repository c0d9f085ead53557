"""Votes: one per prompt × seed row of a batch, mapped from blind clip letters to the real endpoint."""

import json

import pytest

from playground.compare.grid import blind_order
from playground.compare.snapshot import BatchSnapshot
from playground.errors import InputError
from playground.service import Playground

from test_grid import _snapshot


@pytest.fixture
def comparisons(tmp_path, catalog):
    return Playground(catalog, tmp_path / "data").comparisons


def _done(snapshot, **change):
    """A finished batch, typed, from its answer (with ``change`` to its top-level fields)."""
    return BatchSnapshot.from_dict({**snapshot, "done": True, "backend": "offline", **change})


def test_blind_vote_records_the_real_endpoint_and_reveals_the_row(comparisons):
    snapshot = _done(_snapshot())
    letters = comparisons.voting.choices(snapshot, "p1-s7", blind=True)
    assert letters == ["Clip A", "Clip B", "Clip C", "Clip D", "Tie: equally good", "All bad"]
    expected = dict(blind_order("b1", "p1-s7", [c for c in snapshot.cells if c.row == "p1-s7"]))["Clip B"]
    message = comparisons.voting.vote(snapshot, "p1-s7", "Clip B", blind=True)
    assert expected.label in message and "Clip B" in message
    (vote,) = comparisons.votes.read().to_dict(orient="records")
    assert vote["winner"] == expected.endpoint_id and vote["blind"] == "true" and vote["row"] == "p1-s7"
    assert sorted(json.loads(vote["candidates"])) == ["fast", "lite", "pro", "v2"]
    assert comparisons.voting.revealed(snapshot) == {"p1-s7"}
    order = blind_order("b1", "p1-s7", [c for c in snapshot.cells if c.row == "p1-s7"])
    assert comparisons.voting.choices(snapshot, "p1-s7", blind=True)[:4] == [  # names once voted, clips in place
        f"{cell.label} ({letter})" for letter, cell in order]


@pytest.mark.parametrize("case, change, row, choice", [
    ("not finished", {"done": False}, "p1-s7", "1.0 Lite"),
    ("unknown choice", {}, "p1-s7", "1.0 Ultra"),
    ("blind letter when not blind", {}, "p1-s7", "Clip A"),
])
def test_bad_votes_are_refused(comparisons, case, change, row, choice):
    with pytest.raises(InputError):
        comparisons.voting.vote(_done(_snapshot(), **change), row, choice, blind=False)
    assert comparisons.votes.read().empty


def test_a_second_vote_on_a_row_changes_it_and_only_the_newest_counts(comparisons):
    snapshot = _done(_snapshot())
    assert comparisons.voting.vote(snapshot, "p1-s9", "2.0", blind=False).startswith("Vote recorded")
    assert comparisons.voting.vote(snapshot, "p1-s9", "1.0 Lite", blind=False).startswith("Vote changed")
    assert comparisons.votes.read().winner.tolist() == ["v2", "lite"]  # the log keeps what was said
    assert comparisons.votes.current().winner.tolist() == ["lite"]  # the newest counts
    comparisons.voting.vote(snapshot, "p1-s7", "All bad", blind=False)
    assert sorted(comparisons.votes.current().winner) == ["lite", "none"]


def test_failed_clips_cannot_win(comparisons):
    raw = _snapshot()
    for cell in raw["cells"][:3]:
        cell["status"] = "failed"
    snapshot = _done(raw)
    assert comparisons.voting.choices(snapshot, "p1-s7", blind=False) == ["2.0"]  # nothing to tie with
    with pytest.raises(InputError, match="at least two"):
        comparisons.voting.vote(snapshot, "p1-s7", "2.0", blind=False)


@pytest.mark.parametrize("choice, winner, said", [("Tie: equally good", "tie", "tie"), ("All bad", "none", "all bad")])
def test_a_tie_or_all_bad_is_one_vote_on_the_row_naming_every_clip(comparisons, choice, winner, said):
    snapshot = _done(_snapshot())
    message = comparisons.voting.vote(snapshot, "p1-s7", choice, blind=True)
    assert said in message and not any(name in message for name in ("1.0 Lite", "1.0 Pro", "2.0"))
    (vote,) = comparisons.votes.read().to_dict(orient="records")
    assert vote["winner"] == winner and sorted(json.loads(vote["candidates"])) == ["fast", "lite", "pro", "v2"]
    assert comparisons.voting.revealed(snapshot) == {"p1-s7"}  # a blind row is judged, so it is revealed


@pytest.mark.parametrize("key, blind, recorded", [
    ("2", False, "pro"),  # the second clip of the row as shown: plan order with names
    ("0", True, "tie"),
    ("x", True, "none"),
    ("X", False, "none"),
])
def test_a_key_on_the_grid_votes_for_the_clip_in_that_place(comparisons, key, blind, recorded):
    snapshot = _done(_snapshot())
    choice = comparisons.voting.choice_for_key(snapshot, "p1-s7", key, blind)
    comparisons.voting.vote(snapshot, "p1-s7", choice, blind)
    (vote,) = comparisons.votes.read().to_dict(orient="records")
    assert vote["winner"] == recorded


def test_a_blind_key_picks_the_clip_in_that_place_whatever_its_endpoint(comparisons):
    snapshot = _done(_snapshot())
    order = blind_order("b1", "p1-s7", [c for c in snapshot.cells if c.row == "p1-s7"])
    assert comparisons.voting.choice_for_key(snapshot, "p1-s7", "3", True) == "Clip C"
    comparisons.voting.vote(snapshot, "p1-s7", "Clip C", True)
    assert comparisons.votes.read().winner.tolist() == [order[2][1].endpoint_id]


@pytest.mark.parametrize("key", ["5", "9", "a", "", " ", "12", "\u2028", "\ud800", "1" * 100_000])
def test_keys_that_pick_no_clip_are_refused_and_record_nothing(comparisons, key):
    with pytest.raises(InputError, match="vote"):
        comparisons.voting.choice_for_key(_done(_snapshot()), "p1-s7", key, False)
    with pytest.raises(InputError, match="finish"):
        comparisons.voting.choice_for_key(BatchSnapshot.from_dict(_snapshot()), "p1-s7", "1", False)
    assert comparisons.votes.read().empty


ODD_TEXT = ["", " ", "\u2028", "\ud800", "1" * 100_000, "1 × 7\x00", "A\u2029B"]


@pytest.mark.parametrize("text", ODD_TEXT, ids=["empty", "space", "line separator", "surrogate", "100k", "nul", "two"])
@pytest.mark.parametrize("field", ["row", "choice"])
def test_odd_rows_and_choices_for_vote_by_id_are_refused_and_record_nothing(tmp_path, catalog, text, field):
    from playground.compare.spec import StoredSpec
    from playground.visitor import Visitor

    playground = Playground(catalog, tmp_path / "data")
    visitor = Visitor(session="me")
    snapshot = _done(_snapshot(), batch_id="0123456789ab")
    playground.comparisons.store.save(snapshot, visitor.owner, StoredSpec())
    row, choice = (text, "A") if field == "row" else ("1 × 7", text)
    with pytest.raises(InputError) as refused:
        playground.comparisons.voting.vote_by_id(snapshot.batch_id, row, choice, visitor)
    assert refused.value.problems[0][0] == field and len(str(refused.value)) < 2000  # says which, briefly
    assert playground.comparisons.votes.read().empty
    said = playground.comparisons.voting.vote_by_id(snapshot.batch_id, " 1 x 7\n", " b\r\n", visitor)
    assert said["row"] == "1 × 7" and said["winner"] == snapshot.cells[1].endpoint_id  # padding is not input


def _rerouted(snapshot, index, served_by):
    snapshot["cells"][index]["served_by"] = served_by
    return _done(snapshot)


def test_a_clip_fal_served_with_another_endpoint_is_credited_to_that_endpoint(comparisons):
    snapshot = _rerouted(_snapshot(), 1, "fal-ai/some-other-model")  # "1.0 Pro", made by another model
    said = comparisons.voting.vote(snapshot, "p1-s7", "1.0 Pro", blind=False)
    assert "served by fal-ai/some-other-model" in said
    (vote,) = comparisons.votes.read().to_dict(orient="records")
    assert vote["winner"] == "fal-ai/some-other-model"  # the model the person judged, not the one asked
    assert sorted(json.loads(vote["candidates"])) == ["fal-ai/some-other-model", "fast", "lite", "v2"]


def test_a_row_where_two_clips_came_from_one_endpoint_takes_no_vote(comparisons):
    snapshot = _rerouted(_snapshot(), 1, "lite")  # "1.0 Pro" was served by Lite, which made clip 1 too
    for choice in ("1.0 Lite", "Tie: equally good", "All bad"):
        with pytest.raises(InputError, match="compares that model with itself"):
            comparisons.voting.vote(snapshot, "p1-s7", choice, blind=False)
    assert comparisons.votes.read().empty
    comparisons.voting.vote(snapshot, "p1-s9", "1.0 Pro", blind=False)  # the other row is not affected
    assert comparisons.votes.read().winner.tolist() == ["pro"]


OLD_COLUMNS = ["vote_id", "created_at", "batch_id", "row", "prompt", "seed", "winner", "candidates", "blind",
               "backend"]  # votes.csv's header since votes were first kept: people open it in a spreadsheet
VOTE_COLUMNS = [*OLD_COLUMNS, "judge"]  # who voted, added last so an old file only grows a column


@pytest.mark.parametrize("prompt", ["a kite", "a\u2028b\u2029c\x85d\r\ne", "", "x" * 100_000])
def test_a_vote_is_one_row_of_the_log_and_reads_back_as_itself(tmp_path, prompt):
    from playground.votes import COLUMNS, Vote, VotesLog

    log = VotesLog(tmp_path / "votes.csv")
    vote = log.record(Vote.cast("0123456789ab", "p1-s7", prompt, 7, "lite", ["lite", "pro"], True, "fal"))
    assert COLUMNS == VOTE_COLUMNS and list(vote.to_row()) == VOTE_COLUMNS
    row = vote.to_row()
    assert (row["seed"], row["candidates"], row["blind"], row["winner"]) == ("7", '["lite", "pro"]', "true", "lite")
    assert len(vote.vote_id) == 12 and vote.created_at.endswith("+00:00")
    assert Vote.from_row(row) == vote and log.vote_on("0123456789ab", "p1-s7") == vote  # through the CSV file too
    assert log.vote_on("0123456789ab", "p1-s9") is None


@pytest.mark.parametrize("row, seed, candidates, blind", [
    ({"seed": "", "candidates": "not json", "blind": ""}, None, (), False),  # a damaged row reads, emptied
    ({"seed": "-3", "candidates": '["a"]', "blind": "TRUE"}, -3, ("a",), True),
    ({"seed": "7.5", "candidates": '{"a": 1}', "blind": "false"}, None, (), False),
    ({}, None, (), False),  # columns a future log might lack
])
def test_odd_vote_rows_read_without_raising(row, seed, candidates, blind):
    from playground.votes import Vote

    vote = Vote.from_row({"vote_id": "v1", "winner": "tie", **row})
    assert (vote.vote_id, vote.winner, vote.seed, vote.candidates, vote.blind) == ("v1", "tie", seed, candidates, blind)


@pytest.mark.parametrize("seed", ["²", "1" * 5000, "", "abc", "7.5", "\u2028"])
def test_a_vote_row_with_an_odd_seed_reads_with_no_seed(seed):
    from playground.votes import Vote

    vote = Vote.from_row({"vote_id": "v1", "batch_id": "0123456789ab", "row": "p1-s7", "seed": seed, "winner": "tie",
                          "candidates": "[\"a\", \"b\"]"})
    assert vote.seed is None and vote.winner == "tie" and vote.candidates == ("a", "b")


def test_each_judge_has_one_vote_per_row_and_changes_only_their_own(tmp_path):
    from playground.votes import EVERY_JUDGE, Vote, VotesLog, by_judge, judges

    log = VotesLog(tmp_path / "votes.csv")
    cast = [("ada", "lite"), ("bob", "pro"), ("ada", "pro"), ("", "tie")]  # ada changes her mind; "" = an old vote
    for judge, winner in cast:
        log.record(Vote.cast("0123456789ab", "p1-s7", "a kite", 7, winner, ["lite", "pro"], False, "fal", judge))
    current = log.current()
    assert sorted(zip(current.judge, current.winner, strict=True)) == [("", "tie"), ("ada", "pro"), ("bob", "pro")]
    assert log.vote_on("0123456789ab", "p1-s7", "ada").winner == "pro" and log.vote_on("0123456789ab", "p1-s7", "cy") is None
    assert log.voted_rows("0123456789ab", "bob") == {"p1-s7"} and log.voted_rows("0123456789ab", "cy") == set()
    assert judges(current) == ["", "ada", "bob"] and len(by_judge(current, EVERY_JUDGE)) == 3
    assert by_judge(current, "bob").winner.tolist() == ["pro"]


def test_a_votes_file_from_before_judges_gains_the_column_and_keeps_its_rows(tmp_path):
    import csv

    from playground.votes import Vote, VotesLog

    path = tmp_path / "votes.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(OLD_COLUMNS)
        writer.writerow(["v0", "2026-01-01T00:00:00+00:00", "0123456789ab", "p1-s7", "a kite", "7", "lite",
                         '["lite", "pro"]', "false", "fal"])
    log = VotesLog(path)
    log.record(Vote.cast("0123456789ab", "p1-s7", "a kite", 7, "pro", ["lite", "pro"], False, "fal", "ada"))
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == VOTE_COLUMNS and rows[1][:10] == ["v0", "2026-01-01T00:00:00+00:00", "0123456789ab", "p1-s7",
                                                        "a kite", "7", "lite", '["lite", "pro"]', "false", "fal"]
    assert rows[1][10] == "" and rows[2][10] == "ada"
    assert sorted(log.current().winner) == ["lite", "pro"]  # the old vote and ada's both count
