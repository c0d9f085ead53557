"""Several replicas, one workspace (issue 25, must-show 2): two app processes started as users start them
(`python app.py`) on one PostgreSQL database (a throwaway cluster this test starts) and one shared data dir, both on
the fake fal. A batch run on one is voted on, extended and exported on the other; 200 votes sent to both at once are
200 rows; a daily cap holds across both; kill -9 of one mid-batch, and the other finishes its paid requests, each
sent to fal once, each with its row and its video."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from gradio_client import Client
from nginx_kit import PROXY, running

from app_process import AppProcess, free_port
from conftest import FAKE, LITE_T2V, PRO_FAST_T2V, SERVER_KEY, Script
from test_restart import _wait

pytest_plugins = ["pg_cluster"]
ARGS = {"resolution": "480p", "duration": "2"}
BASE = {"prompts": ["two replicas, one kite"], "endpoints": [LITE_T2V, PRO_FAST_T2V], "seeds": [1], "arguments": ARGS}
# lite text-to-video, 480p 16:9 (864 × 480), 2 s: tokens = 864 · 480 · 24 fps · 2 s / 1024 = 19,440 at $1.80 per
# million (reference: fal-endpoints.md, "v1 token pricing" and 1a)
LITE_2S_USD = 864 * 480 * 24 * 2 / 1024 * 1.8e-6  # $0.034992


def _replicas(tmp_path: Path, database_url: str, **settings: str) -> list[AppProcess]:
    """Two apps on one database and one data dir (started at once: replicas set the schema up together)."""
    env = {**FAKE.env(), "FAL_KEY": SERVER_KEY, "PLAYGROUND_DATABASE_URL": database_url, **settings}
    apps = [AppProcess(tmp_path / "data", env, tmp_path / f"console-{name}.log") for name in "ab"]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda app: app.start(), apps))
    return apps


def _query(database_url: str, sql: str) -> pd.DataFrame:
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        return pd.DataFrame(cursor.fetchall(), columns=[column.name for column in cursor.description])


def _runs(database_url: str) -> pd.DataFrame:
    return _query(database_url, "SELECT run_id, batch_id, endpoint_id, prompt, seed, status, request_id, error, "
                                "estimated_cost_usd FROM playground_runs ORDER BY _seq")


def _journaled(database_url: str) -> int:
    """Paid requests the journal holds with fal's request id."""
    bodies = _query(database_url, "SELECT body FROM playground_journal WHERE body IS NOT NULL").body
    return sum(1 for body in bodies if json.loads(body).get("request_id"))


def _paid(fake_fal) -> Counter:
    """Each endpoint × seed fal was asked to run, with how many times."""
    return Counter((job.endpoint_id, job.body.get("seed")) for job in fake_fal.jobs.values())


@pytest.fixture(scope="module")
def workspace(pg_cluster, tmp_path_factory):
    """A private deployment (the server's key) on two replicas: (app a, app b, database URL, data dir)."""
    tmp_path, url = tmp_path_factory.mktemp("replicas"), pg_cluster.new_database()
    apps = _replicas(tmp_path, url)
    yield *apps, url, tmp_path / "data"
    for app in apps:
        app.stop()


def test_a_batch_run_on_one_replica_is_voted_extended_and_exported_on_the_other(workspace, fake_fal):
    app_a, app_b, url, data_dir = workspace
    on_a, on_b = Client(app_a.url, verbose=False), Client(app_b.url, verbose=False)
    batch = on_a.predict(json.dumps(BASE), api_name="/compare")
    assert [c["status"] for c in batch["cells"]] == ["completed", "completed"]
    vote = on_b.predict(batch["batch_id"], "1 × 1", "A", "Grace", api_name="/vote")
    assert vote["winner"] == LITE_T2V and vote["judge"] == "Grace"
    extended = on_b.predict(json.dumps({**BASE, "seeds": [1, 2], "extend": batch["batch_id"]}), api_name="/compare")
    assert extended["batch_id"] == batch["batch_id"] and extended["origins"] == {"new": 2, "reused": 0, "kept": 2}
    assert {c["status"] for c in extended["cells"]} == {"completed"}
    assert set(_paid(fake_fal).values()) == {1} and len(_paid(fake_fal)) == 4  # each cell paid once
    exported = Path(on_b.predict(batch["batch_id"], "1 × 2", "", api_name="/export_row"))
    assert exported.suffix == ".mp4" and exported.stat().st_size > 0
    assert list((data_dir / "exports").glob(f"*{batch['batch_id']}*.mp4"))  # kept under the shared data dir
    back_on_a = on_a.predict(batch["batch_id"], "1 × 2", "B", "Grace", api_name="/vote")  # A sees B's extension
    assert back_on_a["winner"] == PRO_FAST_T2V
    runs = _runs(url)
    assert len(runs) == 4 and runs.run_id.is_unique and set(runs.batch_id) == {batch["batch_id"]}
    assert all((data_dir / "outputs" / f"{run_id}.mp4").is_file() for run_id in runs.run_id)


