"""The reliability matrix: bad inputs refused before anything is sent, remote faults contained to their cell,
and a results log that loses nothing under concurrent writers or a writer killed mid-append.

Its case counts are printed at the end of the test run (see conftest.pytest_terminal_summary).
"""

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from conftest import LITE_I2V, LITE_T2V, PRO_FAST_T2V, SERVER_KEY, V2_I2V, Script, image_bytes
from fake_fal import NGINX_502
from playground.config import FalSettings, Limits, PublicMode
from playground.errors import PlaygroundError
from playground.form import arguments_from_form
from playground.request import parse_arguments
from playground.service import Playground
from test_compare import BAD_SPECS
from test_request import BAD_INPUTS

ROOT = Path(__file__).resolve().parent.parent


def _generate(endpoint_id, arguments, **kwargs):
    async def action(playground):
        async for _ in playground.generate(endpoint_id, arguments, **kwargs):
            pass
    return action


def _compare(spec, key=None):
    async def action(playground):
        async for _ in playground.comparisons.run(spec, key):
            pass
    return action


def _upload(endpoint_id, field, name, content):
    """A file chosen in a tab's upload box, then run."""
    async def action(playground):
        path = playground.data_dir.parent / name
        path.write_bytes(content)
        form = {"prompt": "x", field: {"upload": str(path), "url": ""}}
        await _generate(endpoint_id, arguments_from_form(playground.catalog[endpoint_id], form))(playground)
    return action


def _sync(call):
    async def action(playground):
        call(playground)
    return action


FOUR_T2V = [LITE_T2V, "fal-ai/bytedance/seedance/v1/pro/text-to-video", PRO_FAST_T2V,
            "bytedance/seedance-2.0/text-to-video"]

# (case, action, the field the message must name)
BAD = (
    [(f"generate: {case}", _generate(endpoint, arguments), field) for case, endpoint, arguments, field in BAD_INPUTS]
    + [("API: bad JSON", _sync(lambda p: parse_arguments("{prompt: x")), "arguments"),
       ("API: a JSON list", _sync(lambda p: parse_arguments("[]")), "arguments"),
       ("API: unknown endpoint", _generate("fal-ai/bytedance/seedance/v9/text-to-video", {"prompt": "x"}), "endpoint_id"),
       ("API: spec not JSON", _sync(lambda p: parse_arguments("{", "spec")), "spec")]
    + [(f"compare: {case}", _compare(spec), field) for case, spec, field in BAD_SPECS]
    + [("compare: over the cost cap", _compare({"prompts": ["x"], "endpoints": FOUR_T2V, "seeds": [1, 2, 3, 4],
                                                "arguments": {"resolution": "1080p", "duration": "12"}}), "confirm"),
       ("compare form: seeds", _sync(lambda p: p.comparisons.spec_from_form(
           "text-to-video", FOUR_T2V, "x", "7, seven", {}, "{}", False)), "seeds"),
       ("compare form: overrides", _sync(lambda p: p.comparisons.spec_from_form(
           "text-to-video", FOUR_T2V, "x", "7", {}, "{not json", False)), "overrides"),
       ("compare form: mode", _sync(lambda p: p.comparisons.spec_from_form(
           "sound-to-video", FOUR_T2V, "x", "7", {}, "", False)), "mode")]
    + [("upload: text file", _upload(LITE_I2V, "image_url", "notes.png", b"just some text"), "image_url"),
       ("upload: truncated JPEG", _upload(LITE_I2V, "image_url", "cut.jpg", image_bytes(200, 100, "JPEG")[:300]),
        "image_url"),
       ("upload: GIF where 2.0 wants JPEG/PNG/WebP", _upload(V2_I2V, "image_url", "a.gif",
                                                            image_bytes(16, 16, "GIF", mode="P", color=1)), "image_url"),
       ("upload: over 30 MB", _upload(LITE_I2V, "image_url", "huge.png", b"\0" * (31 * 1024 * 1024)), "image_url"),
       ("upload: file vanished", _sync(lambda p: arguments_from_form(
           p.catalog[LITE_I2V], {"prompt": "x", "image_url": {"upload": "/nonexistent/a.png", "url": ""}})),
        "image_url")]
    + [(f"key: {case}", _sync(lambda p, raw=raw: p.use_key(raw)), "fal_key")
       for case, raw in (("empty", ""), ("spaces inside", "abc def:123"), ("too long", "k" * 600))]
    + [("preset: blank name", _sync(lambda p: p.save_preset(" ", LITE_T2V, {"prompt": "x"})), "preset"),
       ("preset: invalid value", _sync(lambda p: p.save_preset("bad", LITE_T2V, {"prompt": "x", "resolution": "8k"})),
        "preset"),
       ("history: not a run", _sync(lambda p: p.revisits.restore("no-such-run")), "run"),
       ("promote: another mode", _sync(lambda p: p.revisits.promotion("no-such-run", V2_I2V, {})), "run")]
)


