"""`/compare` through gradio_client: a 16-cell offline batch, and a paid batch over the cap that sends nothing."""

import json
from pathlib import Path

import pandas as pd
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from conftest import LITE_T2V, PRO_FAST_T2V, PRO_T2V, Script

FOUR = [LITE_T2V, PRO_T2V, PRO_FAST_T2V, "bytedance/seedance-2.0/text-to-video"]


def test_compare_offline_sixteen_cells(client, app_data_dir):
    spec = {"prompts": ["a red kite over a hill", "a blue kite, \"windy\", at dusk"], "endpoints": FOUR,
            "seeds": [3, 9], "arguments": {"resolution": "480p", "duration": "2", "aspect_ratio": "16:9"}}
    answer = client.predict(json.dumps(spec), api_name="/compare")
    cells = answer["cells"]
    assert len(cells) == 16 and all(c["status"] == "completed" for c in cells)
    assert sorted((c["prompt_index"], c["seed"], c["endpoint_id"]) for c in cells) == sorted(
        (p, s, e) for p in (0, 1) for s in (3, 9) for e in FOUR)
    assert answer["total_usd"] == pytest.approx(sum(c["estimated_cost_usd"] for c in cells), abs=1e-6)
    assert len(answer["fairness"]) == 16 and answer["batch_id"]
    rows = pd.read_csv(app_data_dir / "results.csv", dtype=str, keep_default_na=False)
    batch = rows[rows.batch_id == answer["batch_id"]]
    assert len(batch) == 16 and set(batch.status) == {"completed"}
    assert sorted(json.loads(a)["seed"] for a in batch.arguments_json) == [3] * 8 + [9] * 8
    assert sorted(batch.seed.astype(int)) == [3] * 8 + [9] * 8
    v2 = [c for c in cells if c["endpoint_id"] == FOUR[3]]
    assert all(c["frames"] == 96 for c in v2)  # 2 s asked, 2.0 allows 4 s at least: adapted, and reported
    assert all(f["changed"] == [{"field": "duration", "asked": "2", "sent": "4",
                                 "why": "2 is not offered here; 4 is the nearest allowed value"}]
               for f in answer["fairness"] if f["endpoint_id"] == FOUR[3])


def test_paid_batch_over_the_cap_needs_confirmation(fal_app, fake_fal):
    url, data_dir = fal_app
    spec = {"prompts": ["x"], "endpoints": [PRO_T2V, "bytedance/seedance-2.0/text-to-video"], "seeds": [1, 2, 3],
            "arguments": {"resolution": "1080p", "duration": "12"}}
    before = len(pd.read_csv(data_dir / "results.csv")) if (data_dir / "results.csv").exists() else 0
    with pytest.raises(AppError) as err:
        Client(url, verbose=False).predict(json.dumps(spec), api_name="/compare")
    assert "confirm" in str(err.value) and "$5.00 cap" in str(err.value)
    assert fake_fal.requests == []  # nothing submitted, nothing uploaded
    after = len(pd.read_csv(data_dir / "results.csv")) if (data_dir / "results.csv").exists() else 0
    assert after == before


def _submits(fake_fal, endpoint_id=""):
    """Submissions the fake fal received (POSTs to a model, not storage), optionally to one endpoint."""
    return [s for s in fake_fal.seen("POST", endpoint_id) if not s.path.startswith(("/storage", "/files"))]