def test_two_hundred_votes_sent_to_both_replicas_at_once_are_two_hundred_rows(workspace, fake_fal):
    app_a, app_b, url, _ = workspace
    batch = Client(app_a.url, verbose=False).predict(json.dumps({**BASE, "seeds": [9]}), api_name="/compare")
    judges = [f"judge {i:03d}" for i in range(200)]
    start = threading.Barrier(8)

    def send(worker: int) -> list[dict]:
        client = Client((app_a, app_b)[worker % 2].url, verbose=False)  # half of the workers on each replica
        start.wait()
        return [client.predict(batch["batch_id"], "1 × 9", "AB"[number % 2], judges[number], api_name="/vote")
                for number in range(worker, 200, 8)]  # even judges say A, odd ones B

    with ThreadPoolExecutor(8) as pool:
        answers = [answer for part in pool.map(send, range(8)) for answer in part]
    assert sorted(a["judge"] for a in answers) == judges
    votes = _query(url, "SELECT vote_id, judge, winner FROM playground_votes WHERE batch_id = "
                        f"'{batch['batch_id']}'")
    assert len(votes) == 200 and votes.vote_id.is_unique and sorted(votes.judge) == judges  # none lost or doubled
    assert Counter(votes.winner) == {LITE_T2V: 100, PRO_FAST_T2V: 100}
    for app in (app_a, app_b):  # each replica's leaderboard counts every one of them
        board = Client(app.url, verbose=False).predict(json.dumps({"backend": "fal"}), api_name="/leaderboard")
        wins = {row["endpoint_id"]: row["wins"] for row in board}
        assert wins[LITE_T2V] >= 100 and wins[PRO_FAST_T2V] >= 100


def test_a_daily_cap_is_never_passed_by_both_replicas_together(pg_database, tmp_path, fake_fal):
    """Twelve runs on the shared key fired at both replicas at once (held running on fal, so none is logged yet)
    under a $0.10 daily cap: two runs of $0.035 fit, a third would pass it."""
    fake_fal.reset(default=Script(hold=True))
    apps = _replicas(tmp_path, pg_database, PLAYGROUND_PUBLIC="1", PLAYGROUND_SHARE_SERVER_KEY="1",
                     PLAYGROUND_DAILY_CAP_USD="0.10", PLAYGROUND_SESSION_CAP_USD="100",
                     PLAYGROUND_SESSION_CONCURRENCY="50", PLAYGROUND_SESSION_RUNS_PER_HOUR="1000")
    try:
        clients = [Client(apps[i % 2].url, verbose=False) for i in range(12)]
        start = threading.Barrier(12)
        refused: list[str] = []
        jobs = []

        def fire(i: int) -> None:
            start.wait()
            job = clients[i].submit(LITE_T2V, json.dumps({**ARGS, "prompt": f"capped {i}", "seed": i}),
                                    api_name="/generate")
            jobs.append(job)
            try:
                job.result(timeout=120)
            except Exception as exc:  # noqa: BLE001  (the refusals are read below)
                refused.append(str(exc))

        threads = [threading.Thread(target=fire, args=(i,)) for i in range(12)]
        for thread in threads:
            thread.start()
        _wait(lambda: len(refused) == 10, 120, "ten refusals")
        _wait(lambda: len(fake_fal.jobs) == 2 and all(j.followed for j in fake_fal.jobs.values()), 30,
              "two runs on fal")
        assert all("$0.10 daily cap" in message for message in refused), refused
        fake_fal.release()
        for thread in threads:
            thread.join(120)
        runs = _runs(pg_database)
        assert len(runs) == 2 and set(runs.status) == {"completed"} and len(fake_fal.jobs) == 2
        spent = pd.to_numeric(runs.estimated_cost_usd).sum()
        assert spent == pytest.approx(2 * LITE_2S_USD, abs=1e-6) and spent <= 0.10
        again = Client(apps[1].url, verbose=False)  # the logged spend counts on the other replica too
        with pytest.raises(Exception, match=r"\$0.10 daily cap \(\$0.0700 used today\)"):
            again.predict(LITE_T2V, json.dumps({**ARGS, "prompt": "one more"}), api_name="/generate")
        assert len(fake_fal.jobs) == 2
    finally:
        fake_fal.release()
        for app in apps:
            app.stop()