@pytest.fixture
def guarded(tmp_path, catalog, fake_fal):
    """A Playground billing the server key on the fake fal: anything that slipped through would show there."""
    return Playground(catalog, tmp_path / "data", server_key=SERVER_KEY, fal_settings=FalSettings(timeout_s=5),
                      limits=Limits(max_batch_usd=5.0))


@pytest.mark.parametrize("case, action, field", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_before_anything_is_sent(guarded, fake_fal, case, action, field):
    with pytest.raises(PlaygroundError) as err:
        asyncio.run(action(guarded))
    assert field in str(err.value), str(err.value)
    assert fake_fal.requests == []  # nothing sent, nothing uploaded
    assert guarded.results.read().empty  # nothing logged


def test_a_public_spend_cap_sends_nothing(tmp_path, catalog, fake_fal):
    public = PublicMode(on=True, share_server_key=True, session_cap_usd=0.01)
    playground = Playground(catalog, tmp_path / "data", server_key=SERVER_KEY, public=public)
    with pytest.raises(PlaygroundError, match="per-visitor cap"):
        asyncio.run(_generate(LITE_T2V, {"prompt": "x"}, session="s1")(playground))
    assert fake_fal.requests == [] and playground.results.read().empty


def _fault(status, detail, headers=None):
    return status, detail, headers or {}


# (case, script for the faulty endpoint, the faulty cell's status)
FAULTS = [
    ("401 wrong key", Script(submit_fault_always=_fault(401, {"detail": "Invalid key"})), "failed"),
    ("403 no access", Script(submit_fault_always=_fault(403, {"detail": "Forbidden"})), "failed"),
    ("422 detail list", Script(submit_fault_always=_fault(422, {"detail": [{"loc": ["body", "prompt"], "msg": "no"}]})),
     "failed"),
    ("429 then success", Script(submit_faults=(_fault(429, {"detail": "slow down"}),)), "completed"),
    ("500", Script(submit_fault_always=_fault(500, {"detail": "boom"}, {"x-fal-request-id": "r"})), "failed"),
    ("503 runner scheduling failure", Script(submit_fault_always=_fault(
        503, {"detail": "no runner", "error_type": "runner_scheduling_failure"}, {"x-fal-request-id": "r"})), "failed"),
    ("nginx 502 twice then success", Script(submit_faults=(NGINX_502, NGINX_502)), "completed"),
    ("COMPLETED with an error", Script(error=("CUDA error: out of memory", "runner_disconnected")), "failed"),
    ("never finishes", Script(hold=True), "timed_out"),
    ("connection dropped mid-poll", Script(stream=False, drop_status=(2,)), "completed"),
    ("status stream broke off", Script(drop_stream_after=1), "completed"),
    ("no status stream", Script(stream=False), "completed"),
    ("result video 404", Script(video_missing=True), "completed"),
    ("result without a video", Script(result_fault=_fault(200, {"seed": 1})), "failed"),
    ("result keeps failing (500)", Script(result_fault=_fault(500, {"detail": "storage down"})), "failed"),
]


@pytest.mark.parametrize("case, script, status", FAULTS, ids=[f[0] for f in FAULTS])
def test_a_remote_fault_stays_in_its_cell(tmp_path, catalog, fake_fal, case, script, status):
    playground = Playground(catalog, tmp_path / "data", server_key=SERVER_KEY,
                            fal_settings=FalSettings(timeout_s=3, cancel_timeout_s=2, poll_max_s=1))
    fake_fal.by_endpoint[LITE_T2V] = script
    spec = {"prompts": ["x"], "endpoints": [LITE_T2V, PRO_FAST_T2V], "seeds": [3],
            "arguments": {"resolution": "480p", "duration": "2"}}

    async def run():
        final = None
        async for snapshot in playground.comparisons.run(spec):
            final = snapshot
        return final

    cells = {c["endpoint_id"]: c for c in asyncio.run(run())["cells"]}
    assert cells[LITE_T2V]["status"] == status, cells[LITE_T2V]["error"]
    assert (cells[LITE_T2V]["error"] != "") == (status != "completed" or case == "result video 404")
    assert cells[PRO_FAST_T2V]["status"] == "completed" and cells[PRO_FAST_T2V]["video_path"]
    rows = playground.results.read()
    assert len(rows) == 2 and rows.batch_id.nunique() == 1
    assert dict(zip(rows.endpoint_id, rows.status)) == {LITE_T2V: status, PRO_FAST_T2V: "completed"}


WRITER = textwrap.dedent("""
    import hashlib, sys
    sys.path.insert(0, {root!r})
    from playground.results import ResultsLog
    log, name, count, size = ResultsLog(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    for i in range(count):
        run_id = f"{{name}}-{{i}}"
        body = (run_id + ', "quoted"\\nline ') * size
        log.append({{"run_id": run_id, "prompt": body, "error": hashlib.sha1(body.encode()).hexdigest()}})
        print(run_id, flush=True)
""").format(root=str(ROOT))


def _writer(path, name, count, size=1):
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(count), str(size)],
                            stdout=subprocess.PIPE, text=True)


