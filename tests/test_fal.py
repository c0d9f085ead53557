"""The fal backend through the service, against the fake fal server on loopback (real HTTPS, real fal-client)."""

import asyncio
import json
import time

import pandas as pd
import pytest

from playground.config import FalSettings
from playground.errors import RunError
from playground.events import Completed, InProgress, Queued, Submitted
from playground.record import RunRecord
from playground.service import Playground
from playground.visitor import Visitor

from conftest import LITE_T2V, SERVER_KEY, V2_I2V, Script, data_uri, image_bytes
from fake_fal import NGINX_502

ARGS = {"prompt": "a paper boat in the rain, \"slow\" pan", "resolution": "480p", "duration": "2", "seed": 7}


async def _collect(playground, endpoint_id, arguments, key=None):
    events, error = [], None
    try:
        async for event in playground.generate(endpoint_id, arguments, Visitor(key=key)):
            events.append(event)
    except RunError as exc:
        error = exc
    return events, error


def _run(playground, endpoint_id=LITE_T2V, arguments=ARGS, key=None):
    return asyncio.run(_collect(playground, endpoint_id, arguments, key))


def _rows(playground) -> pd.DataFrame:
    return playground.results.read()


def test_a_run_goes_through_the_queue_and_is_saved(fal_playground, fake_fal):
    # positions 2, 1, 0 over 1.5 s: the first status has half a second to see position 2 even on a loaded machine
    # (over the default 0.3 s, a first status 100 ms after the submit saw 1 under CI's three workers)
    fake_fal.script(Script(queue_s=1.5))
    events, error = _run(fal_playground)
    assert error is None
    job = next(iter(fake_fal.jobs.values()))
    assert job.body == ARGS and job.authorization == f"Key {SERVER_KEY}"
    assert {s.authorization for s in fake_fal.job_requests(job.request_id)} == {f"Key {SERVER_KEY}"}
    kinds = [type(e) for e in events]
    assert kinds[0] is Submitted and kinds[-2:] == [Completed, RunRecord]
    assert [e.position for e in events if isinstance(e, Queued)][0] == 2
    logs = [line for e in events if isinstance(e, (InProgress, Completed)) for line in e.logs]
    assert logs == list(Script().logs)  # every log line once, in order
    result = events[-1]
    assert result.status == "completed" and result.backend == "fal" and result.request_id == job.request_id
    assert result.video_path.endswith(".mp4") and (result.width, result.height, result.frames) == (160, 96, 24)
    assert open(result.video_path, "rb").read() == fake_fal.video
    row = _rows(fal_playground).iloc[-1]
    assert (row.request_id, row.billed_units, row.status) == (job.request_id, "1", "completed")
    assert row.video_url == f"{fake_fal.base_url}/files/{job.request_id}.mp4"
    assert json.loads(row.arguments_json) == ARGS
    assert not list((fal_playground.data_dir / "inflight").glob("*.json"))  # the journal entry is gone


def _fault(status, detail, headers=None):
    return status, detail, headers or {}


# (case, script, client timeout, row status, words in the message, what the fake must have seen)
FAULTS = [
    ("401 wrong key", Script(submit_fault_always=_fault(401, {"detail": "Invalid API key"})), 20, "failed",
     ["refused the key (HTTP 401)", "Invalid API key"], {"submits": 1}),
    ("403 no access", Script(submit_fault_always=_fault(403, {"detail": "Forbidden for this app"})), 20, "failed",
     ["refused the key (HTTP 403)"], {"submits": 1}),
    ("422 detail list", Script(submit_fault_always=_fault(422, {"detail": [
        {"loc": ["body", "prompt"], "msg": "The prompt was flagged by the content checker", "type": "content_policy_violation"},
        {"loc": ["body", "duration"], "msg": "value is not allowed", "type": "value_error"}]})), 20, "failed",
     ["HTTP 422", "prompt: The prompt was flagged", "duration: value is not allowed"], {"submits": 1}),
    ("429 then success", Script(submit_faults=(_fault(429, {"detail": "Too many requests"}),)), 20, "completed",
     [], {"submits": 2}),
    ("500", Script(submit_fault_always=_fault(500, {"detail": "Internal error", "error_type": "internal_error"},
                                              {"x-fal-request-id": "gw-1"})), 20, "failed",
     ["server error (HTTP 500, internal_error)", "Internal error"], {"submits": 1}),
    ("nginx 502 twice then success", Script(submit_faults=(NGINX_502, NGINX_502)), 20, "completed", [], {"submits": 3}),
    ("COMPLETED with an error", Script(error=("CUDA error: out of memory", "runner_disconnected")), 20, "failed",
     ["reported that the run failed", "CUDA error: out of memory", "runner_disconnected"], {}),
    ("never finishes", Script(hold=True), 2, "timed_out", ["no result after 2 s", "cancel sent to fal.ai"],
     {"cancels": 1}),
    ("connection dropped mid-poll", Script(stream=False, drop_status=(2,)), 20, "completed", [], {"min_status": 3}),
    ("no status stream: polling", Script(stream=False), 20, "completed", [], {"min_status": 2}),
    ("status stream broke off mid-run", Script(drop_stream_after=2), 20, "completed", [], {"min_status": 1}),
    ("result video 404", Script(video_missing=True), 20, "completed", ["video not saved locally", "HTTP 404"], {}),
    ("result without a video", Script(result_fault=_fault(200, {"seed": 3})), 20, "failed", ["no video URL"], {}),
]


