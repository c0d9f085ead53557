"""No paid result is lost: the app is SIGKILLed with runs in flight on fal and, restarted, logs each exactly once."""

import json
import time

import pandas as pd
from gradio_client import Client

from app_process import AppProcess
from conftest import FAKE, LITE_T2V, SERVER_KEY, Script

ARGS = {"prompt": "three boats, one crash", "resolution": "480p", "duration": "2"}


def _wait(condition, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _rows(data_dir) -> pd.DataFrame:
    path = data_dir / "results.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else pd.DataFrame(columns=["run_id"])


def test_sigkill_with_three_runs_in_flight_then_restart(tmp_path, fake_fal):
    fake_fal.reset(default=Script(hold=True, queue_s=0.2))
    data_dir = tmp_path / "data"
    env = {**FAKE.env(), "FAL_KEY": SERVER_KEY}
    app = AppProcess(data_dir, env, tmp_path / "console.log").start()
    try:
        client = Client(app.url, verbose=False)
        for seed in (1, 2, 3):
            client.submit(LITE_T2V, json.dumps({**ARGS, "seed": seed}), api_name="/generate")
        # following starts only after the journal entry is on disk, so a status request proves it was written
        _wait(lambda: len(fake_fal.jobs) == 3 and all(j.followed for j in fake_fal.jobs.values()), 60,
              "three runs polling at the fake")
        assert len(list((data_dir / "inflight").glob("*.json"))) == 3
    finally:
        app.kill()
    assert not _rows(data_dir).shape[0]  # nothing finished before the kill
    fake_fal.release()  # the three requests finish on fal while the app is down
    restarted = AppProcess(data_dir, env, tmp_path / "console.log").start()
    try:
        _wait(lambda: len(_rows(data_dir)) >= 3, 60, "three rows after the restart")
        time.sleep(1.5)  # anything that would log a second time has had its chance
        rows = _rows(data_dir)
    finally:
        restarted.stop()
    assert len(rows) == 3 and rows.run_id.is_unique
    assert sorted(rows.request_id) == sorted(fake_fal.jobs) and set(rows.status) == {"completed"}
    assert sorted(json.loads(a)["seed"] for a in rows.arguments_json) == [1, 2, 3]
    assert all((data_dir / "outputs" / f"{run_id}.mp4").is_file() for run_id in rows.run_id)
    assert not list((data_dir / "inflight").glob("*.json"))
    assert "finishing them" in restarted.output()