def _verify(path) -> pd.DataFrame:
    import hashlib

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert frame.run_id.is_unique
    assert all(hashlib.sha1(p.encode()).hexdigest() == e for p, e in zip(frame.prompt, frame.error))  # no torn row
    return frame


def test_eight_concurrent_writers_a_thousand_rows_each(tmp_path):
    path = tmp_path / "results.csv"
    writers = [_writer(path, f"w{n}", 1000) for n in range(8)]
    for writer in writers:
        writer.communicate(timeout=300)
        assert writer.returncode == 0
    frame = _verify(path)
    assert len(frame) == 8000 and set(frame.run_id) == {f"w{n}-{i}" for n in range(8) for i in range(1000)}


@pytest.mark.parametrize("size", [1, 20_000])  # small rows, and ~0.5 MB rows a kill can cut in half
def test_a_writer_killed_mid_append_loses_nothing_acknowledged(tmp_path, size):
    path = tmp_path / "results.csv"
    writer = _writer(path, "k", 100_000, size)
    acknowledged = [writer.stdout.readline().strip() for _ in range(30 if size > 1 else 300)]
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    from playground.results import ResultsLog

    survivor = ResultsLog(path)
    frame = survivor.read()  # parses, a torn last row (if any) cut off
    assert set(acknowledged) <= set(frame.run_id)
    survivor.append({"run_id": "after", "prompt": "x", "error": __import__("hashlib").sha1(b"x").hexdigest()})
    assert _verify(path).run_id.iloc[-1] == "after"


COUNTS = {"bad inputs": len(BAD) + 1, "remote faults": len(FAULTS), "concurrent writers": 8, "killed writers": 2}