@pytest.mark.parametrize("case, script, timeout_s, status, words, seen", FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_table(tmp_path, catalog, fake_fal, case, script, timeout_s, status, words, seen):
    playground = Playground(catalog, tmp_path / "data", server_key=SERVER_KEY,
                            fal_settings=FalSettings(timeout_s=timeout_s, cancel_timeout_s=5))
    fake_fal.script(script)
    events, error = _run(playground)
    rows = _rows(playground)
    assert len(rows) == 1 and rows.iloc[0].status == status
    message = str(error) if error else rows.iloc[0].error
    assert (error is None) == (status == "completed")
    for word in words:
        assert word in message and word in rows.iloc[0].error
    if status == "completed":
        assert rows.iloc[0].request_id and rows.iloc[0].video_url
    if "submits" in seen:
        assert len(fake_fal.seen("POST", LITE_T2V)) == seen["submits"]
    if "cancels" in seen:
        assert len(fake_fal.seen("PUT", "/cancel")) == seen["cancels"]
    if "min_status" in seen:
        polls = [r for r in fake_fal.seen("GET", "/status") if r.path.endswith("/status")]
        assert len(polls) >= seen["min_status"]
    assert SERVER_KEY not in message and SERVER_KEY not in (tmp_path / "data" / "results.csv").read_text()


def test_status_stream_follows_a_run_with_one_request(fal_playground, fake_fal):
    fake_fal.script(Script(queue_s=1.0, positions=2, run_s=2.0, logs=("a", "b", "c", "d")))
    events, error = _run(fal_playground)
    assert error is None
    requests = fake_fal.seen("GET", "/status")
    assert [r.path.rsplit("/", 1)[1] for r in requests].count("stream") == 1
    assert len(requests) <= 2  # the stream, and fal-client's one status check before fetching the result
    assert [e.position for e in events if isinstance(e, Queued)] == [2, 1, 0]  # every change, as it happened
    assert [line for e in events if isinstance(e, (InProgress, Completed)) for line in e.logs] == ["a", "b", "c", "d"]


def test_status_polling_is_paced(fal_playground, fake_fal):
    """Where fal offers no status stream: polling, about once a second at most."""
    fake_fal.script(Script(queue_s=2.0, positions=3, run_s=8.0, logs=tuple(f"step {i}/8" for i in range(1, 9)),
                           stream=False))
    started = time.monotonic()
    events, error = _run(fal_playground)
    elapsed = time.monotonic() - started
    assert error is None and elapsed >= 10
    polls = len(fake_fal.seen("GET", "/status"))
    print(f"status requests: {polls} in {elapsed:.1f} s = {polls / elapsed:.2f}/s")
    assert polls / elapsed <= 2.0, f"{polls} status requests in {elapsed:.1f} s"
    assert len({e.position for e in events if isinstance(e, Queued)}) >= 2  # still lively enough to show movement
    assert sum(len(e.logs) for e in events if isinstance(e, (InProgress, Completed))) == 8


def test_uploads_go_to_storage_once_and_the_url_is_what_is_logged(fal_playground, fake_fal):
    image = data_uri(image_bytes(320, 180, color=(10, 200, 90)))
    arguments = {"prompt": "x", "image_url": image, "resolution": "480p", "duration": "4", "seed": 1}

    async def two_runs():
        return await asyncio.gather(_collect(fal_playground, V2_I2V, arguments),
                                    _collect(fal_playground, V2_I2V, {**arguments, "seed": 2}))

    outcomes = asyncio.run(two_runs())
    assert all(error is None for _, error in outcomes)
    assert len(fake_fal.seen("POST", "/files/upload")) == 1
    (name, data), = fake_fal.uploads.items()
    assert data == image_bytes(320, 180, color=(10, 200, 90))
    assert {job.body["image_url"] for job in fake_fal.jobs.values()} == {f"{fake_fal.base_url}/files/{name}"}
    assert all(json.loads(a)["image_url"].startswith("https://") for a in _rows(fal_playground).arguments_json)
    _run(fal_playground, V2_I2V, {**arguments, "seed": 3})  # a later run reuses the upload too
    assert len(fake_fal.seen("POST", "/files/upload")) == 1


async def _start_then_stop(playground, release_first=False):
    """Run until fal reports progress, then stop watching (as Cancel does); wait for the row."""
    watcher = playground.generate(LITE_T2V, ARGS)
    async for event in watcher:
        if isinstance(event, InProgress):
            break
    if release_first:
        from conftest import FAKE
        FAKE.release()
    await watcher.aclose()
    for _ in range(200):
        if len(playground.results.read()):
            return
        await asyncio.sleep(0.05)


def test_stopping_the_watcher_cancels_on_fal(fal_playground, fake_fal):
    fake_fal.script(Script(hold=True))
    asyncio.run(_start_then_stop(fal_playground))
    row = _rows(fal_playground).iloc[0]
    assert row.status == "cancelled" and "cancel sent to fal.ai" in row.error
    assert [s.method for s in fake_fal.seen(contains="/cancel")] == ["PUT"]


def test_a_result_that_beat_the_cancel_is_kept(fal_playground, fake_fal):
    fake_fal.script(Script(hold=True))
    asyncio.run(_start_then_stop(fal_playground, release_first=True))
    row = _rows(fal_playground).iloc[0]
    assert row.status == "completed" and row.video_path.endswith(".mp4")
    assert len(fake_fal.seen("PUT", "/cancel")) == 1


def test_fal_backend_needs_a_key_when_forced(tmp_path, catalog, fake_fal):
    playground = Playground(catalog, tmp_path / "data", "fal")
    events, error = _run(playground)
    assert not events and "no fal key" in str(error)
    assert not fake_fal.requests and not (tmp_path / "data" / "results.csv").exists()


@pytest.mark.parametrize("choice, session_key, server_key, expected", [
    ("auto", None, None, "offline"),
    ("auto", "sess-1:abcdef0123", None, "fal"),
    ("auto", None, SERVER_KEY, "fal"),
    ("offline", "sess-1:abcdef0123", SERVER_KEY, "offline"),
    ("fal", "sess-1:abcdef0123", None, "fal"),
])
def test_backend_selection(tmp_path, catalog, choice, session_key, server_key, expected):
    playground = Playground(catalog, tmp_path, choice, server_key=server_key)
    assert playground.launcher.backend_for(session_key).name == expected
    status = playground.sessions.backend_status(session_key)
    assert ("fal.ai" in status.split("**")[1]) == (expected == "fal")
    assert (session_key or "§") not in status and (server_key or "§") not in status


def test_session_key_wins_over_the_server_key(fal_playground, fake_fal):
    _, error = _run(fal_playground, key="sess-77:0123456789abcdef")
    assert error is None
    assert {s.authorization for s in fake_fal.requests if s.authorization} == {"Key sess-77:0123456789abcdef"}


def test_restart_recovery_finishes_journaled_runs_once(tmp_path, catalog, fake_fal):
    """A journal left by a dead process: runs on fal are collected once; ones needing a visitor's key wait for it."""
    import fal_client

    from playground.journal import Journal
    from playground.keys import fingerprint
    from playground.record import now_iso

    visitor = "visitor-9:feedfacecafebeef"

    async def submit(key):
        handle = await fal_client.AsyncClient(key=key).submit(LITE_T2V, ARGS)
        return handle

    journal = Journal(tmp_path / "data" / "inflight")
    for run_id, key in (("run-server-1", SERVER_KEY), ("run-visitor-1", visitor)):
        handle = asyncio.run(submit(key))
        row = {"run_id": run_id, "batch_id": "", "created_at": now_iso(), "backend": "fal", "endpoint_id": LITE_T2V,
               "prompt": ARGS["prompt"], "arguments_json": json.dumps(ARGS), "seed": 7, "estimated_cost_usd": 0.05}
        journal.add({"run_id": run_id, "created_at": row["created_at"], "submitted_epoch": time.time(),
                     "request_id": handle.request_id, "key_fingerprint": fingerprint(key), "row": row,
                     "resume": {"status_url": handle.status_url, "response_url": handle.response_url,
                                "cancel_url": handle.cancel_url}})
        journal.release(run_id)  # the process that wrote it is gone, and its claim with it
    playground = Playground(catalog, tmp_path / "data", server_key=SERVER_KEY)
    results = asyncio.run(playground.recover())
    assert [r.run_id for r in results] == ["run-server-1"] and results[0].status == "completed"
    assert asyncio.run(playground.recover()) == []  # nothing left for the server key
    assert [e["run_id"] for e in journal.pending()] == ["run-visitor-1"]
    playground.sessions.use_key(visitor)  # the visitor comes back with their key
    for _ in range(100):
        if not journal.pending():
            break
        time.sleep(0.1)
    rows = _rows(playground)
    assert sorted(rows.run_id) == ["run-server-1", "run-visitor-1"] and set(rows.status) == {"completed"}
    visitor_job = [j for j in fake_fal.jobs.values() if j.authorization == f"Key {visitor}"][0]
    assert {s.authorization for s in fake_fal.job_requests(visitor_job.request_id)} == {f"Key {visitor}"}
    fresh = Playground(catalog, tmp_path / "data", server_key=SERVER_KEY)
    assert asyncio.run(fresh.recover()) == [] and len(_rows(fresh)) == 2  # none twice


# -- what fal does, as its documentation and clients say (reference "Turn-2 facts") ----------------------------
V2_T2V = "bytedance/seedance-2.0/text-to-video"
PRO_FAST_T2V = "fal-ai/bytedance/seedance/v1/pro/fast/text-to-video"
NO_FALLBACK = {"x-fal-disable-fallbacks": "1", "x-app-fal-disable-fallback": "true"}


def _compare(playground, spec):
    async def run():
        final = None
        async for snapshot in playground.comparisons.run(spec):
            final = snapshot
        return final
    return asyncio.run(run())


def test_every_submit_of_a_comparison_opts_out_of_fals_fallbacks(fal_playground, fake_fal):
    final = _compare(fal_playground, {"prompts": ["x"], "endpoints": [LITE_T2V, PRO_FAST_T2V, V2_T2V],
                                      "seeds": [1, 2], "arguments": {"resolution": "480p", "duration": "4"}})
    assert final["counts"]["completed"] == 6
    submits = [s for s in fake_fal.seen("POST") if "/requests/" not in s.path]
    assert len(submits) == 6 and all(NO_FALLBACK.items() <= s.headers.items() for s in submits)


def test_a_cell_fal_served_with_another_endpoint_is_flagged(fal_playground, fake_fal):
    fake_fal.by_endpoint[PRO_FAST_T2V] = Script(served_from="fal-ai/bytedance/seedance/v1/lite/text-to-video")
    final = _compare(fal_playground, {"prompts": ["x"], "endpoints": [LITE_T2V, PRO_FAST_T2V], "seeds": [3],
                                      "arguments": {"resolution": "480p", "duration": "2"}})
    cells = {c["endpoint_id"]: c for c in final["cells"]}
    assert cells[PRO_FAST_T2V]["served_by"] == LITE_T2V and cells[LITE_T2V]["served_by"] == ""
    fairness = {f["endpoint_id"]: f for f in final["fairness"]}
    assert fairness[PRO_FAST_T2V]["served_by"] == LITE_T2V and fairness[LITE_T2V]["served_by"] == ""
    assert any("was served by fal-ai/bytedance/seedance/v1/lite/text-to-video" in w for w in final["warnings"])
    from playground.compare.present import outcome_markdown
    from playground.compare.snapshot import BatchSnapshot

    typed = BatchSnapshot.from_dict(final)
    assert "served by" in outcome_markdown(typed) and LITE_T2V not in outcome_markdown(typed, blind=True)
    rows = _rows(fal_playground).set_index("endpoint_id")
    assert rows.served_by[PRO_FAST_T2V] == LITE_T2V and rows.served_by[LITE_T2V] == ""


@pytest.mark.parametrize("script", [Script(logs=tuple(f"step {i}" for i in range(9)), run_s=1.2),
                                    Script(logs=tuple(f"step {i}" for i in range(9)), run_s=1.2, drop_stream_after=3),
                                    Script(logs=tuple(f"step {i}" for i in range(9)), run_s=1.2, stream=False)],
                         ids=["streamed as deltas", "stream breaks off, polling takes over", "no stream, polling"])
def test_every_log_line_arrives_once_in_order(fal_playground, fake_fal, script):
    fake_fal.script(script)
    events, error = _run(fal_playground)
    assert error is None and events[-1].status == "completed"
    lines = [line for e in events if isinstance(e, (InProgress, Completed)) for line in e.logs
             if line.startswith("step ")]
    assert lines == list(script.logs)


def test_status_answers_202_until_completed_then_200(fake_fal):
    """The fake itself answers as fal does (the app must not rely on 200 while a run is going)."""
    import httpx

    fake_fal.script(Script(queue_s=0.3, run_s=0.6, stream=False))
    handle = asyncio.run(_submit_only())
    codes = []
    with httpx.Client(verify=str(fake_fal.ca_path), headers={"Authorization": f"Key {SERVER_KEY}"}) as http:
        for _ in range(40):
            response = http.get(handle["status_url"], params={"logs": 1})
            codes.append((response.status_code, response.json()["status"]))
            if response.json()["status"] == "COMPLETED":
                break
            time.sleep(0.05)
    assert {code for code, status in codes if status != "COMPLETED"} == {202} and codes[-1] == (200, "COMPLETED")


async def _submit_only():
    import fal_client

    handle = await fal_client.AsyncClient(key=SERVER_KEY).submit(LITE_T2V, ARGS)
    return {"status_url": handle.status_url, "response_url": handle.response_url}


def test_a_cancelled_request_answers_499_and_the_row_says_cancelled(fal_playground, fake_fal):
    fake_fal.script(Script(hold=True))
    asyncio.run(_start_then_stop(fal_playground))
    (job,) = fake_fal.jobs.values()
    row = _rows(fal_playground).iloc[0]
    assert row.status == "cancelled" and job.cancelled
    after = [s for s in fake_fal.job_requests(job.request_id) if s.method == "GET" and s.path.endswith(job.request_id)]
    import httpx

    with httpx.Client(verify=str(fake_fal.ca_path), headers={"Authorization": f"Key {SERVER_KEY}"}) as http:
        assert http.get(f"{fake_fal.base_url}/fal-ai/bytedance/requests/{job.request_id}").status_code == 499
    assert after  # the app asked for the result after its cancel, and took the 499 as a cancel, not a failure


def test_no_runner_in_time_is_a_timed_out_row(tmp_path, catalog, fake_fal):
    playground = Playground(catalog, tmp_path / "data", server_key=SERVER_KEY,
                            fal_settings=FalSettings(timeout_s=20, start_timeout_s=30))
    fake_fal.script(Script(start_timeout_hit=True))
    _, error = _run(playground)
    assert error is not None and error.status == "timed_out" and "no runner started" in str(error)
    (submit,) = [s for s in fake_fal.seen("POST") if s.path == f"/{LITE_T2V}"]
    assert submit.headers["x-fal-request-timeout"] == "30" and "x-fal-store-io" not in submit.headers
    assert _rows(playground).iloc[0].status == "timed_out"


def test_store_io_off_asks_fal_to_keep_no_copy(tmp_path, catalog, fake_fal):
    playground = Playground(catalog, tmp_path / "data", server_key=SERVER_KEY,
                            fal_settings=FalSettings(timeout_s=20, store_io=False))
    _, error = _run(playground)
    assert error is None
    (submit,) = [s for s in fake_fal.seen("POST") if s.path == f"/{LITE_T2V}"]
    assert submit.headers["x-fal-store-io"] == "0" and "x-fal-request-timeout" not in submit.headers


@pytest.mark.parametrize("units", ["30", "29.12345678", "1"])
def test_billed_cost_is_units_times_the_unit_price_to_the_cent(fal_playground, fake_fal, units):
    fake_fal.script(Script(billable_units=units))
    events, error = _run(fal_playground, V2_T2V, {"prompt": "x", "resolution": "480p", "duration": "4", "seed": 1})
    assert error is None
    price = fal_playground.catalog[V2_T2V].pricing.billing.usd_per_unit
    assert price == 0.014 and round(events[-1].billed_cost_usd, 2) == round(float(units) * 0.014, 2)
    row = _rows(fal_playground).iloc[-1]
    assert abs(float(row.billed_cost_usd) - float(units) * 0.014) < 0.005 and row.billed_units == units


def test_billed_cost_stays_empty_where_the_unit_price_is_unknown(fal_playground, fake_fal):
    from playground.compare.present import billed_text
    from playground.present import result_markdown

    fake_fal.script(Script(billable_units="42"))
    events, error = _run(fal_playground)  # 1.0 Lite: fal's unit price for it is not in the catalog
    assert error is None and events[-1].billed_cost_usd is None
    assert _rows(fal_playground).iloc[-1].billed_cost_usd == ""
    assert "unit price unknown" in result_markdown(events[-1].as_dict())
    assert billed_text(events[-1]) == "42 units (unit price unknown)"


@pytest.mark.parametrize("units", ["-5000", "1e309", "inf", "nan", "abc", "1e6", "-0.5"])
def test_billed_units_that_cannot_be_right_are_not_trusted(tmp_path, catalog, fake_fal, units):
    """fal's x-fal-billable-units is distrusted when impossible (negative, infinite, not a number, or a bill far
    beyond the estimate): the run is completed, the estimate is what caps and the leaderboard count, and the
    result says why. (Before: -5000 units put a negative cost on the Leaderboard and under the daily cap; 1e309
    locked the cap for the day.)"""
    from playground.config import PublicMode

    public = PublicMode(on=True, share_server_key=True, daily_cap_usd=10.0, session_cap_usd=5.0)
    playground = Playground(catalog, tmp_path / "data", server_key=SERVER_KEY, public=public,
                            fal_settings=FalSettings(timeout_s=20))
    fake_fal.script(Script(billable_units=units))
    events, error = _run(playground, V2_T2V, {"prompt": "x", "resolution": "480p", "duration": "4", "seed": 1})
    assert error is None
    record = events[-1]
    assert record.status == "completed" and record.billed_cost_usd is None and record.billed_units == ""
    assert "cannot be right" in record.error and "estimate is counted" in record.error
    row = _rows(playground).iloc[-1]
    assert row.status == "completed" and row.billed_cost_usd == "" and row.billed_units == ""
    estimate = 864 * 480 * 24 * 4 / 1024 * 14 / 1e6  # 2.0 at 480p, 4 s: fal's token formula by hand
    assert playground.guard.spent_today() == pytest.approx(estimate, abs=1e-4)  # the cap counts the estimate


def test_a_long_retry_after_from_fal_is_said_at_once_and_nothing_is_sent_again(fal_playground, fake_fal):
    fake_fal.script(Script(submit_fault_always=(429, {"detail": "Too many requests"}, {"Retry-After": "3600"})))
    started = time.monotonic()
    events, error = _run(fal_playground)
    assert error is not None and error.status == "failed"
    assert "wait 1 hour" in str(error) and "nothing was sent" in str(error) and "Wait a minute" not in str(error)
    assert len([s for s in fake_fal.seen("POST") if s.path == f"/{LITE_T2V}"]) == 1  # asked once, not hammered
    assert time.monotonic() - started < 10


def test_the_fal_kind_builds_its_backends_on_first_use_sharing_one_set_of_connections():
    """Knowing the kind loads nothing of fal's client (tests/test_startup.py checks the app's start-up); the first
    key that asks builds the connections, and every key after shares them, even when the first two ask at once."""
    from concurrent.futures import ThreadPoolExecutor

    from playground.backends.fal_kind import KIND

    for_key = KIND.build(FalSettings())
    with ThreadPoolExecutor(8) as pool:
        backends = list(pool.map(for_key, [f"key-{n}:secret" for n in range(8)]))
    assert len({id(backend.connections) for backend in backends}) == 1
    assert [backend.key for backend in backends] == [f"key-{n}:secret" for n in range(8)]
    assert {(backend.name, backend.paid) for backend in backends} == {("fal", True)}
