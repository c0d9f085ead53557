"""`/decide` through gradio_client on the offline app: the verdict, tie-classes, win matrix and points of votes cast
through `/compare` and `/vote`; every pool's decision; and odd filters refused with a message naming the key."""

import json

import pytest
from gradio_client.exceptions import AppError

from conftest import LITE_T2V, PRO_T2V

JUDGE = "Decide tester"  # the test's own votes, apart from whatever else the shared app holds


@pytest.fixture(scope="module")
def voted(client):
    """A two-endpoint offline comparison, 1.0 Pro winning both rows and 1.0 Lite one of its own (three seeds)."""
    spec = {"prompts": ["a lantern on a jetty at dusk"], "endpoints": [LITE_T2V, PRO_T2V], "seeds": [31, 32, 33],
            "arguments": {"resolution": "480p", "duration": "2"}}
    batch = client.predict(json.dumps(spec), api_name="/compare")
    for seed, letter in ((31, "B"), (32, "B"), (33, "A")):  # B: the row's second cell, 1.0 Pro
        client.predict(batch["batch_id"], f"1 × {seed}", letter, JUDGE, api_name="/vote")
    return batch


def test_decide_answers_the_verdict_classes_matrix_and_points(client, voted):
    answer = client.predict(json.dumps({"judge": JUDGE, "backend": "offline"}), api_name="/decide")
    assert set(answer) >= {"verdict", "classes", "matrix", "points", "pools"}
    assert [(pool["pool"], pool["votes"]) for pool in answer["pools"]] == [("text-to-video · silent", 3)]
    assert sorted(e for group in answer["classes"] for e in group) == sorted([LITE_T2V, PRO_T2V])
    assert answer["classes"][0][0] == PRO_T2V  # 2 wins to 1: rated first, though 3 votes tell nothing apart
    matrix = answer["matrix"]
    assert matrix["endpoints"] == [PRO_T2V, LITE_T2V] and matrix["labels"] == ["1.0 Pro", "1.0 Lite"]
    assert matrix["wins"] == [[0, 2], [1, 0]] and matrix["ties"] == [[0, 0], [0, 0]]
    points = {p["endpoint_id"]: p for p in answer["points"]}
    assert all(p["votes"] == 3 and p["provisional"] for p in points.values())
    assert all(p["cost_per_second"] > 0 for p in points.values())
    assert "Provisional (fewer than 20 votes each): **1.0 Pro** and **1.0 Lite**." in answer["verdict"]
    assert answer["verdict"] == answer["pools"][0]["verdict"]


@pytest.mark.parametrize("filters", ["{}", "", '{"backend": "offline"}', "\u2028", '{"backend": "all", "judge": ""}'])
def test_decide_takes_empty_and_backend_filters(client, voted, filters):
    answer = client.predict(filters, api_name="/decide")
    assert answer["verdict"] and answer["pools"]
    assert answer["pools"][0]["votes"] >= 3  # at least this test's votes, in a pool of their own mode and sound
    assert all(" · " in pool["pool"] for pool in answer["pools"])


def test_a_pool_with_no_votes_says_so(client, voted):
    answer = client.predict(json.dumps({"judge": JUDGE, "mode": "reference-to-video"}), api_name="/decide")
    assert answer["verdict"] == "Not enough votes yet: no vote here picks a winner or a tie."
    assert answer["classes"] == [] and answer["points"] == [] and answer["pools"][0]["pool"] == "reference-to-video"


@pytest.mark.parametrize("filters, named", [
    ("{", "filters"), ("[]", "filters"), ('{"colour": "red"}', "colour"), ('{"since": "yesterday"}', "since"),
    ('{"until": "2026-13-01"}', "until"), ('{"backend": "mars"}', "backend"), ('{"sound": "loud"}', "sound"),
    ('{"judge": "\\ud800"}', "judge"), ('{"suite": "no such suite ✗"}', "suite"), ("x" * 100_000, "filters"),
])
def test_bad_filters_are_refused_naming_the_key(client, filters, named):
    with pytest.raises(AppError) as refused:
        client.predict(filters, api_name="/decide")
    assert str(refused.value).startswith(f"{named}: ") and len(str(refused.value)) < 600, str(refused.value)[:600]
