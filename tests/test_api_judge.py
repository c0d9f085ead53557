"""`/judge` and `/signals` through gradio_client, as a script would call them: a row judged on the fake fal by its
batch id, "prompt index × seed" and a judge's name (empty: the default); a run's signals by its id; the offline
app has no judge and says why; odd input gets a clear message."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from conftest import LITE_T2V, PRO_FAST_T2V
from fake_fal import Script

ANSWER = {"present": ["boat"], "missing": [], "adherence": {"score": 4, "reason": "the boat drifts"},
          "artifacts": {"score": 5, "reason": "clean"}, "motion": {"score": 3, "reason": "a little stiff"},
          "sound": None}


def test_a_row_judged_through_the_api_names_clips_by_their_vote_letters(fal_app, fake_fal):
    url, _ = fal_app
    client = Client(url, verbose=False)
    spec = {"prompts": ["a judged boat"], "endpoints": [LITE_T2V, PRO_FAST_T2V], "seeds": [61],
            "arguments": {"resolution": "480p", "duration": "2"}}
    batch = client.predict(json.dumps(spec), api_name="/compare")
    lite_url = next(c["video_url"] for c in batch["cells"] if c["endpoint_id"] == LITE_T2V)
    fake_fal.by_endpoint["fal-ai/video-understanding"] = Script(answer=lambda body: json.dumps(
        {**ANSWER, "adherence": {"score": 5 if body["video_url"] == lite_url else 2, "reason": "r"}}))
    for row, judge, problem in (("9 × 61", "", "row"), ("1 × 61", "no such judge", "judge")):
        with pytest.raises(AppError, match=problem):
            client.predict(batch["batch_id"], row, judge, api_name="/judge")
    judged = client.predict(batch["batch_id"], "1 × 61", "", api_name="/judge")
    assert judged["row"] == "1 × 61" and judged["judge"].startswith("fal video-understanding")
    assert {c["clip"]: c["rubric"]["adherence"]["score"] for c in judged["clips"]} == {"A": 5, "B": 2}  # A: Lite
    assert judged["pick"] == LITE_T2V and judged["estimated_usd"] > 0
    assert [r["status"] for r in judged["runs"]] == ["completed", "completed"]

    signals = client.predict(batch["cells"][0]["run_id"], api_name="/signals")
    assert signals["run_id"] == batch["cells"][0]["run_id"] and not signals["measured_now"]
    assert signals["sharpness"] is not None and isinstance(signals["cuts"], list)
    assert set(signals["definitions"]) >= {"motion", "flicker", "sharpness", "cuts", "loudness_db", "silence"}


def test_the_offline_app_has_no_judge_and_measures_signals(client):
    video, run = client.predict(LITE_T2V, json.dumps({"prompt": "a still lake", "resolution": "480p",
                                                      "duration": "2", "seed": 5}), api_name="/generate")
    signals = client.predict(run["run_id"], api_name="/signals")
    assert signals["motion"] is not None and signals["flicker"] is not None and signals["sharpness"] > 0
    assert signals["loudness_db"] is None and signals["silence"] is None  # 1.0 Lite makes no sound
    for odd in ("", "nope", "\u2028", "x" * 100_000):  # (a lone surrogate cannot leave gradio_client)
        with pytest.raises(AppError, match="run"):
            client.predict(odd, api_name="/signals")
    spec = {"prompts": ["a still lake"], "endpoints": [LITE_T2V, PRO_FAST_T2V], "seeds": [5],
            "arguments": {"resolution": "480p", "duration": "2"}}
    batch = client.predict(json.dumps(spec), api_name="/compare")
    with pytest.raises(AppError, match="No judge"):
        client.predict(batch["batch_id"], "1 × 5", "", api_name="/judge")
