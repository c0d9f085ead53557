"""The reliability matrix: bad inputs refused before anything is sent, remote faults contained to their cell,
and a results log that loses nothing under concurrent writers or a writer killed mid-append.

Its case counts are printed at the end of the test run (see conftest.pytest_terminal_summary).
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from playground.compare.form import CompareForm
from playground.compare.snapshot import BatchSnapshot
from playground.config import FalSettings, Limits, PublicMode
from playground.errors import PlaygroundError
from playground.form import arguments_from_form
from playground.request import parse_arguments
from playground.service import Playground
from playground.visitor import Visitor

from conftest import LITE_I2V, LITE_T2V, PRO_FAST_I2V, PRO_FAST_T2V, SERVER_KEY, V2_I2V, Script, image_bytes
from fake_fal import NGINX_502
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
        async for _ in playground.comparisons.run(spec, Visitor(key=key)):
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
    + [("API: bad JSON", _sync(lambda _p: parse_arguments("{prompt: x")), "arguments"),
       ("API: a JSON list", _sync(lambda _p: parse_arguments("[]")), "arguments"),
       ("API: unknown endpoint", _generate("fal-ai/bytedance/seedance/v9/text-to-video", {"prompt": "x"}), "endpoint_id"),
       ("API: spec not JSON", _sync(lambda _p: parse_arguments("{", "spec")), "spec")]
    + [(f"compare: {case}", _compare(spec), field) for case, spec, field in BAD_SPECS]
    + [("compare: over the cost cap", _compare({"prompts": ["x"], "endpoints": FOUR_T2V, "seeds": [1, 2, 3, 4],
                                                "arguments": {"resolution": "1080p", "duration": "12"}}), "confirm"),
       ("compare form: seeds", _sync(lambda p: p.comparisons.request_for(CompareForm(
           "text-to-video", FOUR_T2V, "x", "7, seven", {}, "{}"))), "seeds"),
       ("compare form: overrides", _sync(lambda p: p.comparisons.request_for(CompareForm(
           "text-to-video", FOUR_T2V, "x", "7", {}, "{not json"))), "overrides"),
       ("compare form: mode", _sync(lambda p: p.comparisons.request_for(CompareForm(
           "sound-to-video", FOUR_T2V, "x", "7", {}, ""))), "mode")]
    + [("upload: text file", _upload(LITE_I2V, "image_url", "notes.png", b"just some text"), "image_url"),
       ("upload: truncated JPEG", _upload(LITE_I2V, "image_url", "cut.jpg", image_bytes(200, 100, "JPEG")[:300]),
        "image_url"),
       ("upload: GIF where 2.0 wants JPEG/PNG/WebP", _upload(V2_I2V, "image_url", "a.gif",
                                                            image_bytes(16, 16, "GIF", mode="P", color=1)), "image_url"),
       ("upload: over 30 MB", _upload(LITE_I2V, "image_url", "huge.png", b"\0" * (31 * 1024 * 1024)), "image_url"),
       ("upload: file vanished", _sync(lambda p: arguments_from_form(
           p.catalog[LITE_I2V], {"prompt": "x", "image_url": {"upload": "/nonexistent/a.png", "url": ""}})),
        "image_url")]
    + [(f"key: {case}", _sync(lambda p, raw=raw: p.sessions.use_key(raw)), "fal_key")
       for case, raw in (("empty", ""), ("spaces inside", "abc def:123"), ("too long", "k" * 600))]
    + [("preset: blank name", _sync(lambda p: p.tabs.save_preset(" ", LITE_T2V, {"prompt": "x"})), "preset"),
       ("preset: invalid value", _sync(lambda p: p.tabs.save_preset("bad", LITE_T2V, {"prompt": "x", "resolution": "8k"})),
        "preset"),
       ("history: not a run", _sync(lambda p: p.revisits.restore("no-such-run")), "run"),
       ("promote: another mode", _sync(lambda p: p.revisits.promotion("no-such-run", V2_I2V, {})), "run")]
    + [("text: prompt with a lone surrogate", _generate(LITE_T2V, {"prompt": "a\ud800b"}), "prompt"),
       ("text: low surrogate at the end", _generate(LITE_T2V, {"prompt": "ok \udfff"}), "prompt"),
       ("text: API JSON escaping a lone surrogate", _sync(lambda _p: parse_arguments('{"prompt": "x\\ud83d"}')),
        "prompt"),
       ("text: a field name with a lone surrogate", _sync(lambda _p: parse_arguments('{"\\udc00": 1}')), "udc00"),
       ("text: image URL with a lone surrogate", _generate(LITE_I2V, {"prompt": "x",
                                                                      "image_url": "https://a.example/\ud800.png"}),
        "image_url"),
       ("text: comparison prompt with a lone surrogate", _compare({"prompts": ["fine", "x\udc00"], "seeds": [1],
                                                                   "endpoints": [LITE_T2V]}), "prompt"),
       ("text: preset name with a lone surrogate", _sync(lambda p: p.tabs.save_preset("n\ud800", LITE_T2V, {"prompt": "x"})),
        "preset name"),
       ("text: prompt of zero-width characters only", _generate(LITE_T2V, {"prompt": "\u200b\u200d\ufeff\u2060 "}),
        "prompt"),
       ("text: arguments nested 100,000 deep", _sync(lambda _p: parse_arguments("[" * 100_000)), "arguments"),
       ("text: a spec nested 100,000 deep", _sync(lambda _p: parse_arguments('{"a":' * 100_000, "spec")), "spec")]
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
        asyncio.run(_generate(LITE_T2V, {"prompt": "x"}, visitor=Visitor(session="s1"))(playground))
    assert fake_fal.requests == [] and playground.results.read().empty


def _fault(status, detail, headers=None):
    return status, detail, headers or {}


EVERY_LINE_BREAK = ("\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
BROKEN_TEXT = "bad \ud800 text"
TIMEOUT_S, CANCEL_S = 3.0, 2.0  # the faulty cell's run timeout and cancel budget below
ENDS_WITHIN_S = TIMEOUT_S + CANCEL_S + 4.0  # nothing may hold a run longer than its bounds plus a little

# (case, script for the faulty endpoint, the faulty cell's status, text its error must hold)
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
    ("COMPLETED with an error holding every line break",
     Script(error=("CUDA" + "|".join(EVERY_LINE_BREAK) + "end", "runner_disconnected")), "failed"),
    ("COMPLETED with an error holding a bare \\r", Script(error=("out of memory\rretry later", "x")), "failed"),
    ("COMPLETED with an error holding a lone surrogate", Script(error=(BROKEN_TEXT, "x")), "failed"),
    ("submit answered by a dropped connection", Script(submit_drop=True), "failed"),
    ("submit never answered", Script(hang=("submit",)), "failed"),
    ("status never answered (polling)", Script(stream=False, hang=("status",)), "timed_out"),
    ("status stream never answered", Script(hang=("stream", "status")), "timed_out"),
    ("result GET never answered", Script(hang=("result",)), "timed_out"),
    ("result body trickles a byte at a time", Script(trickle=("result",)), "timed_out"),
    ("video never answered", Script(hang=("video",)), "completed"),
    ("video trickles a byte at a time", Script(trickle=("video",)), "completed"),
    ("cancel never answered after the time-out", Script(hold=True, hang=("cancel",)), "timed_out"),
]
ERROR_SAYS = {"result video 404": "video not saved locally", "video never answered": "did not finish within",
              "video trickles a byte at a time": "did not finish within",
              "COMPLETED with an error holding every line break": "CUDA" + "|".join(EVERY_LINE_BREAK) + "end",
              "COMPLETED with an error holding a bare \\r": "out of memory\rretry later",
              "COMPLETED with an error holding a lone surrogate": "bad \\ud800 text",
              "submit answered by a dropped connection": "may have accepted it",
              "submit never answered": "may have accepted it",
              "result GET never answered": "fetch it again from History",
              "result body trickles a byte at a time": "fetch it again from History"}


def _final(playground, spec, visitor=None):
    async def run():
        final = None
        async for snapshot in playground.comparisons.run(spec, visitor):
            final = snapshot
        return final
    return asyncio.run(run())


@pytest.mark.parametrize("case, script, status", FAULTS, ids=[f[0] for f in FAULTS])
def test_a_remote_fault_stays_in_its_cell(tmp_path, catalog, fake_fal, case, script, status):
    playground = Playground(catalog, tmp_path / "data", server_key=SERVER_KEY,
                            fal_settings=FalSettings(timeout_s=TIMEOUT_S, cancel_timeout_s=CANCEL_S, poll_max_s=1))
    fake_fal.by_endpoint[LITE_T2V] = script
    spec = {"prompts": ["x"], "endpoints": [LITE_T2V, PRO_FAST_T2V], "seeds": [3],
            "arguments": {"resolution": "480p", "duration": "2"}}
    started = time.monotonic()
    cells = {c["endpoint_id"]: c for c in _final(playground, spec)["cells"]}
    assert time.monotonic() - started < ENDS_WITHIN_S  # nothing hangs, whatever fal does
    assert cells[LITE_T2V]["status"] == status, cells[LITE_T2V]["error"]
    assert (cells[LITE_T2V]["error"] != "") == (status != "completed" or case in ERROR_SAYS)
    assert ERROR_SAYS.get(case, "") in cells[LITE_T2V]["error"]
    assert cells[PRO_FAST_T2V]["status"] == "completed" and cells[PRO_FAST_T2V]["video_path"]
    rows = pd.read_csv(playground.results.path, dtype=str, keep_default_na=False)  # as any reader sees the file
    assert len(rows) == 2 and rows.batch_id.nunique() == 1
    assert dict(zip(rows.endpoint_id, rows.status, strict=True)) == {LITE_T2V: status, PRO_FAST_T2V: "completed"}
    assert ERROR_SAYS.get(case, "") in rows.set_index("endpoint_id").error[LITE_T2V]
    assert len([s for s in fake_fal.seen("POST") if s.path == f"/{LITE_T2V}"]) == 1 + len(script.submit_faults)
    assert not list((playground.data_dir / "inflight").glob("*.json"))  # every run settled


@pytest.mark.parametrize("case, script", [
    ("status never answered", Script(stream=False, hang=("status",))),
    ("result GET never answered", Script(hang=("result",))),
    ("result body trickles", Script(trickle=("result",))),
    ("video trickles", Script(trickle=("video",))),
], ids=lambda v: v if isinstance(v, str) else "")
def test_a_cancel_is_heard_whatever_fal_is_doing(tmp_path, catalog, fake_fal, case, script):
    """Pressing Cancel ends the run within the cancel budget, not at the (long) timeout; its slot is free again."""
    playground = Playground(catalog, tmp_path / "data", server_key=SERVER_KEY, limits=Limits(max_runs=1),
                            fal_settings=FalSettings(timeout_s=600, cancel_timeout_s=CANCEL_S, poll_max_s=1))
    fake_fal.by_endpoint[LITE_T2V] = script

    async def run():
        watch = playground.launcher.start(LITE_T2V, {"prompt": "x", "resolution": "480p", "duration": "2"})
        await asyncio.sleep(2.5)  # well into the stuck step
        watch.cancel()
        stopped = time.monotonic()
        first = await watch.outcome()
        waited = time.monotonic() - stopped
        fake_fal.by_endpoint.pop(LITE_T2V)
        second = await playground.launcher.start(PRO_FAST_T2V, {"prompt": "y", "resolution": "480p", "duration": "2"}).outcome()
        return first, waited, second

    first, waited, second = asyncio.run(run())
    assert waited < CANCEL_S + 2, waited
    assert first.status in ("cancelled", "completed") and (first.status == "cancelled") != (case == "video trickles")
    assert second.status == "completed"  # the app's one run slot was given back


@pytest.mark.parametrize("breaks", EVERY_LINE_BREAK, ids=[repr(b) for b in EVERY_LINE_BREAK])
def test_every_line_break_round_trips_through_the_log_and_votes(playground, breaks):
    """A prompt with any line break comes back exactly from results.csv and votes.csv, read by plain pandas."""
    prompt = f"dusk{breaks}over the sea{breaks}"
    spec = {"prompts": [prompt], "endpoints": [LITE_T2V, PRO_FAST_T2V], "seeds": [5],
            "arguments": {"resolution": "480p", "duration": "2"}}
    snapshot = _final(playground, spec)
    assert snapshot["counts"]["completed"] == 2
    playground.comparisons.voting.vote(BatchSnapshot.from_dict(snapshot), snapshot["cells"][0]["row"],
                                       snapshot["cells"][0]["label"], False)
    rows = pd.read_csv(playground.results.path, dtype=str, keep_default_na=False)
    votes = pd.read_csv(playground.data_dir / "votes.csv", dtype=str, keep_default_na=False)
    assert len(rows) == 2 and set(rows.prompt) == {prompt.strip()} and set(rows.endpoint_id) == {LITE_T2V, PRO_FAST_T2V}
    assert (rows.owner != "").all() and (rows.status == "completed").all()
    assert votes.prompt.tolist() == [prompt.strip()] and votes.winner.tolist() == [snapshot["cells"][0]["endpoint_id"]]


def test_the_daily_cap_counts_runs_whatever_their_prompts_hold(tmp_path, catalog, fake_fal):
    """Eleven runs on the shared key, one per kind of line break, then a twelfth that would pass the cap."""
    cheap = {"resolution": "480p", "duration": "2"}
    per_run = Playground(catalog, tmp_path / "probe").api.estimate(LITE_T2V, {"prompt": "x", **cheap})["usd"]
    public = PublicMode(on=True, share_server_key=True, session_cap_usd=100, session_concurrency=20,
                        daily_cap_usd=per_run * (len(EVERY_LINE_BREAK) + 0.5))
    playground = Playground(catalog, tmp_path / "data", server_key=SERVER_KEY, public=public)

    async def runs():
        await asyncio.gather(*(_generate(LITE_T2V, {"prompt": f"a{b}b{b}", **cheap},
                                         visitor=Visitor(session=f"s{i}"))(playground)
                               for i, b in enumerate(EVERY_LINE_BREAK)))

    asyncio.run(runs())
    rows = pd.read_csv(playground.results.path, dtype=str, keep_default_na=False)
    assert len(rows) == len(EVERY_LINE_BREAK) and (rows.billed_to == "server").all()
    assert playground.guard.spent_today() == pytest.approx(per_run * len(EVERY_LINE_BREAK), abs=1e-6)
    with pytest.raises(PlaygroundError, match="daily cap"):
        asyncio.run(_generate(LITE_T2V, {"prompt": "one more\r", **cheap}, visitor=Visitor(session="late"))(playground))
    assert len(fake_fal.seen("POST", LITE_T2V)) == len(EVERY_LINE_BREAK)


def _journal_run(data_dir, run_id, key=SERVER_KEY, endpoint_id=LITE_T2V):
    """Submit a request to the fake fal and journal it, as a process killed right after would have left it."""
    import fal_client

    from playground.keys import fingerprint
    from playground.record import now_iso

    async def submit():
        return await fal_client.AsyncClient(key=key).submit(endpoint_id, {"prompt": "recovered", "seed": 1})

    handle = asyncio.run(submit())
    row = {"run_id": run_id, "batch_id": "", "created_at": now_iso(), "backend": "fal", "endpoint_id": endpoint_id,
           "prompt": "recovered", "arguments_json": json.dumps({"prompt": "recovered", "seed": 1}), "seed": 1,
           "estimated_cost_usd": 0.05, "owner": "", "billed_to": "server"}
    folder = Path(data_dir) / "inflight"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{run_id}.json").write_text(json.dumps({
        "run_id": run_id, "created_at": row["created_at"], "submitted_epoch": time.time(),
        "request_id": handle.request_id, "key_fingerprint": fingerprint(key), "row": row,
        "resume": {"status_url": handle.status_url, "response_url": handle.response_url,
                   "cancel_url": handle.cancel_url}}))
    return handle.request_id


# (file name, content): journal entries that are not usable; each must be kept and must not stop the others
BAD_JOURNAL = [("torn.json", '{"run_id": "torn", "request'), ("list.json", "[]"),
               ("no-row.json", json.dumps({"run_id": "no-row", "created_at": "x", "request_id": "r",
                                           "key_fingerprint": "f", "resume": {}})),
               ("deep.json", "[" * 100_000), ("latin1.json", b"\xff\xfe{}"),
               ("other-name.json", json.dumps({"run_id": "not-this"}))]


def test_one_bad_journal_entry_cannot_spoil_recovery(tmp_path, catalog, fake_fal):
    """A restart with a healthy paid run, one whose fal error holds a lone surrogate, one submit whose answer was
    lost, and damaged files: each healthy run is completed with its video, the rest logged or kept, no hang."""
    data = tmp_path / "data"
    fake_fal.script(Script(queue_s=0.2, run_s=0.5), Script(error=(BROKEN_TEXT, "runner_disconnected")))
    healthy, broken = _journal_run(data, "healthy-1"), _journal_run(data, "broken-1")
    (data / "inflight" / "unsent-1.json").write_text(json.dumps({  # its submit was on its way when the app was killed
        "run_id": "unsent-1", "created_at": "2026-11-24T09:00:00", "submitted_epoch": time.time(), "request_id": "",
        "key_fingerprint": "", "resume": {}, "row": {"run_id": "unsent-1", "created_at": "2026-11-24T09:00:00",
                                                     "backend": "fal", "endpoint_id": LITE_T2V,
                                                     "estimated_cost_usd": 0.05}}))
    for name, content in BAD_JOURNAL:
        (data / "inflight" / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    playground = Playground(catalog, data, server_key=SERVER_KEY, fal_settings=FalSettings(timeout_s=20))
    started = time.monotonic()
    results = {r.run_id: r for r in asyncio.run(playground.recover())}
    assert time.monotonic() - started < 15
    assert results["healthy-1"].status == "completed" and Path(results["healthy-1"].video_path).is_file()
    assert results["broken-1"].status == "failed" and "\\ud800" in results["broken-1"].error
    assert results["unsent-1"].status == "failed" and "may have accepted it" in results["unsent-1"].error
    rows = pd.read_csv(playground.results.path, dtype=str, keep_default_na=False)
    assert sorted(rows.run_id) == ["broken-1", "healthy-1", "unsent-1"]
    assert dict(zip(rows.run_id, rows.request_id, strict=True))["healthy-1"] == healthy and broken in set(rows.request_id)
    assert sorted(p.name for p in (data / "inflight").glob("*.json")) == sorted(n for n, _ in BAD_JOURNAL)
    assert asyncio.run(Playground(catalog, data, server_key=SERVER_KEY).recover()) == []  # none twice


RECOVERER = textwrap.dedent("""
    import asyncio, json, os, sys
    sys.path.insert(0, {root!r})
    from playground.catalog import load_catalog
    from playground.service import Playground
    playground = Playground(load_catalog(), sys.argv[1], server_key=sys.argv[2])
    print(json.dumps(sorted(r.run_id for r in asyncio.run(playground.recover()))), flush=True)
