"""Recovery by any live replica: with the database, each replica sweeps for what a replica that died left in flight,
and once that replica's leases lapse takes it up — each run finished once, with its video, whichever replica claims
it; a visitor's run waits for their key. (The embedded store's restart recovery: test_restart.py, test_fal.py.)"""

from __future__ import annotations

import asyncio
import json
import logging
import time

from playground import config
from playground.config import FalSettings
from playground.journal import Journal
from playground.keys import fingerprint
from playground.record import now_iso
from playground.service import Playground
from playground.store.open import open_store

from browser_kit import wait
from conftest import LITE_T2V, SERVER_KEY

pytest_plugins = ["pg_cluster"]
ARGS = {"prompt": "a kite over a dead replica", "resolution": "480p", "duration": "2"}
VISITOR_KEY = "visitor-7:feedfacecafebeef"


def _journal_a_run(journal: Journal, run_id: str, key: str | None) -> str:
    """A paid run as a replica journals it: submitted to (fake) fal with ``key``, or never answered (None)."""
    import fal_client

    handle = asyncio.run(fal_client.AsyncClient(key=key).submit(LITE_T2V, ARGS)) if key else None
    row = {"run_id": run_id, "batch_id": "", "created_at": now_iso(), "backend": "fal", "endpoint_id": LITE_T2V,
           "prompt": ARGS["prompt"], "arguments_json": json.dumps(ARGS), "seed": 7, "estimated_cost_usd": 0.035,
           "billed_to": "server" if key == SERVER_KEY else "visitor"}
    journal.add({"run_id": run_id, "created_at": row["created_at"], "submitted_epoch": time.time(),
                 "request_id": handle.request_id if handle else "", "key_fingerprint": fingerprint(key or SERVER_KEY),
                 "row": row, "resume": {"status_url": handle.status_url, "response_url": handle.response_url,
                                        "cancel_url": handle.cancel_url} if handle else {}})
    return handle.request_id if handle else ""


def test_live_replicas_take_up_a_dead_replicas_runs_once_each(tmp_path, catalog, fake_fal, pg_database, monkeypatch,
                                                              caplog):
    caplog.set_level(logging.INFO)
    monkeypatch.setenv("PLAYGROUND_DATABASE_URL", pg_database)
    url, data_dir = config.database_url(), tmp_path / "data"
    dead = open_store(data_dir, url, 1.0)  # the replica that will die, holding its runs by leases of 1 s
    requests = {run_id: _journal_a_run(dead.journal, run_id, key) for run_id, key in
                (("run-server-1", SERVER_KEY), ("run-server-2", SERVER_KEY), ("run-unsent", None),
                 ("run-visitor", VISITOR_KEY))}
    stores = [open_store(data_dir, url, 1.0) for _ in range(2)]
    survivors = [Playground(catalog, data_dir, server_key=SERVER_KEY, store=store,
                            fal_settings=FalSettings(timeout_s=60)) for store in stores]
    try:
        for survivor in survivors:
            survivor.start_recovery()  # a sweep every half lease, in a thread of its own
        time.sleep(2.5)  # five sweeps each while the dying replica still renews its leases
        assert survivors[0].results.read().empty and len(survivors[0].journal.pending()) == 4
        dead.journal.entries.stop_heartbeat()  # it dies: its leases lapse after 1 s
        wait(lambda: len(survivors[1].results.read()) == 3, 30, "the three runs the server's key reaches")
        time.sleep(1.5)  # more sweeps: anything that would finish a run a second time has had its chance
        rows = survivors[0].results.read()
        assert sorted(rows.run_id) == ["run-server-1", "run-server-2", "run-unsent"]
        by_id = rows.set_index("run_id")
        for run_id in ("run-server-1", "run-server-2"):
            assert by_id.status[run_id] == "completed" and by_id.request_id[run_id] == requests[run_id]
            assert (data_dir / "outputs" / f"{run_id}.mp4").is_file()
            result_fetches = [s for s in fake_fal.seen("GET") if s.path.endswith(f"/requests/{requests[run_id]}")]
            assert len(result_fetches) == 1  # one replica finished it, once
        assert by_id.status["run-unsent"] == "failed" and "never arrived" in by_id.error["run-unsent"]
        assert [e["run_id"] for e in survivors[0].journal.pending()] == ["run-visitor"]  # it waits for its key
        assert "finishing them" in caplog.text
        survivors[1].sessions.use_key(VISITOR_KEY)  # the visitor comes back, on either replica
        wait(lambda: not survivors[0].journal.pending(), 30, "the visitor's run")
        assert len(survivors[0].results.read()) == 4 and survivors[0].results.read().run_id.is_unique
        assert (data_dir / "outputs" / "run-visitor.mp4").is_file()
    finally:
        for survivor in survivors:
            survivor.recovery.stop_sweeping()
        for store in (*stores, dead):
            store.close()


def test_only_a_shared_store_sweeps(tmp_path, pg_database, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_DATABASE_URL", pg_database)
    assert open_store(tmp_path / "data").sweep_s is None  # one process: recovery at start-up, as always
    shared = open_store(tmp_path / "data", config.database_url(), 3.0)
    try:
        assert shared.sweep_s == 1.5  # half the lease: a dead replica's runs are taken up within 1.5 leases
    finally:
        shared.close()
