"""One contract, both stores: every read and write the app does on its records, run against the embedded store
(files under a tmp data dir) and the PostgreSQL store (a fresh database on a throwaway cluster this test starts:
``pg_cluster.py``). "Another process" or "another replica" is a second store object opened on the same place.
Expected values are written out by hand."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from playground import config
from playground.compare.snapshot import BatchSnapshot
from playground.compare.spec import StoredSpec
from playground.config import PublicMode
from playground.errors import InputError, LimitError, PlaygroundError
from playground.guard import Guard
from playground.history import Filters, owned_by, select
from playground.presets import Presets
from playground.record import COLUMNS
from playground.revisit import Revisits
from playground.seed_checks import SeedCheck
from playground.store.open import open_store, shown_url
from playground.votes import Vote

from conftest import LITE_T2V, PRO_T2V

pytest_plugins = ["pg_cluster"]  # its fixtures: pg_cluster, pg_database
ROOT = Path(__file__).resolve().parent.parent
STORES = ["embedded", "postgresql"]
# (written, read back): every Unicode line break, a lone surrogate (kept as its escape, as the CSV always has), NUL,
# the private-use character the database escapes NUL with (alone and looking like an escape), 100k, empty
ODD = [("\n", "\n"), ("\r", "\r"), ("\r\n", "\r\n"), ("a\x0bb", "a\x0bb"), ("a\x0cb", "a\x0cb"), ("\x1c\x1d\x1e", "\x1c\x1d\x1e"),
       ("a\x85b", "a\x85b"), ("a\u2028b\u2029c", "a\u2028b\u2029c"), ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
       ("nul\x00inside", "nul\x00inside"), ("\x00", "\x00"), ("\ue000", "\ue000"), ("\ue0000\ue000m", "\ue0000\ue000m"),
       ("x" * 100_000, "x" * 100_000), ("", ""), ('"quoted", comma', '"quoted", comma')]
ODD_IDS = ["LF", "CR", "CRLF", "VT", "FF", "FS GS RS", "NEL", "LS PS", "surrogate", "NUL", "only NUL", "mark",
           "mark escapes", "100k", "empty", "quotes"]


@pytest.fixture(params=STORES)
def kind(request):
    return request.param


def _opener(kind, request, tmp_path, monkeypatch):
    """Opens store objects on one place (each like another process); closes them after the test."""
    url = None
    if kind == "postgresql":
        monkeypatch.setenv("PLAYGROUND_DATABASE_URL", request.getfixturevalue("pg_database"))
        url = config.database_url()
    opened = []

    def open_one(lease_s: float = 30.0):
        store = open_store(tmp_path / "data", url, lease_s)
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def opener(kind, request, tmp_path, monkeypatch):
    yield from _opener(kind, request, tmp_path, monkeypatch)


@pytest.fixture
def pg_opener(request, tmp_path, monkeypatch):
    """The same, on the PostgreSQL store only (what only it has: leases, a schema)."""
    yield from _opener("postgresql", request, tmp_path, monkeypatch)


def run_row(run_id: str, **values: str) -> dict[str, str]:
    return {"run_id": run_id, "endpoint_id": LITE_T2V, "status": "completed", **values}


def frame_of(rows: list[dict[str, str]]) -> pd.DataFrame:
    """What a log reads back, by hand: every column, in the log's order, text, missing ones empty."""
    return pd.DataFrame([[row.get(c, "") for c in COLUMNS] for row in rows], columns=COLUMNS, dtype=str)


# -- runs ---------------------------------------------------------------------------------------------------------
def test_runs_read_back_in_order_with_every_column_and_update_by_run_id(opener):
    runs = opener().runs
    assert runs.read().empty and list(runs.read().columns) == COLUMNS
    rows = [run_row("r2", prompt="second written first", seed="7"), run_row("r1", prompt="a kite", width="864"),
            run_row("r3", error="", billed_to="server", billed_cost_usd="0.0875")]
    for row in rows:
        runs.append(row)
    pd.testing.assert_frame_equal(runs.read(), frame_of(rows))
    assert runs.update("run_id", "r1", {"video_path": "/v/r1.mp4", "status": "completed"}) is True
    assert runs.update("run_id", "nope", {"video_path": "x"}) is False
    rows[1]["video_path"] = "/v/r1.mp4"
    pd.testing.assert_frame_equal(runs.read(), frame_of(rows))
    with pytest.raises(ValueError, match="unknown columns"):
        runs.append({"run_id": "r4", "api_key": "never"})
    with pytest.raises(ValueError, match="unknown columns"):
        runs.update("run_id", "r1", {"api_key": "never"})
    pd.testing.assert_frame_equal(opener().runs.read(), frame_of(rows))  # another process reads the same


