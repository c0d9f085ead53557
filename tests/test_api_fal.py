"""`/generate` on fal end to end, through gradio_client against the in-process app with a server key."""

import json
import time

import pandas as pd
from gradio_client import Client

from conftest import LITE_T2V, SERVER_KEY, Script

ARGS = {"prompt": "a lantern festival, \"slow\" crane shot, 🎆", "resolution": "480p", "aspect_ratio": "16:9",
        "duration": "2", "seed": 11}
LOGS = ("warming up the runner", "denoising step 25/50", "encoding the video")


def test_generate_on_fal_reports_progress_and_saves_everything(fal_app, fake_fal):
    url, data_dir = fal_app
    fake_fal.script(Script(queue_s=1.5, positions=2, run_s=3.0, logs=LOGS, billable_units="48.75"))
    client = Client(url, verbose=False)
    job = client.submit(LITE_T2V, json.dumps(ARGS), api_name="/generate")
    descriptions = set()
    while not job.done():
        for unit in job.status().progress_data or []:
            descriptions.add(unit.desc)
        time.sleep(0.02)
    video, result = job.result()

    (fal_job,) = fake_fal.jobs.values()
    assert fal_job.body == ARGS and fal_job.authorization == f"Key {SERVER_KEY}"
    assert any("in queue · position 2" in d for d in descriptions), descriptions
    shown_logs = {d.removeprefix("in progress · ") for d in descriptions} & set(LOGS)
    assert shown_logs, descriptions  # fal's log lines reach the progress (the newest one at each poll)
    assert result["status"] == "completed" and result["backend"] == "fal"
    assert result["request_id"] == fal_job.request_id and result["billed_units"] == "48.75"
    saved = data_dir / "outputs" / f"{result['run_id']}.mp4"
    assert saved.read_bytes() == fake_fal.video and result["video_path"] == str(saved)
    assert open(video, "rb").read() == fake_fal.video
    rows = pd.read_csv(data_dir / "results.csv", dtype=str, keep_default_na=False)
    row = rows[rows.run_id == result["run_id"]].iloc[0]
    assert (row.request_id, row.billed_units, row.backend) == (fal_job.request_id, "48.75", "fal")
    assert row.video_url == f"{fake_fal.base_url}/files/{fal_job.request_id}.mp4"
    assert json.loads(row.arguments_json) == ARGS and row.prompt == ARGS["prompt"]


def test_a_failed_fal_run_is_an_api_error_and_a_row(fal_app, fake_fal):
    url, data_dir = fal_app
    fake_fal.script(Script(submit_fault_always=(401, {"detail": "Invalid API key"}, {})))
    client = Client(url, verbose=False)
    try:
        client.predict(LITE_T2V, json.dumps(ARGS), api_name="/generate")
        raise AssertionError("the run should have failed")
    except Exception as exc:  # gradio_client's AppError
        assert "refused the key (HTTP 401)" in str(exc)
    row = pd.read_csv(data_dir / "results.csv", dtype=str, keep_default_na=False).iloc[-1]
    assert row.status == "failed" and "HTTP 401" in row.error and row.backend == "fal"