def test_kill_9_of_one_replica_mid_batch_and_the_other_finishes_its_paid_requests(pg_database, tmp_path, fake_fal):
    fake_fal.reset(default=Script(hold=True))  # the batch's cells stay running on fal until released
    apps = _replicas(tmp_path, pg_database, PLAYGROUND_JOURNAL_LEASE_S="3", PLAYGROUND_BATCH_CONCURRENCY="2")
    app_a, app_b = apps
    data_dir = tmp_path / "data"
    spec = {**BASE, "seeds": [1, 2]}  # four cells, two at a time: two paid and held, two waiting, at the kill
    try:
        Client(app_a.url, verbose=False).submit(json.dumps(spec), api_name="/compare")
        _wait(lambda: len(fake_fal.jobs) == 2 and all(j.followed for j in fake_fal.jobs.values()), 60,
              "two cells running on fal")
        _wait(lambda: _journaled(pg_database) == 2, 30, "both requests journaled with their request ids")
        app_a.kill()
        asked = {request_id: job.status_requests + job.streams for request_id, job in fake_fal.jobs.items()}
        _wait(lambda: all(fake_fal.jobs[r].status_requests + fake_fal.jobs[r].streams > asked[r] for r in asked), 30,
              "the other replica following both requests")  # A's leases lapsed (3 s): B's sweep took them up
        fake_fal.release()
        _wait(lambda: len(_runs(pg_database)) == 2, 60, "both rows")
        _wait(lambda: _query(pg_database, "SELECT run_id FROM playground_journal").empty, 30, "an empty journal")
        runs = _runs(pg_database)
        assert sorted(runs.request_id) == sorted(fake_fal.jobs) and set(runs.status) == {"completed"}
        assert all((data_dir / "outputs" / f"{run_id}.mp4").is_file() for run_id in runs.run_id)
        assert "finishing them" in app_b.output()
        fake_fal.default = Script()  # B completes the batch: only the two cells never sent are paid for
        batch = runs.batch_id.iloc[0]
        done = Client(app_b.url, verbose=False).predict(json.dumps({**spec, "extend": batch}), api_name="/compare")
        assert done["origins"] == {"new": 2, "reused": 0, "kept": 2}
        assert {c["status"] for c in done["cells"]} == {"completed"}
        assert set(_paid(fake_fal).values()) == {1} and len(_paid(fake_fal)) == 4  # each paid request sent once
        runs = _runs(pg_database)
        assert len(runs) == 4 and runs.run_id.is_unique
        assert all((data_dir / "outputs" / f"{run_id}.mp4").is_file() for run_id in runs.run_id)
    finally:
        fake_fal.release()
        for app in apps:
            app.stop()


