"""Moving a data dir into the database and the CSV back out: ``python -m playground import DATA_DIR`` and
``python -m playground export``, run as a person would, against a throwaway PostgreSQL cluster (``pg_cluster.py``).

The data dir is made by the embedded store as the app makes it (thousands of runs, hundreds of votes, kept batches,
saved presets, seed checks, a journal entry); after the import the database gives the same History, the same votes
that count, batches and presets; a second import adds nothing; the export is the original results.csv byte for
byte."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from playground import config
from playground.compare.snapshot import BatchSnapshot
from playground.compare.spec import StoredSpec
from playground.history import Filters
from playground.presets import Presets
from playground.seed_checks import SeedCheck
from playground.service import Playground
from playground.store.files import open_files
from playground.store.open import open_store
from playground.votes import Vote

from conftest import LITE_T2V, PRO_T2V

pytest_plugins = ["pg_cluster"]  # its fixtures: pg_cluster, pg_database
ROOT = Path(__file__).resolve().parent.parent
RUNS, VOTES, BATCHES = 3000, 300, 6
ODD = ["a\u2028b\u2029c\x85d\r\ne\rf\vg\x0ch\x1c\x1d\x1e", "nul\x00inside", "lone \ud800 surrogate", "x" * 100_000, "",
       '"quoted", comma']


def run_row(i: int) -> dict[str, str]:
    prompt = ODD[i // 500] if i % 500 == 7 and i // 500 < len(ODD) else f"Shot {i}: a paper boat, rain, 🎬"
    return {"run_id": f"{i:016x}", "batch_id": f"{i // 16:012x}" if i % 3 else "", "created_at":
            f"2026-11-{1 + i % 28:02d}T10:00:00.000+00:00", "backend": ("fal", "offline")[i % 2],
            "endpoint_id": (LITE_T2V, PRO_T2V)[i % 2], "status": ("completed", "failed")[i % 7 == 0],
            "prompt": prompt, "arguments_json": json.dumps({"prompt": prompt, "seed": i}), "seed": str(i),
            "owner": f"owner-{i % 5}", "billed_to": ("server", "visitor")[i % 2], "estimated_cost_usd": "0.0875",
            "error": "boom\r\nagain" if i % 7 == 0 else ""}


def make_data_dir(data_dir: Path, catalog) -> None:
    """A data dir as today's app leaves it, written through the embedded store."""
    store = open_files(data_dir)
    for i in range(RUNS):
        store.runs.append(run_row(i))
    store.runs.update("run_id", f"{5:016x}", {"video_path": "/data/outputs/5.mp4"})  # a fetch-again
    for i in range(VOTES):
        store.votes.record(Vote(f"v{i:05d}", f"2026-11-23T10:{i // 60:02d}:{i % 60:02d}", f"{i % BATCHES:012x}",
                                f"p1-s{i % 4}", ODD[i % len(ODD)] if i % 50 == 0 else "a kite", i % 4,
                                ("lite", "pro", "tie", "none")[i % 4], ("lite", "pro"), i % 2 == 0, "fal",
                                ("ann", "bob", "")[i % 3]))
    for i in range(20):
        store.seed_checks.record(SeedCheck(f"c{i:03d}", "2026-12-01T10:00:00.000+00:00", LITE_T2V, "offline",
                                           f"r{i}", f"s{i}", i, "near", 40, 48, 37.25 if i % 2 else None))
    for i in range(BATCHES):
        snapshot = BatchSnapshot.from_dict({"batch_id": f"{i:012x}", "done": True,
                                            "cells": [{"prompt": ODD[i % len(ODD)], "seed": i}]})
        store.batches.save(snapshot, f"owner-{i % 2}", StoredSpec(prompts=(ODD[i % len(ODD)],), seeds=(i,)))
    presets = Presets(catalog, saved=store.presets)
    for name in ("Night drive", "Café noir", "🎬 square draft", "x" * 80):
        presets.save(name, LITE_T2V, {"prompt": f"{name}\u2028second line", "resolution": "480p"}, "a note")
    store.journal.add({"run_id": "inflight1", "created_at": "2026-11-23T10:00:00", "request_id": "req-1",
                       "key_fingerprint": "ab12", "resume": {"status_url": "https://q/x/status"},
                       "row": {"run_id": "inflight1", "endpoint_id": LITE_T2V, "prompt": "still running"}})
    store.journal.release("inflight1")
    (data_dir / "results.csv.set-aside.jsonl").write_text('{"line": 9, "why": "test", "text": "x"}\n')