def test_extend_runs_only_new_cells_and_reuse_runs_none(fal_app, fake_fal, monkeypatch):
    url, _ = fal_app
    client = Client(url, verbose=False)
    base = {"prompts": ["a kite at dusk"], "endpoints": [LITE_T2V, PRO_FAST_T2V], "seeds": [11, 12],
            "arguments": {"resolution": "480p", "duration": "2"}}
    first = client.predict(json.dumps(base), api_name="/compare")
    assert len(_submits(fake_fal)) == 4 and all(c["reused_from"] == "" for c in first["cells"])

    three = [LITE_T2V, PRO_FAST_T2V, PRO_T2V]
    extended = client.predict(json.dumps({**base, "endpoints": three, "extend": first["batch_id"]}), api_name="/compare")
    assert len(_submits(fake_fal)) == 6 and len(_submits(fake_fal, PRO_T2V)) == 2  # only the third endpoint's two
    assert extended["batch_id"] == first["batch_id"] and len(extended["cells"]) == 6
    assert {c["status"] for c in extended["cells"]} == {"completed"} and extended["origins"] == {
        "new": 2, "reused": 0, "kept": 4}
    kept = {(c["endpoint_id"], c["seed"]): c["run_id"] for c in first["cells"]}
    assert all(kept.get((c["endpoint_id"], c["seed"]), c["run_id"]) == c["run_id"] for c in extended["cells"])

    again = client.predict(json.dumps({**base, "endpoints": three, "reuse": True}), api_name="/compare")
    assert len(_submits(fake_fal)) == 6  # nothing submitted, nothing paid
    runs = {(c["endpoint_id"], c["seed"]): c["run_id"] for c in extended["cells"]}
    assert again["batch_id"] != first["batch_id"] and again["spent_usd"] == 0
    assert all(c["reused_from"] == runs[(c["endpoint_id"], c["seed"])] and c["reused_on"] for c in again["cells"])

    teammate = Client(url, verbose=False).predict(json.dumps({**base, "reuse": True}), api_name="/compare")
    assert len(_submits(fake_fal)) == 6 and all(c["reused_from"] for c in teammate["cells"])  # one workspace: shared

    monkeypatch.setattr("playground.compare.spec.draw_seeds", lambda count: [11, 12][:count])  # the same seeds, drawn
    drawn = client.predict(json.dumps({**base, "seeds": None, "random_seeds": 2, "reuse": True}), api_name="/compare")
    assert len(_submits(fake_fal)) == 10 and all(c["reused_from"] == "" for c in drawn["cells"])  # unseeded: none


@pytest.mark.parametrize("change, problem", [
    ({"extend": "0123456789ab"}, "no comparison has the id"),
    ({"extend": "../../results"}, "not a batch id"),
    ({"extend": " "}, "not a batch id"),
    ({"extend": "\u200b0123456789ab"}, "not a batch id"),
    ({"extend": 7}, "extend"),
    ({"reuse": "yes"}, "reuse"),
])
def test_a_bad_extension_says_why_and_sends_nothing(client, change, problem):
    spec = {"prompts": ["x"], "endpoints": [LITE_T2V, PRO_T2V], "seeds": [1], **change}
    with pytest.raises(AppError, match=problem):
        client.predict(json.dumps(spec), api_name="/compare")


