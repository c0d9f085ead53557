"""A results log damaged the ways a person or a crash leaves it — an extra field, an unclosed quote, a byte that
is not UTF-8, a last row without its newline — met by the app as a visitor meets it: History and `/history`
show every readable row, the Leaderboard answers, crash recovery logs what the journal holds, and a run on the
shared key (whose daily cap reads the log) goes through. What cannot be read is set aside, never deleted."""

import json
import time

from gradio_client import Client

from playground.keys import owner_id
from playground.record import COLUMNS, RunRecord

from app_process import AppProcess
from conftest import FAKE, LITE_T2V, SERVER_KEY

VISITOR_KEY = "vis-1a2b3c4d:9f8e7d6c5b4a39281706f5e4d3c2b1a0"
PUBLIC = {"PLAYGROUND_PUBLIC": "1", "PLAYGROUND_SHARE_SERVER_KEY": "1", "FAL_KEY": SERVER_KEY}


def _row(run_id: str, prompt: str) -> str:
    record = RunRecord(run_id=run_id, created_at="2026-12-01T10:00:00.000+00:00", backend="fal", endpoint_id=LITE_T2V,
                       status="completed", prompt=prompt, estimated_cost_usd=0.035, owner=owner_id(VISITOR_KEY, ""),
                       billed_to="visitor")
    return ",".join('"' + value.replace('"', '""') + '"' for value in record.to_row().values())


def _damaged(data_dir):
    header = ",".join(f'"{c}"' for c in COLUMNS)
    extra = _row("bad-extra", "one field too many") + ',"surplus"'
    unclosed = _row("bad-quote", "x").replace('"x"', '"an unclosed quote')
    latin1 = _row("latin1run0000000", "caf\xe9").encode("utf-8").replace("café".encode(), b"caf\xe9")
    text = "\n".join([header, _row("first00000000000", "a good row, \"quoted\", with a comma"), extra, unclosed]) + "\n"
    last = _row("lastrow000000000", "complete but for its newline")
    data_dir.mkdir(parents=True)
    (data_dir / "results.csv").write_bytes(text.encode() + latin1 + b"\n" + last.encode())
    unsent = RunRecord(run_id="journaled0000000", created_at="2026-12-02T10:00:00.000+00:00", backend="fal",
                       endpoint_id=LITE_T2V, prompt="in flight when the app died", estimated_cost_usd=0.035,
                       owner=owner_id(VISITOR_KEY, ""), billed_to="visitor")
    (data_dir / "inflight").mkdir()
    (data_dir / "inflight" / "journaled0000000.json").write_text(json.dumps({
        "run_id": "journaled0000000", "created_at": unsent.created_at, "submitted_epoch": time.time() - 60,
        "request_id": "", "resume": {}, "key_fingerprint": "", "expected": {}, "row": unsent.to_row()}))


def test_a_damaged_results_log_stops_nothing(tmp_path, fake_fal):
    data_dir = tmp_path / "data"
    _damaged(data_dir)
    app = AppProcess(data_dir, {**FAKE.env(), **PUBLIC}, tmp_path / "console.log").start()
    try:
        deadline = time.monotonic() + 60
        while list((data_dir / "inflight").glob("*.json")) and time.monotonic() < deadline:
            time.sleep(0.1)
        shared = Client(app.url, verbose=False)  # a visitor on the demo's shared key: the daily cap reads the log
        _, run = shared.predict(LITE_T2V, json.dumps({"prompt": "after the damage", "resolution": "480p",
                                                      "duration": "2", "seed": 1}), api_name="/generate")
        mine = Client(app.url, verbose=False)
        mine.predict(VISITOR_KEY, api_name="/set_key")
        history = mine.predict(50, api_name="/history")
        board = mine.predict("", api_name="/leaderboard")
    finally:
        app.stop()
    assert run["status"] == "completed" and run["backend"] == "fal"
    assert [r["run_id"] for r in history] == ["journaled0000000", "lastrow000000000", "latin1run0000000",
                                              "first00000000000"]  # every readable row (newest logged first)
    assert "may bill it" in history[0]["error"]  # recovered from the journal, logged once
    assert next(r for r in history if r["run_id"] == "latin1run0000000")["prompt"] == "caf\\xe9"
    assert isinstance(board, list)
    aside = [json.loads(line) for line in (data_dir / "results.csv.set-aside.jsonl").read_text().splitlines()]
    assert [entry["line"] for entry in aside] == [3, 4] and all(entry["why"] for entry in aside)
    assert "surplus" in aside[0]["text"] and "an unclosed quote" in aside[1]["text"]
    text = (data_dir / "results.csv").read_bytes()
    assert b"surplus" not in text and text.endswith(b"\n") and text.count(b"lastrow000000000") == 1