""").format(root=str(ROOT))


def test_two_processes_recovering_one_data_dir_log_each_run_once(tmp_path, fake_fal):
    data = tmp_path / "data"
    fake_fal.reset(Script(queue_s=0.3, run_s=1.5))
    run_ids = [f"twice-{i}" for i in range(4)]
    for run_id in run_ids:
        _journal_run(data, run_id)
    env = {**os.environ, **fake_fal.env()}
    processes = [subprocess.Popen([sys.executable, "-c", RECOVERER, str(data), SERVER_KEY], stdout=subprocess.PIPE,
                                  text=True, env=env) for _ in range(2)]
    finished = [json.loads(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in processes]
    assert sorted(finished[0] + finished[1]) == run_ids  # each finished by exactly one of the two
    rows = pd.read_csv(data / "results.csv", dtype=str, keep_default_na=False)
    assert sorted(rows.run_id) == run_ids and (rows.status == "completed").all()


@pytest.mark.parametrize("orientation, aspect", [(1, "16:9"), (6, "9:16"), (8, "9:16"), (3, "16:9")])
def test_auto_aspect_follows_how_a_photo_is_shown(playground, orientation, aspect):
    """A phone photo stored landscape with an EXIF turn is a portrait clip, in the estimate and the preview."""
    import io

    from PIL import Image

    from playground.media import encode_data_uri

    image = Image.new("RGB", (1600, 900), (40, 90, 160))
    exif = image.getexif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    arguments = {"prompt": "x", "image_url": encode_data_uri(buffer.getvalue(), "image/jpeg"), "resolution": "480p",
                 "duration": "2"}
    estimate = playground.api.estimate(PRO_FAST_I2V, arguments)
    assert (estimate["width"] < estimate["height"]) == (aspect == "9:16")
    result = asyncio.run(_last(playground.generate(PRO_FAST_I2V, arguments)))
    assert (result.width, result.height) == (estimate["width"], estimate["height"]) and result.checks == "ok"


async def _last(events):
    last = None
    async for item in events:
        last = item
    return last


@pytest.mark.parametrize("address", ["64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b:1::1", "2002:7f00:1::1",
                                     "2002:a9fe:a9fe::1", "::127.0.0.1", "::a00:1", "2001:0:4136:e378::1"])
def test_the_url_guard_refuses_ipv4_hidden_in_ipv6_translation(address):
    from playground.urlguard import address_allowed

    assert not address_allowed(address)


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
    assert all(hashlib.sha1(p.encode()).hexdigest() == e for p, e in zip(frame.prompt, frame.error, strict=True))  # no torn row
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


COUNTS = {"bad inputs": len(BAD) + 1, "remote faults": len(FAULTS), "cancels heard": 4,
          "line breaks": len(EVERY_LINE_BREAK) + 1, "bad journal entries": len(BAD_JOURNAL) + 2,
          "concurrent recoverers": 2, "photo orientations": 4, "translated addresses": 8, "concurrent writers": 8,
          "killed writers": 2}