def test_vote_and_leaderboard_through_the_api(fal_app, fake_fal):
    url, _ = fal_app
    client = Client(url, verbose=False)
    spec = {"prompts": ["a boat"], "endpoints": [LITE_T2V, PRO_FAST_T2V], "seeds": [21, 22],
            "arguments": {"resolution": "480p", "duration": "2"}}
    batch = client.predict(json.dumps(spec), api_name="/compare")["batch_id"]
    for row, choice, problem in (("3 × 21", "A", "row"), ("1 × 21", "Z", "choice"), ("", "tie", "row")):
        with pytest.raises(AppError, match=problem):
            client.predict(batch, row, choice, api_name="/vote")
    tie = client.predict(batch, "1 × 21", "tie", api_name="/vote")
    assert tie["winner"] == "tie" and tie["row"] == "1 × 21" and sorted(tie["candidates"]) == sorted(spec["endpoints"])
    picked = client.predict(batch, "1x22", "B", api_name="/vote")  # B: the row's second cell as /compare listed it
    assert picked["winner"] == PRO_FAST_T2V
    changed = client.predict(batch, "1 × 22", "A", api_name="/vote")  # a second vote on a row changes it
    assert changed["winner"] == LITE_T2V and changed["replaced"] == picked["vote_id"]
    teammate = Client(url, verbose=False)  # a private deployment is one workspace: another client votes too…
    theirs = teammate.predict(batch, "1 × 21", "none", api_name="/vote")
    assert theirs["replaced"] == "" and theirs["judge"] != tie["judge"]  # …as a judge of its own: nothing replaced
    named = teammate.predict(batch, "1 × 21", "B", "Ada Lovelace", api_name="/vote")  # the optional fourth: a name
    assert named["judge"] == "Ada Lovelace" and named["replaced"] == "" and named["winner"] == PRO_FAST_T2V
    again = Client(url, verbose=False).predict(batch, "1 × 21", "A", "Ada Lovelace", api_name="/vote")
    assert again["replaced"] == named["vote_id"]  # the same name from another client is the same judge
    ada = client.predict(json.dumps({"judge": "Ada Lovelace"}), api_name="/leaderboard")
    assert {r["endpoint_id"]: r["wins"] for r in ada} == {LITE_T2V: 1, PRO_FAST_T2V: 0}
    rows = client.predict(json.dumps({"backend": "fal"}), api_name="/leaderboard")
    by_id = {r["endpoint_id"]: r for r in rows}
    assert by_id[LITE_T2V]["wins"] >= 1 and by_id[LITE_T2V]["ties"] >= 1
    assert all(r["ci_low"] <= r["bt_rating"] <= r["ci_high"] for r in rows if r["bt_rating"] is not None)
    assert client.predict("", api_name="/leaderboard")  # no filter: every backend
    with pytest.raises(AppError, match="backend"):
        client.predict(json.dumps({"backend": "mars"}), api_name="/leaderboard")


def test_export_row_gives_one_side_by_side_mp4_of_the_four_clips(client):
    import av

    spec = {"prompts": ["a red kite"], "endpoints": FOUR, "seeds": [5],
            "arguments": {"resolution": "480p", "duration": "2", "aspect_ratio": "16:9"}}
    answer = client.predict(json.dumps(spec), api_name="/compare")
    path = client.predict(answer["batch_id"], "1 × 5", "", api_name="/export_row")
    with av.open(path) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        width, height = stream.codec_context.width, stream.codec_context.height
        assert not container.streams.audio  # no sound asked for
    shapes = [(c["width"], c["height"], c["frames"]) for c in answer["cells"]]
    tile_h = min(h for _, h, _ in shapes)
    assert width == sum(2 * round(w * tile_h / h / 2) for w, h, _ in shapes) and height > tile_h
    assert frames == max(n for _, _, n in shapes) == 96  # 2.0 runs 4 s: the longest clip
    from gradio_client import Client as Other  # a private deployment is one workspace: a teammate exports it too
    assert Path(Other(client.src, verbose=False).predict(answer["batch_id"], "1 × 5", "", api_name="/export_row")
                ).stat().st_size > 0


PADDING = [" ", "\n", "\r\n", "\t", "\u2028", "\u2029", "\u3000", "\x85", "\v", "\f"]


