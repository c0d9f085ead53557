"""A comparison whose app is killed (SIGKILL) at any moment of an extension: after a restart its batch holds every
cell that completed (votable), recovery finishes the paid requests that were in flight, and repeating the same
extension submits nothing already paid — each prompt × endpoint × seed reaches fal exactly once."""

import json
from collections import Counter

import pytest
from gradio_client import Client

from app_process import AppProcess
from conftest import FAKE, LITE_T2V, PRO_FAST_T2V, Script
from test_restart import _rows, _wait

VISITOR_KEY = "vis-5a6b7c8d:0f1e2d3c4b5a69788796a5b4c3d2e1f0"  # a visitor's own key: their batches follow it


def _client(app) -> Client:
    """A gradio_client visitor with their own fal key (so their batch is theirs after a restart, too)."""
    client = Client(app.url, verbose=False)
    client.predict(VISITOR_KEY, api_name="/set_key")
    return client

BASE = {"prompts": ["a kite over a killed app"], "endpoints": [LITE_T2V, PRO_FAST_T2V], "seeds": [1],
        "arguments": {"resolution": "480p", "duration": "2"}}
EXTENDED = {**BASE, "seeds": [1, 2, 3]}  # four new cells: 2 endpoints × seeds 2 and 3


def _paid(fake_fal) -> Counter:
    """Each prompt × endpoint × seed fal was asked to run, with how many times."""
    return Counter((job.endpoint_id, job.body.get("seed")) for job in fake_fal.jobs.values())


def _followed(fake_fal, count):
    return len(fake_fal.jobs) >= count and all(job.followed for job in fake_fal.jobs.values())


def _journaled(data_dir) -> int:
    """Paid requests the journal holds with fal's request id (the moment a submit is on record as accepted)."""
    entries = [json.loads(path.read_text()) for path in (data_dir / "inflight").glob("*.json")]
    return sum(1 for entry in entries if entry.get("request_id"))


# When the kill comes: right after the first of the extension's submits is on record; with two submitted and two
# waiting; with one of them finished and logged and the next one submitted. (Between a submit leaving and fal's
# answer arriving, a kill leaves a request fal may or may not have: that run is logged saying so, see README.)
KILL_POINTS = {
    "first submit": lambda _fake, _rows, data_dir: _journaled(data_dir) >= 1,
    "two held, two waiting": lambda fake, _rows, data_dir: _followed(fake, 4) and _journaled(data_dir) == 2,
    "one logged, one more submitted": lambda fake, rows, data_dir: len(rows()) >= 3 and _followed(fake, 5)
    and _journaled(data_dir) == 2,
}


@pytest.mark.parametrize("moment, signal", [*((moment, "SIGKILL") for moment in KILL_POINTS),
                                            ("two held, two waiting", "SIGTERM")])
def test_a_kill_at_any_moment_of_an_extension_loses_nothing_and_pays_nothing_twice(tmp_path, fake_fal, moment,
                                                                                    signal):
    data_dir = tmp_path / "data"
    env = {**FAKE.env(), "PLAYGROUND_BATCH_CONCURRENCY": "2"}
    app = AppProcess(data_dir, env, tmp_path / "console.log").start()
    try:
        client = _client(app)
        first = client.predict(json.dumps(BASE), api_name="/compare")
        batch = first["batch_id"]
        fake_fal.default = Script(hold=True)  # the extension's cells stay running on fal until released
        client.submit(json.dumps({**EXTENDED, "extend": batch}), api_name="/compare")
        if moment == "one logged, one more submitted":
            _wait(lambda: _followed(fake_fal, 4), 60, "two cells of the extension running")
            fake_fal.release(next(r for r, job in fake_fal.jobs.items() if job.body.get("seed") == 2))
        _wait(lambda: KILL_POINTS[moment](fake_fal, lambda: _rows(data_dir), data_dir), 60, moment)
    finally:
        app.kill() if signal == "SIGKILL" else app.stop()  # SIGTERM: the app shuts down with cells in flight
    completed_before = set(_rows(data_dir).run_id)
    fake_fal.default = Script()  # cells submitted from now on finish by themselves
    fake_fal.release()  # what was running on fal finishes while the app is down
    restarted = AppProcess(data_dir, env, tmp_path / "console.log").start()
    try:
        client = _client(restarted)  # entering the key again resumes its runs
        _wait(lambda: not list((data_dir / "inflight").glob("*.json")), 60, "recovery to finish the journal")
        assert completed_before <= set(_rows(data_dir).run_id)  # nothing logged before the kill is lost
        again = client.predict(json.dumps({**EXTENDED, "extend": batch + "\n"}), api_name="/compare")
        assert again["batch_id"] == batch and len(again["cells"]) == 6
        assert set(_paid(fake_fal).values()) == {1}, _paid(fake_fal)  # each cell reached fal exactly once
        assert len(_paid(fake_fal)) == 6
        # every cell completed — but for one whose submit answer the kill cut off (the moment between the request
        # leaving and fal's answer): fal has it, the app cannot know; it is kept as it is, saying so, never resent
        lost = [c for c in again["cells"] if c["status"] != "completed"]
        assert all(c["status"] == "failed" and "may bill it" in c["error"] for c in lost), lost
        assert len(lost) <= 1 and (not lost or moment == "first submit")
        for seed in (1, 2, 3):  # every row with two clips takes a vote: the batch holds all of its cells
            if not any(c["seed"] == seed for c in lost):
                vote = client.predict(batch, f"1 × {seed}", "A", api_name="/vote")
                assert vote["winner"] == LITE_T2V
        rows = _rows(data_dir)
        assert len(rows) == 6 and rows.run_id.is_unique and set(rows.batch_id) == {batch}
        done = rows[rows.status == "completed"]
        assert len(done) == 6 - len(lost)
        assert all((data_dir / "outputs" / f"{run_id}.mp4").is_file() for run_id in done.run_id)
    finally:
        restarted.stop()


def test_a_batch_whose_cells_are_still_recovering_is_not_extended_until_they_are_in(tmp_path, fake_fal):
    """Between a restart and the moment recovery has a paid request's row, extending the batch would pay for that
    cell again: the extension waits, saying why, and sends nothing."""
    data_dir = tmp_path / "data"
    env = dict(FAKE.env())
    app = AppProcess(data_dir, env, tmp_path / "console.log").start()
    try:
        client = _client(app)
        batch = client.predict(json.dumps(BASE), api_name="/compare")["batch_id"]
        fake_fal.default = Script(hold=True)
        client.submit(json.dumps({**EXTENDED, "extend": batch}), api_name="/compare")
        _wait(lambda: _followed(fake_fal, 6) and _journaled(data_dir) == 4, 60, "four cells running")
    finally:
        app.kill()
    restarted = AppProcess(data_dir, env, tmp_path / "console.log").start()  # the four stay held on fal
    try:
        client = _client(restarted)  # entering the key again resumes its runs
        submits = len(fake_fal.jobs)
        with pytest.raises(Exception, match="still being finished"):
            client.predict(json.dumps({**EXTENDED, "extend": batch}), api_name="/compare")
        assert len(fake_fal.jobs) == submits
        fake_fal.default = Script()
        fake_fal.release()
        _wait(lambda: not list((data_dir / "inflight").glob("*.json")), 60, "recovery")
        again = client.predict(json.dumps({**EXTENDED, "extend": batch}), api_name="/compare")
        assert again["origins"] == {"new": 0, "reused": 0, "kept": 6} and len(fake_fal.jobs) == submits
    finally:
        restarted.stop()