def test_both_stores_give_the_same_frame(tmp_path, pg_database, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_DATABASE_URL", pg_database)
    embedded, database = open_store(tmp_path / "a"), open_store(tmp_path / "b", config.database_url())
    try:
        for store in (embedded, database):
            assert store.runs.read().empty
            for i, (written, _) in enumerate(ODD):
                store.runs.append(run_row(f"r{i}", prompt=written, seed=str(i)))
            store.runs.update("run_id", "r3", {"error": "fetched again", "prompt": "\x00changed"})
        pd.testing.assert_frame_equal(embedded.runs.read(), database.runs.read())
        pd.testing.assert_frame_equal(embedded.votes.read(), database.votes.read())  # empty logs alike too
    finally:
        database.close()


@pytest.mark.parametrize("written, read", ODD, ids=ODD_IDS)
def test_odd_text_comes_back_as_written(opener, written, read):
    store = opener()
    store.runs.append(run_row("r1", prompt=written, arguments_json=json.dumps({"prompt": written})))
    store.runs.append(run_row("r2", prompt="plain"))
    store.runs.update("run_id", "r2", {"error": written})
    again = opener().runs.read()  # a fresh reader: nothing from a cache
    assert again.prompt.tolist() == [read, "plain"] and again.error.tolist() == ["", read]
    assert json.loads(again.arguments_json[0])["prompt"] == written  # JSON escapes keep even the surrogate
    snapshot = BatchSnapshot.from_dict({"batch_id": "0123456789ab", "cells": [{"prompt": written, "seed": 7}]})
    store.batches.save(snapshot, "owner-a", StoredSpec(prompts=(written,)))
    kept = opener().batches.load("0123456789ab", "owner-a")
    assert kept.snapshot.cells[0].prompt == written and kept.spec.prompts == (written,)
    store.journal.add(entry("r9", prompt=written))
    assert opener().journal.read("r9")["row"]["prompt"] == written


def test_a_reader_sees_what_another_process_appended_and_changed(opener):
    writer, reader = opener(), opener()
    writer.runs.append(run_row("r1", prompt="first"))
    assert reader.runs.read().prompt.tolist() == ["first"]  # now cached by the reader
    writer.runs.append(run_row("r2", prompt="second"))
    writer.runs.update("run_id", "r1", {"prompt": "first, changed"})
    held = reader.runs.read()
    assert held.prompt.tolist() == ["first, changed", "second"]
    writer.runs.update("run_id", "r2", {"prompt": "second, changed"})
    assert reader.runs.read().prompt.tolist() == ["first, changed", "second, changed"]
    assert held.prompt.tolist() == ["first, changed", "second"]  # a frame handed out never changes under its holder


def test_appends_from_threads_of_two_processes_keep_every_row_once(opener):
    first, second = opener(), opener()
    errors = []

    def write(store, name):
        try:
            for i in range(100):
                store.runs.append(run_row(f"{name}-{i:03d}", prompt=f"{name} {i}"))
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(store, name)) for store, name in ((first, "a"), (second, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    run_ids = opener().runs.read().run_id.tolist()
    assert len(run_ids) == 200 and set(run_ids) == {f"{n}-{i:03d}" for n in "ab" for i in range(100)}
    for name in "ab":  # each writer's rows in the order it wrote them
        assert [r for r in run_ids if r.startswith(name)] == [f"{name}-{i:03d}" for i in range(100)]


# -- votes and seed checks -----------------------------------------------------------------------------------------
def vote(row: str, winner: str, judge: str, at: str, batch: str = "0123456789ab") -> Vote:
    return Vote(f"v-{row}-{judge}-{at}", at, batch, row, "a kite", 7, winner, ("lite", "pro"), False, "fal", judge)


def test_votes_each_judges_newest_counts(opener):
    votes = opener().votes
    given = [vote("p1-s7", "lite", "ann", "1"), vote("p1-s7", "pro", "bob", "2"), vote("p1-s7", "tie", "ann", "3"),
             vote("p1-s9", "none", "", "4"), vote("p1-s9", "pro", "", "5"), vote("p1-s7", "lite", "ann", "6", "ffff00000000")]
    for v in given:
        assert votes.record(v) == v
    other = opener().votes  # another replica
    counted = other.current()
    assert counted.vote_id.tolist() == ["v-p1-s7-bob-2", "v-p1-s7-ann-3", "v-p1-s9--5", "v-p1-s7-ann-6"]
    assert other.voted_rows("0123456789ab") == {"p1-s7", "p1-s9"}
    assert other.voted_rows("0123456789ab", "bob") == {"p1-s7"} and other.voted_rows("0123456789ab", "eve") == set()
    assert other.vote_on("0123456789ab", "p1-s7", "ann") == given[2]
    assert other.vote_on("0123456789ab", "p1-s9") == given[4]
    assert other.vote_on("0123456789ab", "p1-s9", "bob") is None
    assert other.read().judge.tolist() == ["ann", "bob", "ann", "", "", "ann"]


def test_seed_checks_read_back_as_records(opener):
    near = SeedCheck("c1", "2026-12-01T10:00:00.000+00:00", LITE_T2V, "offline", "r1", "r2", 7, "near", 40, 48, 37.25)
    same = SeedCheck("c2", "2026-12-01T10:01:00.000+00:00", PRO_T2V, "fal", "r3", "r4", 0, "identical", 48, 48, None)
    log = opener().seed_checks
    assert log.record(near) is near and log.record(same) is same
    assert opener().seed_checks.checks() == [near, same]


# -- kept batches and presets ----------------------------------------------------------------------------------------
def test_batches_by_owner_or_anyones(opener):
    store = opener()
    first = BatchSnapshot.from_dict({"batch_id": "0123456789ab", "done": False, "cells": [{"prompt": "a", "seed": 1}]})
    store.batches.save(first, "owner-a", StoredSpec(prompts=("a",)))
    done = BatchSnapshot.from_dict({"batch_id": "0123456789ab", "done": True, "cells": [{"prompt": "a", "seed": 1}]})
    store.batches.save(done, "owner-a", StoredSpec(prompts=("a",), seeds=(1,)))  # saved again as it runs
    other = opener().batches
    kept = other.load("0123456789ab", "owner-a")
    assert (kept.owner, kept.snapshot, kept.spec) == ("owner-a", done, StoredSpec(prompts=("a",), seeds=(1,)))
    assert other.load("0123456789ab", None).owner == "owner-a"  # a shared workspace: anyone's
    assert other.load("0123456789ab", "owner-b") is None and other.load("ffffffffffff", None) is None
    assert other.load("../../results", None) is None and other.batch_ids() == ["0123456789ab"]
    with pytest.raises(ValueError, match="not a batch id"):
        store.batches.save(BatchSnapshot.from_dict({"batch_id": "../x", "cells": []}), "owner-a", StoredSpec())


def test_a_preset_saved_on_one_replica_appears_on_another_after_reload(opener, catalog):
    here, there = Presets(catalog, saved=opener().presets), Presets(catalog, saved=opener().presets)
    built_in = [p.label for p in here.all]
    saved = here.save("Night drive ✨", LITE_T2V, {"prompt": "rain\u2028neon"}, "mine")
    assert saved.replaced is None and saved.preset.label == "Night drive ✨ (saved)"
    assert "Night drive ✨ (saved)" not in [p.label for p in there.all]
    there.reload()
    assert [p.label for p in there.all] == [*built_in, "Night drive ✨ (saved)"] and there.problems == []
    assert there.get("Night drive ✨ (saved)").arguments == {"prompt": "rain\u2028neon"}
    again = there.save("Night drive ✨", PRO_T2V, {"prompt": "moved"})
    assert again.replaced is not None and again.replaced.endpoint_id == LITE_T2V
    here.reload()
    assert here.get("Night drive ✨ (saved)").endpoint_id == PRO_T2V and len(here.all) == len(built_in) + 1
    assert Presets(catalog, saved=opener().presets).get("Night drive ✨ (saved)").arguments == {"prompt": "moved"}


# -- the in-flight journal -------------------------------------------------------------------------------------------
def entry(run_id: str, created: str = "2026-11-23T10:00:00", prompt: str = "p") -> dict:
    return {"run_id": run_id, "created_at": created, "request_id": f"req-{run_id}", "key_fingerprint": "ab12",
            "resume": {"status_url": "https://q/x/status"}, "row": {"run_id": run_id, "endpoint_id": LITE_T2V,
                                                                     "prompt": prompt}}


def test_journal_add_read_pending_remove(opener):
    journal = opener().journal
    assert journal.pending() == [] and journal.read("a") is None
    journal.add(entry("b", "2026-11-23T10:00:02"))
    journal.add(entry("a", "2026-11-23T10:00:01"))
    journal.add({**entry("b", "2026-11-23T10:00:02"), "request_id": "req-b2"})  # rewritten with fal's request id
    other = opener().journal
    assert [e["run_id"] for e in other.pending()] == ["a", "b"]  # oldest first
    assert other.read("b")["request_id"] == "req-b2" and other.read("a") == entry("a", "2026-11-23T10:00:01")
    journal.remove("a")
    journal.remove("a")  # twice is harmless
    assert [e["run_id"] for e in other.pending()] == ["b"] and other.read("a") is None
    for bad in ("../escape", "", "x" * 65):
        with pytest.raises(ValueError):
            journal.add(entry(bad))


def test_a_claim_is_refused_while_another_process_holds_it_and_granted_after_release(opener):
    first, second = opener().journal, opener().journal
    first.add(entry("r1"))  # adding holds it
    assert first.claim("r1") is False  # held already, here too
    assert second.claim("r1") is False
    with pytest.raises(ValueError, match="owned by another process"):
        second.add(entry("r1"))
    assert second.read("r1") == entry("r1")  # reading is for anyone
    first.release("r1")
    assert second.claim("r1") is True and first.claim("r1") is False
    second.remove("r1")
    assert first.pending() == [] and first.claim("r1") is True  # a claim may come before its entry
    first.release("r1")
    assert second.pending() == [] and second.claim("r1") is True


def test_a_lease_is_kept_alive_by_its_heartbeat_and_lapses_without_it(pg_opener):
    """(The embedded store's hold is a file lock, dropped by the kernel when its process dies: test_restart.py.)"""
    first, second = pg_opener(lease_s=1.0), pg_opener(lease_s=1.0)
    first.journal.add(entry("r1"))
    time.sleep(2.5)  # over two TTLs: only the heartbeat keeps it
    assert second.journal.claim("r1") is False
    first.journal.entries.stop_heartbeat()  # as if first had died
    deadline = time.monotonic() + 10
    while not second.journal.claim("r1"):
        assert time.monotonic() < deadline, "the lapsed lease was never granted"
        time.sleep(0.2)
    with pytest.raises(ValueError, match="owned by another process"):
        first.journal.add(entry("r1"))  # the old holder can no longer write it
    second.journal.add({**entry("r1"), "request_id": "req-new"})
    assert first.journal.read("r1")["request_id"] == "req-new"


def test_a_claim_whose_holder_died_before_writing_it_is_forgotten(pg_opener):
    """A claim comes before its entry; a holder that dies between the two leaves a row with no entry: once its lease
    lapses, the next look at the journal forgets it (a live claim stays)."""
    import sqlalchemy

    dead, alive, looker = pg_opener(lease_s=1.0), pg_opener(lease_s=1.0), pg_opener()
    assert dead.journal.claim("r-dead") and alive.journal.claim("r-alive")
    dead.journal.entries.stop_heartbeat()
    time.sleep(2.5)  # over two TTLs: only the live holder's heartbeat kept its claim
    assert looker.journal.pending() == []
    with dead.journal.entries.engine.connect() as connection:
        kept = connection.execute(sqlalchemy.text("SELECT run_id FROM playground_journal ORDER BY run_id")).scalars()
        assert list(kept) == ["r-alive"]
    assert looker.journal.claim("r-alive") is False and looker.journal.claim("r-dead") is True


# -- public-mode admissions ------------------------------------------------------------------------------------------
ADMITTING = PublicMode(on=True, share_server_key=True, session_cap_usd=0.5, daily_cap_usd=1.0, session_concurrency=2,
                       session_runs_per_hour=5)
TODAY = "2027-01-15"  # the day of Clock's first moment, 1_800_000_000 s after the epoch (UTC)


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


def guards(opener, public: PublicMode = ADMITTING, replicas: int = 1, lease_s: float = 30.0):
    """A Guard per replica (each over a store object of its own, one clock for all)."""
    clock = Clock()
    stores = [opener(lease_s) for _ in range(replicas)]
    return [Guard(public, store.runs, clock, store.admissions) for store in stores]


def test_admissions_hold_a_visitors_slots_and_rate(opener):
    (guard,) = guards(opener)
    first = guard.admit("a", 0, False)
    guard.admit("a", 0, False)
    with pytest.raises(LimitError, match="at most 2 at once"):
        guard.admit("a", 0, False)
    guard.admit("b", 0, False).release()  # another visitor is not affected
    first.release()
    first.release()  # releasing twice gives back one slot only
    guard.admit("a", 0, False)
    with pytest.raises(LimitError, match="at most 2 at once"):
        guard.admit("a", 0, False)
    guard.clock.now += 3601  # an hour on: the rate is free again, the slots still taken
    with pytest.raises(LimitError, match="you already have 2 run"):
        guard.admit("a", 0, False)


def test_admissions_hold_the_rate_per_hour(opener):
    (guard,) = guards(opener)
    for _ in range(5):
        guard.admit("a", 0, False).release()
    with pytest.raises(LimitError, match="at most 5 runs an hour"):
        guard.admit("a", 0, False)
    with pytest.raises(LimitError, match="at most 5 runs an hour"):
        guard.check("a", 0, False, runs=1)
    guard.check("b", 0, False, runs=5)
    guard.clock.now += 3601
    guard.admit("a", 0, False)


def test_admissions_count_spend_on_the_shared_key(opener):
    (guard,) = guards(opener)
    guard.admit("a", 0.3, True).release()
    with pytest.raises(LimitError, match=r"\$0.50 per-visitor cap"):
        guard.admit("a", 0.3, True)
    guard.admit("a", 0.3, False).release()  # the visitor's own key: no spend cap
    guard.results.append(run_row("old", created_at=f"{TODAY}T01:00:00.000+00:00", billed_to="server",
                                 estimated_cost_usd="0.6"))
    held = guard.admit("b", 0.1, True)  # 0.6 logged + 0.1 in flight (released tickets are in the log, or ended)
    assert guard.spent_today() == pytest.approx(0.7)
    with pytest.raises(LimitError, match=r"\$1.00 daily cap \(\$0.7000 used today\)"):
        guard.admit("c", 0.31, True)
    last = guard.admit("c", 0.3, True)  # exactly at the cap is allowed
    held.release()
    assert guard.spent_today() == pytest.approx(0.9)
    last.release()
    guard.clock.now += 86_400  # a new day
    assert guard.spent_today() == pytest.approx(0.0)
    guard.admit("d", 0.2, True)


def test_todays_spend_reads_the_log_alike_in_both_stores(opener):
    (guard,) = guards(opener)
    rows = [("0.05", "0.1", "server", TODAY), ("", "0.2", "server", TODAY), ("abc", "0.3", "server", TODAY),
            ("", "", "server", TODAY), ("1e-2", "9", "server", TODAY), ("", "5", "server", "2027-01-14"),
            ("", "9", "visitor", TODAY), ("", "7", "", TODAY), ("0.04", "1", "server", "")]
    for i, (billed, estimated, billed_to, day) in enumerate(rows):
        guard.results.append(run_row(f"r{i}", created_at=f"{day}T23:59:59.000+00:00" if day else "",
                                     billed_to=billed_to, billed_cost_usd=billed, estimated_cost_usd=estimated))
    assert guard.spent_today() == pytest.approx(0.05 + 0.2 + 0.3 + 0 + 0.01)  # billed where known, else estimated


def test_a_batch_cell_waits_for_a_slot_and_is_refused_at_the_cap(opener):
    (guard,) = guards(opener)
    guard.check("a", 0.4, True, runs=3)

    async def cells():
        held = [await guard.admit_waiting("a", 0.15, True) for _ in range(2)]
        waiting = asyncio.create_task(guard.admit_waiting("a", 0.15, True))
        await asyncio.sleep(0.5)
        assert not waiting.done()  # the third cell waits for a slot instead of failing
        held[0].release()
        third = await asyncio.wait_for(waiting, 5)
        third.release()
        with pytest.raises(LimitError, match="per-visitor cap"):  # 0.45 spent: a fourth would pass 0.50
            await guard.admit_waiting("a", 0.15, True)
        return third

    assert asyncio.run(cells()).reserved_usd == 0.15


def test_two_replicas_never_pass_the_daily_cap_together(pg_opener):
    """Twenty runs of $0.10 asked at once on two replicas under a $1.00 daily cap: ten are let in, in all."""
    public = PublicMode(on=True, share_server_key=True, session_cap_usd=100, daily_cap_usd=1.0,
                        session_concurrency=100, session_runs_per_hour=1000)
    first, second = guards(pg_opener, public, replicas=2)
    start, admitted, refused = threading.Barrier(20), [], []

    def ask(guard, visitor):
        start.wait()
        try:
            admitted.append(guard.admit(visitor, 0.1, True))
        except LimitError as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=ask, args=(guard, f"v{i}")) for i in range(10) for guard in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(admitted) == 10 and sum(t.reserved_usd for t in admitted) == pytest.approx(1.0)
    assert len(refused) == 10 and all("$1.00 daily cap" in r for r in refused)
    assert first.spent_today() == pytest.approx(1.0) and second.spent_today() == pytest.approx(1.0)


def test_a_visitors_slots_are_shared_by_replicas_and_a_dead_replicas_tickets_lapse(pg_opener):
    first, second = guards(pg_opener, replicas=2, lease_s=1.0)
    first.admit("a", 0.2, True)
    first.admit("a", 0.2, True)
    time.sleep(2.5)  # over two TTLs: the heartbeat keeps the tickets
    with pytest.raises(LimitError, match="you already have 2 run"):
        second.admit("a", 0, False)
    assert second.spent_today() == pytest.approx(0.4)
    first.admissions.stop_heartbeat()  # as if the first replica had died
    deadline = time.monotonic() + 10
    while second.admissions.tally("a", second.clock()).in_flight:
        assert time.monotonic() < deadline, "a dead replica's tickets never lapsed"
        time.sleep(0.2)
    assert second.spent_today() == pytest.approx(0.0)  # its runs count again once recovery logs them
    second.admit("a", 0, False)
    with pytest.raises(LimitError, match="per-visitor cap"):  # what the visitor was let spend still counts
        second.admit("a", 0.2, True)


# -- PostgreSQL only: schema, settings, secrets, imports -------------------------------------------------------------
def test_the_schema_is_made_once_and_a_new_record_column_is_added(pg_database, monkeypatch, tmp_path):
    import sqlalchemy

    monkeypatch.setenv("PLAYGROUND_DATABASE_URL", pg_database)
    url = config.database_url()
    open_store(tmp_path, url).close()
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text("ALTER TABLE playground_votes DROP COLUMN judge"))  # as an older version
    store = open_store(tmp_path, url)  # and again: nothing made twice, the missing column added back
    store.votes.record(vote("p1-s7", "lite", "ann", "1"))
    assert store.votes.read().judge.tolist() == ["ann"]
    store.close()
    with engine.begin() as connection:
        assert connection.execute(sqlalchemy.text("SELECT version FROM playground_schema_version")).all() == [(1,), (2,)]
        connection.execute(sqlalchemy.text("INSERT INTO playground_schema_version (version) VALUES (3)"))
    engine.dispose()
    with pytest.raises(PlaygroundError, match="schema version 3, newer than this version of the app knows"):
        open_store(tmp_path, url)


