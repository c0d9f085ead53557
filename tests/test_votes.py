"""Votes: one per prompt × seed row of a batch, mapped from blind clip letters to the real endpoint."""

import json

import pytest

from playground.compare.grid import blind_order
from playground.errors import InputError
from playground.service import Playground
from test_grid import _snapshot


@pytest.fixture
def comparisons(tmp_path, catalog):
    return Playground(catalog, tmp_path / "data").comparisons


def _done(snapshot):
    return {**snapshot, "done": True, "backend": "offline"}


def test_blind_vote_records_the_real_endpoint_and_reveals_the_row(comparisons):
    snapshot = _done(_snapshot())
    letters = comparisons.vote_choices(snapshot, "p1-s7", blind=True)
    assert letters == ["Clip A", "Clip B", "Clip C", "Clip D"]
    expected = dict(blind_order("b1", "p1-s7", [c for c in snapshot["cells"] if c["row"] == "p1-s7"]))["Clip B"]
    message = comparisons.vote(snapshot, "p1-s7", "Clip B", blind=True)
    assert expected["label"] in message and "Clip B" in message
    (vote,) = comparisons.votes.read().to_dict(orient="records")
    assert vote["winner"] == expected["endpoint_id"] and vote["blind"] == "true" and vote["row"] == "p1-s7"
    assert sorted(json.loads(vote["candidates"])) == ["fast", "lite", "pro", "v2"]
    assert comparisons.revealed(snapshot) == {"p1-s7"}
    order = blind_order("b1", "p1-s7", [c for c in snapshot["cells"] if c["row"] == "p1-s7"])
    assert comparisons.vote_choices(snapshot, "p1-s7", blind=True) == [  # names once voted, clips where they were
        f"{cell['label']} ({letter})" for letter, cell in order]


@pytest.mark.parametrize("case, change, row, choice", [
    ("not finished", {"done": False}, "p1-s7", "1.0 Lite"),
    ("unknown choice", {}, "p1-s7", "1.0 Ultra"),
    ("blind letter when not blind", {}, "p1-s7", "Clip A"),
])
def test_bad_votes_are_refused(comparisons, case, change, row, choice):
    with pytest.raises(InputError):
        comparisons.vote({**_done(_snapshot()), **change}, row, choice, blind=False)
    assert comparisons.votes.read().empty


def test_one_vote_per_row_and_failed_clips_cannot_win(comparisons):
    snapshot = _done(_snapshot())
    comparisons.vote(snapshot, "p1-s9", "2.0", blind=False)
    with pytest.raises(InputError, match="already has a vote"):
        comparisons.vote(snapshot, "p1-s9", "1.0 Lite", blind=False)
    for cell in snapshot["cells"][:3]:
        cell["status"] = "failed"
    assert comparisons.vote_choices(snapshot, "p1-s7", blind=False) == ["2.0"]
    with pytest.raises(InputError, match="at least two"):
        comparisons.vote(snapshot, "p1-s7", "2.0", blind=False)