def command(*arguments: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "playground", *arguments], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    return done.stdout


def preset_content(presets: Presets) -> list[tuple]:
    return [(p.name, p.endpoint_id, p.arguments, p.description, p.source) for p in presets.all]


def test_a_data_dir_moved_into_the_database_reads_the_same_and_exports_byte_for_byte(tmp_path, catalog, pg_database):
    old = tmp_path / "old-data"
    make_data_dir(old, catalog)
    env = {"PLAYGROUND_DATABASE_URL": pg_database, "PLAYGROUND_DATA_DIR": str(tmp_path / "media")}
    said = command("import", str(old), env=env)
    assert f"runs: {RUNS} added, 0 already there" in said and f"votes: {VOTES} added, 0 already there" in said
    assert "seed checks: 20 added" in said and f"batches: {BATCHES} added" in said and "presets: 4 added" in said
    assert "journal entries: 1 added" in said
    assert "1 unreadable row(s) of results.csv were set aside" in said  # said, not copied
    assert "postgresql+psycopg://postgres@127.0.0.1" in said

    embedded = open_files(old)
    os.environ["PLAYGROUND_DATABASE_URL"] = pg_database
    try:
        url = config.database_url()
    finally:
        del os.environ["PLAYGROUND_DATABASE_URL"]
    database = open_store(tmp_path / "media", url)
    try:
        pd.testing.assert_frame_equal(database.runs.read(), embedded.runs.read())
        apps = [Playground(catalog, tmp_path / name, store=store) for name, store in (("a", embedded), ("b", database))]
        before, after = (app.revisits for app in apps)
        boards = [app.compare.leaderboard("all").table for app in apps]  # the leaderboard, from every judge's votes
        pd.testing.assert_frame_equal(boards[1], boards[0])
        assert len(boards[0]) >= 2
        assert after.page(Filters(), 1) == before.page(Filters(), 1)  # History's first page, newest first
        assert after.page(Filters(text="shot 2999"), 1) == before.page(Filters(text="shot 2999"), 1)
        pd.testing.assert_frame_equal(database.votes.current(), embedded.votes.current())
        assert len(database.votes.current()) < VOTES  # changed votes are there, and do not count twice
        assert database.seed_checks.checks() == embedded.seed_checks.checks()
        for i in range(BATCHES):
            batch_id = f"{i:012x}"
            assert database.batches.load(batch_id, None) == embedded.batches.load(batch_id, None) is not None
        assert preset_content(Presets(catalog, saved=database.presets)) == \
            preset_content(Presets(catalog, saved=embedded.presets))
        assert database.journal.pending() == embedded.journal.pending() != []
    finally:
        database.close()

    again = command("import", str(old), env=env)
    for kind, count in (("runs", RUNS), ("votes", VOTES), ("seed checks", 20), ("batches", BATCHES), ("presets", 4),
                        ("journal entries", 1)):
        assert f"{kind}: 0 added, {count} already there" in again

    out = tmp_path / "export"
    said = command("export", "--out", str(out / "results.csv"), "--votes", str(out / "votes.csv"), env=env)
    assert f"{RUNS} row(s) from PostgreSQL at" in said
    assert (out / "results.csv").read_bytes() == (old / "results.csv").read_bytes()
    assert (out / "votes.csv").read_bytes() == (old / "votes.csv").read_bytes()
    embedded_export = tmp_path / "from-files"  # and from the embedded store, the same file
    command("export", "--out", str(embedded_export / "results.csv"), env={"PLAYGROUND_DATA_DIR": str(old)})
    assert (embedded_export / "results.csv").read_bytes() == (old / "results.csv").read_bytes()


def test_import_needs_a_database_and_a_data_dir(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PLAYGROUND_DATABASE_URL"}
    done = subprocess.run([sys.executable, "-m", "playground", "import", str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.returncode == 1 and "set PLAYGROUND_DATABASE_URL to the database to import into" in done.stderr
    done = subprocess.run([sys.executable, "-m", "playground", "import", str(tmp_path / "nowhere")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**env, "PLAYGROUND_DATABASE_URL": "postgresql://u:s3cret@127.0.0.1:1/x"})
    assert done.returncode == 1 and "is not a folder" in done.stderr and "s3cret" not in done.stderr