def test_a_database_made_by_the_version_before_admissions_is_brought_up_to_date(pg_database, monkeypatch, tmp_path):
    """Version 1 (the first PostgreSQL store) had no admissions table: opening it adds the table and its index."""
    import sqlalchemy

    monkeypatch.setenv("PLAYGROUND_DATABASE_URL", pg_database)
    url = config.database_url()
    open_store(tmp_path, url).close()
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:  # as version 1 left it
        connection.execute(sqlalchemy.text("DROP TABLE playground_admissions"))
        connection.execute(sqlalchemy.text("DROP INDEX playground_runs_server_day"))
        connection.execute(sqlalchemy.text("DELETE FROM playground_schema_version WHERE version = 2"))
    store = open_store(tmp_path, url)
    try:
        guard = Guard(ADMITTING, store.runs, Clock(), store.admissions)
        guard.admit("a", 0.1, True)
        assert guard.spent_today() == pytest.approx(0.1)
    finally:
        store.close()
    with engine.begin() as connection:
        assert connection.execute(sqlalchemy.text("SELECT max(version) FROM playground_schema_version")).scalar() == 2
        indexes = connection.execute(sqlalchemy.text("SELECT indexname FROM pg_indexes WHERE tablename = "
                                                     "'playground_runs'")).scalars().all()
    engine.dispose()
    assert "playground_runs_server_day" in indexes