# -- behind nginx: session affinity (the README's two-replica deployment) ---------------------------------------------
# As the README shows it: a visitor stays on one replica by a cookie the proxy sets on their first request (its value
# their address then), and a client that keeps no cookie (gradio_client, curl) by its address.
ROUTED = "log_format routed '$upstream_addr $status $request';\n  access_log {tmp}/access.log routed;"
SERVERS = """  map $cookie_playground_replica $playground_replica {{ "" $remote_addr; default $cookie_playground_replica; }}
  map $cookie_playground_replica $playground_replica_cookie {{
    "" "playground_replica=$remote_addr; Path=/; HttpOnly; SameSite=Lax"; default ""; }}
  upstream playground {{ hash $playground_replica consistent; server 127.0.0.1:{a}; server 127.0.0.1:{b}; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{ proxy_pass http://playground; add_header Set-Cookie $playground_replica_cookie always; {proxy} }}
  }}
  server {{
    listen 127.0.0.1:{split_port};
    location = /gradio_api/queue/join {{ proxy_pass http://127.0.0.1:{b}; {proxy} }}
    location / {{ proxy_pass http://127.0.0.1:{a}; {proxy} }}
  }}"""


@pytest.fixture(scope="module")
def proxy(workspace, tmp_path_factory):
    """Debian nginx in front of both replicas: (with affinity, without it — a call's join on B, everything else on A,
    as round robin does whenever a call's two requests alternate —, the access log)."""
    app_a, app_b, _, _ = workspace
    tmp, port, split_port = tmp_path_factory.mktemp("nginx"), free_port(), free_port()
    servers = SERVERS.format(port=port, split_port=split_port, a=app_a.port, b=app_b.port, proxy=PROXY)
    with running(tmp, servers, [port, split_port], access_log=ROUTED):
        yield f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{split_port}/", tmp / "access.log"


def _replicas_seen(access_log: Path, since: int) -> set[int]:
    """The ports of the replicas that served the requests logged after line ``since`` (every one a request tried)."""
    lines = access_log.read_text().splitlines()[since:]
    return {int(port) for line in lines for port in re.findall(r"127\.0\.0\.1:(\d+)", line.split(" ", 1)[0])}


def test_behind_nginx_with_affinity_a_visitor_stays_on_one_replica(proxy, workspace, fake_fal):
    sticky, _, access_log = proxy
    with urllib.request.urlopen(sticky, timeout=30) as page:  # a browser's first request: it is given its replica
        assert re.match(r"playground_replica=127\.0\.0\.1; Path=/; HttpOnly", page.headers["Set-Cookie"])
    for cookies in ({}, {"playground_replica": "a teammate's browser"}):  # gradio_client keeps no cookie: its address
        since = len(access_log.read_text().splitlines())
        client = Client(sticky, verbose=False, httpx_kwargs={"cookies": cookies})
        answer = client.predict(json.dumps({**BASE, "prompts": [f"behind nginx {len(cookies)}"]}), api_name="/compare")
        assert {c["status"] for c in answer["cells"]} == {"completed"}
        vote = client.predict(answer["batch_id"], "1 × 1", "tie", "Grace", api_name="/vote")
        assert vote["winner"] == "tie"
        assert len(_replicas_seen(access_log, since)) == 1  # every request of this visitor: one replica


def test_without_affinity_a_call_fails_while_its_paid_runs_go_on(proxy, workspace, fake_fal):
    """Why the README asks for affinity: Gradio keeps a session and its queue in the process that took the call, so
    round robin may send the call's event stream to the other replica, which answers "session not found". The caller
    gets nothing, while the replica that took the call runs it, paid cells and all."""
    _, split, _ = proxy
    app_a, _, url, _ = workspace
    prompt = "round robin"
    with pytest.raises(Exception):  # noqa: B017, PT011  (gradio_client gives up with a CancelledError)
        Client(split, verbose=False).predict(json.dumps({**BASE, "prompts": [prompt]}), api_name="/compare")
    _wait(lambda: len(fake_fal.jobs) == 2, 30, "the call's two paid cells, submitted anyway")
    def logged():
        runs = _runs(url)
        return list(runs.status[runs.prompt == prompt]) == ["completed"] * 2

    _wait(logged, 30, "their two rows")
    stream = urllib.request.urlopen(app_a.url + "gradio_api/queue/data?session_hash=joined-elsewhere", timeout=30)
    with stream:  # what a replica answers for a session it does not hold
        first = json.loads(stream.readline().decode().removeprefix("data: "))
    assert first["msg"] == "unexpected_error" and first["session_not_found"] is True