def test_an_extend_id_with_spaces_or_line_breaks_around_it_joins_its_batch(fal_app, fake_fal):
    """Pasted ids carry a trailing space or line break: the new cells join the batch under its exact id, nothing
    already paid is submitted again, and a retry pays nothing twice. (Before: the cells ran and were billed, rows
    landed under "<id> ", and an opaque error came back, so each retry paid again.)"""
    url, data_dir = fal_app
    client = Client(url, verbose=False)
    base = {"prompts": ["a heron, padded id"], "endpoints": [LITE_T2V, PRO_FAST_T2V], "seeds": [31],
            "arguments": {"resolution": "480p", "duration": "2"}}
    batches = []
    for part in (PADDING[:5], PADDING[5:]):  # at most 8 seeds a batch: two batches share the paddings
        first = client.predict(json.dumps(base), api_name="/compare")
        batch, before = first["batch_id"], len(_submits(fake_fal))
        seeds = [31]
        for n, pad in enumerate(part):
            seeds.append(100 + n)
            extended = client.predict(json.dumps({**base, "seeds": seeds, "extend": pad + batch.upper() + pad}),
                                      api_name="/compare")
            assert extended["batch_id"] == batch and {c["status"] for c in extended["cells"]} == {"completed"}
            assert len(_submits(fake_fal)) == before + 2 * (n + 1)  # only the new seed's two cells, each time
        again = client.predict(json.dumps({**base, "seeds": seeds, "extend": batch + "\n"}), api_name="/compare")
        assert len(_submits(fake_fal)) == before + 2 * len(part) and again["origins"]["new"] == 0  # pays nothing
        batches.append(batch)
    rows = pd.read_csv(data_dir / "results.csv", dtype=str, keep_default_na=False)
    mine = rows[rows.prompt == base["prompts"][0]]
    assert set(mine.batch_id) == set(batches) and len(mine) == 4 + 2 * len(PADDING)


@pytest.mark.parametrize("bad", [" ", "xyz", "0123456789a", "0123456789abc", "\u200b{id}", "{id}x", "{id} {id}"])
def test_an_extend_id_that_is_no_batch_id_is_refused_before_anything_is_sent(fal_app, fake_fal, bad):
    url, _ = fal_app
    client = Client(url, verbose=False)
    base = {"prompts": ["a heron, bad id"], "endpoints": [LITE_T2V, PRO_FAST_T2V], "seeds": [41],
            "arguments": {"resolution": "480p", "duration": "2"}}
    batch = client.predict(json.dumps(base), api_name="/compare")["batch_id"]
    before = len(fake_fal.requests)
    with pytest.raises(AppError, match="extend"):
        client.predict(json.dumps({**base, "seeds": [41, 42], "extend": bad.replace("{id}", batch)}),
                       api_name="/compare")
    assert len(fake_fal.requests) == before  # nothing submitted, nothing uploaded


def test_a_vote_on_a_clip_fal_served_with_another_endpoint_credits_that_endpoint(fal_app, fake_fal):
    url, _ = fal_app
    client = Client(url, verbose=False)
    fake_fal.by_endpoint[PRO_FAST_T2V] = Script(served_from="fal-ai/some/other-model")
    spec = {"prompts": ["a rerouted boat"], "endpoints": [LITE_T2V, PRO_FAST_T2V], "seeds": [51],
            "arguments": {"resolution": "480p", "duration": "2"}}
    answer = client.predict(json.dumps(spec), api_name="/compare")
    assert [c["served_by"] for c in answer["cells"]] == ["", "fal-ai/some/other-model"]
    vote = client.predict(answer["batch_id"], "1 × 51", "B", api_name="/vote")
    assert vote["winner"] == "fal-ai/some/other-model" and PRO_FAST_T2V not in vote["candidates"]
    rows = client.predict(json.dumps({"backend": "fal"}), api_name="/leaderboard")
    assert "fal-ai/some/other-model" in {r["endpoint_id"] for r in rows}


def test_two_identical_export_rows_at_once_each_get_a_whole_mp4(client):
    import av

    spec = {"prompts": ["a kite, exported twice"], "endpoints": FOUR[:3], "seeds": [6],
            "arguments": {"resolution": "480p", "duration": "3", "aspect_ratio": "16:9"}}
    batch = client.predict(json.dumps(spec), api_name="/compare")["batch_id"]
    jobs = [client.submit(batch, "1 × 6", "", api_name="/export_row") for _ in range(2)]
    for path in (job.result(timeout=120) for job in jobs):
        with av.open(path) as container:
            assert sum(1 for _ in container.decode(container.streams.video[0])) == 72  # 3 s at 24 fps, whole