def test_a_row_whose_key_is_kept_already_is_not_added_twice(pg_opener, caplog):
    """Where the database differs from a CSV file on purpose: a run, vote or check id is kept once (two replicas
    finishing one run log it once); the CSV, with no index, would take the row again."""
    first, second = pg_opener(), pg_opener()
    first.runs.append(run_row("r1", prompt="first"))
    second.runs.append(run_row("r1", prompt="again"))
    first.runs.append(run_row("", prompt="no id"))
    first.runs.append(run_row("", prompt="no id either"))  # only ids that are given are unique
    assert second.runs.read().prompt.tolist() == ["first", "no id", "no id either"]
    assert "a row with run_id 'r1' is kept already; this one was not added" in caplog.text


@pytest.mark.parametrize("raw, expected", [
    ("", None), ("  ", None),
    ("postgresql://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("PostgreSQL://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db?sslmode=require", "postgresql+psycopg://u@h/db?sslmode=require"),
])
def test_the_database_url_setting(monkeypatch, raw, expected):
    monkeypatch.setenv("PLAYGROUND_DATABASE_URL", raw)
    assert config.database_url() == expected


@pytest.mark.parametrize("raw", ["mysql://root:s3cret@h/db", "s3cret", "root:s3cret@h/db", "postgresql://"])
def test_a_database_url_that_is_not_postgresql_is_refused_without_its_secret(monkeypatch, raw):
    monkeypatch.setenv("PLAYGROUND_DATABASE_URL", raw)
    with pytest.raises(PlaygroundError, match="must be a PostgreSQL URL") as refused:
        config.database_url()
    assert "s3cret" not in str(refused.value)


def test_a_database_that_cannot_be_reached_stops_start_up_without_its_password(tmp_path, caplog):
    from pg_cluster import _free_port

    url = f"postgresql+psycopg://app:s3cret-pw@127.0.0.1:{_free_port()}/db"  # nothing listens there
    with pytest.raises(PlaygroundError, match="the database cannot be used") as refused:
        open_store(tmp_path, url)
    assert "s3cret-pw" not in str(refused.value) and "app:***@127.0.0.1" in str(refused.value)
    assert "s3cret-pw" not in caplog.text
    assert shown_url("postgresql+psycopg://app:p%40ss@db.example:6543/x") == "postgresql+psycopg://app:***@db.example:6543/x"


def test_the_app_loads_sqlalchemy_only_with_a_database(tmp_path):
    program = ("import sys\nfrom playground.service import create_playground\ncreate_playground()\n"
               "print(sorted(m for m in ('sqlalchemy', 'psycopg') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PLAYGROUND_DATA_DIR": str(tmp_path / "data"),
                               "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_run_through_the_app_is_kept_in_the_database(catalog, pg_database, monkeypatch, tmp_path):
    import asyncio

    from playground.backends.offline import OfflineBackend
    from playground.service import Playground

    monkeypatch.setenv("PLAYGROUND_DATABASE_URL", pg_database)
    store = open_store(tmp_path / "data", config.database_url())
    playground = Playground(catalog, tmp_path / "data", offline=OfflineBackend(step_delay_s=0), store=store)

    async def run():
        return [item async for item in playground.generate(LITE_T2V, {"prompt": "a kite\x00", "seed": 3})][-1]

    try:
        record = asyncio.run(run())
        assert record.status == "completed"
        assert not (tmp_path / "data" / "results.csv").exists()  # the row is in the database, the video a file
        assert Path(record.video_path).is_file()
        rows = open_store(tmp_path / "other", config.database_url()).runs.read()
        assert rows.run_id.tolist() == [record.run_id] and rows.prompt.tolist() == ["a kite\x00"]
        assert playground.journal.pending() == []
    finally:
        store.close()


# -- History's pages ----------------------------------------------------------------------------------------------
PAGED_ROWS = [run_row(f"r{n:02d}", endpoint_id=(LITE_T2V, PRO_T2V)[n % 2], status=("completed", "failed")[n % 3 == 0],
                      backend=("offline", "fal")[n % 4 == 0], batch_id=("", "b100%_x", "b100a", f"c{n}")[n % 4],
                      owner=("alice", "bob", "\x00odd\ue000")[n % 3], prompt=ODD[n % len(ODD)][0])
              for n in range(30)]
# (filters, owners or None for a shared workspace, page asked) → the run ids shown, newest first, worked out by hand
PAGES = [
    (Filters(), None, 1, [f"r{n:02d}" for n in range(29, 17, -1)]),
    (Filters(), None, 3, [f"r{n:02d}" for n in range(5, -1, -1)]),
    (Filters(), None, 9, [f"r{n:02d}" for n in range(5, -1, -1)]),  # past the last page: the last page
    (Filters(endpoint_id=PRO_T2V), None, 2, ["r05", "r03", "r01"]),
    (Filters(status="failed", backend="fal"), None, 1, ["r24", "r12", "r00"]),
    (Filters(batch_id=" b100% "), None, 1, [f"r{n:02d}" for n in range(29, 0, -4)]),  # "%" is no wildcard
    (Filters(batch_id="b100"), None, 1, [f"r{n:02d}" for n in range(29, 0, -1) if n % 4 in (1, 2)][:12]),
    (Filters(), frozenset({"\x00odd\ue000"}), 1, ["r29", "r26", "r23", "r20", "r17", "r14", "r11", "r08", "r05",
                                                 "r02"]),
    (Filters(endpoint_id=LITE_T2V), frozenset({"alice", "bob"}), 1, ["r28", "r24", "r22", "r18", "r16", "r12",
                                                                     "r10", "r06", "r04", "r00"]),
    (Filters(), frozenset(), 1, []),
    (Filters(endpoint_id="no such endpoint"), None, 1, []),
    (Filters(text="NUL"), None, 1, ["r25", "r09"]),  # sought in the cached frame, case-insensitive as pandas does
    # odd filter text matches nothing and breaks nothing: every line break, a lone surrogate, NUL, the mark, 100k
    *((Filters(batch_id=odd, endpoint_id=odd), None, 1, []) for odd in
      ["\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029", "lone \ud800", "\x00", "\ue000", "b" * 100_000]),
]


@pytest.mark.parametrize("filters,owners,number,shown", PAGES)
def test_history_shows_the_same_page_from_either_store(kind, opener, monkeypatch, filters, owners, number, shown):
    """A database pages itself (two small queries, never every row read); files page the cached frame. Both show
    the same runs, pages and count; an owner's or a filter's odd characters are matched exactly."""
    runs = opener().runs
    for row in PAGED_ROWS:
        runs.append(row)
    revisits = Revisits(None, runs, opener().seed_checks, Path("exports"), own_rows_only=owners is not None)
    read = runs.rows.read
    if kind == "postgresql" and not filters.text:
        monkeypatch.setattr(runs.rows, "read", lambda: pytest.fail("every row read for one page"))
    records, page_number, pages, total = revisits.page(filters, number, 12, owners or frozenset())
    monkeypatch.setattr(runs.rows, "read", read)
    assert [record.run_id for record in records] == shown
    matching = len(select(owned_by(runs.read(), owners), filters))
    assert (page_number, pages, total) == (min(number, max(1, -(-matching // 12))), max(1, -(-matching // 12)),
                                           matching)
    assert [record.prompt for record in records] == [ODD[int(run_id[1:]) % len(ODD)][1] for run_id in shown]


@pytest.mark.parametrize("own_rows_only,owners,run_id,found", [
    (False, frozenset(), "r07", True), (True, frozenset({"bob"}), "r07", True),
    (True, frozenset({"alice"}), "r07", False), (True, frozenset({"\x00odd\ue000"}), "r08", True),
    (False, frozenset(), "nope", False), (False, frozenset(), "", False), (False, frozenset(), "r0%", False)])
def test_a_chosen_run_is_found_by_its_id_only_by_who_may_see_it(kind, opener, monkeypatch, own_rows_only, owners,
                                                               run_id, found):
    runs = opener().runs
    for row in PAGED_ROWS:
        runs.append(row)
    revisits = Revisits(None, runs, opener().seed_checks, Path("exports"), own_rows_only=own_rows_only)
    if kind == "postgresql":
        monkeypatch.setattr(runs.rows, "read", lambda: pytest.fail("every row read for one run"))
    if found:
        record = revisits.record(run_id, owners)
        assert (record.run_id, record.prompt) == (run_id, ODD[int(run_id[1:]) % len(ODD)][1])
    else:
        with pytest.raises(InputError, match="choose one of your runs"):
            revisits.record(run_id, owners)
