"""Public-mode limits: per-visitor concurrency and rate, spend caps on the shared key, and nothing otherwise."""

import asyncio

import pytest

from playground.config import PublicMode
from playground.errors import LimitError
from playground.guard import Guard
from playground.history import Filters
from playground.results import ResultsLog
from playground.service import Playground
from playground.visitor import Visitor

from conftest import LITE_T2V, SERVER_KEY

PUBLIC = PublicMode(on=True, share_server_key=True, session_cap_usd=0.5, daily_cap_usd=1.0, session_concurrency=2,
                    session_runs_per_hour=5)


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def guard(tmp_path):
    return Guard(PUBLIC, ResultsLog(tmp_path / "results.csv"), clock=Clock())


def test_not_public_lets_everything_through(tmp_path):
    guard = Guard(PublicMode(on=False), ResultsLog(tmp_path / "r.csv"))
    tickets = [guard.admit("s", 100.0, True) for _ in range(50)]
    assert len(tickets) == 50


def test_concurrency_per_visitor(guard):
    first = guard.admit("a", 0, False)
    guard.admit("a", 0, False)
    with pytest.raises(LimitError, match="at most 2 at once"):
        guard.admit("a", 0, False)
    guard.admit("b", 0, False)  # another visitor is not affected
    first.release()
    first.release()  # releasing twice gives back one slot only
    guard.admit("a", 0, False)
    with pytest.raises(LimitError):
        guard.admit("a", 0, False)


def test_rate_per_hour(guard):
    for _ in range(5):
        guard.admit("a", 0, False).release()
    with pytest.raises(LimitError, match="at most 5 runs an hour"):
        guard.admit("a", 0, False)
    guard.clock.now += 3601
    guard.admit("a", 0, False)


def test_session_cap_on_the_shared_key_only(guard):
    guard.admit("a", 0.3, True).release()
    with pytest.raises(LimitError, match=r"\$0.50 per-visitor cap"):
        guard.admit("a", 0.3, True)
    guard.admit("a", 0.3, False)  # the visitor's own key: no spend cap


def test_daily_cap_counts_the_log_and_runs_in_flight(guard, tmp_path):
    from datetime import datetime, timezone

    today = datetime.fromtimestamp(guard.clock(), timezone.utc).date().isoformat()
    guard.results.append({"run_id": "old", "created_at": f"{today}T01:00:00", "billed_to": "server",
                          "estimated_cost_usd": "0.6"})
    guard.results.append({"run_id": "visitor", "created_at": f"{today}T01:00:00", "billed_to": "visitor",
                          "estimated_cost_usd": "9"})
    held = guard.admit("b", 0.3, True)  # 0.6 logged + 0.3 in flight
    assert guard.spent_today() == pytest.approx(0.9)
    with pytest.raises(LimitError, match=r"\$1.00 daily cap"):
        guard.admit("c", 0.2, True)
    held.release()
    guard.clock.now += 86_400  # a new day
    guard.admit("c", 0.2, True)


def test_batch_check_and_waiting_cells(guard):
    with pytest.raises(LimitError):
        guard.check("a", 0.1, False, runs=6)
    guard.check("a", 0.4, True, runs=3)

    async def cells():
        held = [await guard.admit_waiting("a", 0.1, True) for _ in range(2)]
        waiting = asyncio.create_task(guard.admit_waiting("a", 0.1, True))
        for _ in range(3):
            await asyncio.sleep(0)
        assert not waiting.done()  # the third cell waits for a slot instead of failing
        held[0].release()
        return await asyncio.wait_for(waiting, 2)

    assert asyncio.run(cells()).reserved_usd == 0.1


def _public_playground(tmp_path, catalog, **changes):
    from playground.backends.offline import OfflineBackend

    public = PublicMode(**{**PUBLIC.__dict__, **changes})
    return Playground(catalog, tmp_path / "data", server_key=SERVER_KEY, public=public,
                      offline=OfflineBackend(step_delay_s=0))


def test_public_mode_keeps_the_server_key_unless_shared(tmp_path, catalog, fake_fal):
    closed = _public_playground(tmp_path, catalog, share_server_key=False)
    assert closed.launcher.backend_for(None).name == "offline" and closed.launcher.backend_for("visitor:1234567890").name == "fal"
    assert closed.sessions.backend_status(None).startswith("**Backend: offline preview**")
    shared = _public_playground(tmp_path, catalog)
    assert shared.launcher.backend_for(None).name == "fal" and "$0.50 per visitor" in shared.sessions.backend_status(None)


def test_each_visitor_sees_only_their_own_history(tmp_path, catalog):
    playground = _public_playground(tmp_path, catalog, share_server_key=False)

    async def run(session, prompt):
        async for _ in playground.generate(LITE_T2V, {"prompt": prompt, "resolution": "480p", "duration": "2"},
                                           Visitor(session=session)):
            pass

    asyncio.run(run("session-a", "alpha one"))
    asyncio.run(run("session-b", "bravo one"))
    asyncio.run(run("session-a", "alpha two"))
    mine = Visitor(session="session-a").owners
    rows, _, _, total = playground.revisits.page(Filters(), owners=mine)
    assert total == 2 and {r.prompt for r in rows} == {"alpha one", "alpha two"}
    exported = playground.revisits.export(Filters(), "json", owners=mine).read_text()
    assert "alpha" in exported and "bravo" not in exported
    assert [r["prompt"] for r in playground.api.history(10, Visitor(session="session-b"))] == ["bravo one"]
    other_run = next(r for r in playground.results.read().to_dict(orient="records") if r["prompt"] == "bravo one")
    from playground.errors import InputError

    with pytest.raises(InputError):
        playground.revisits.restore(other_run["run_id"], owners=mine)


def test_presets_cannot_be_saved_on_a_public_demo(tmp_path, catalog):
    from playground.errors import InputError

    playground = _public_playground(tmp_path, catalog)
    with pytest.raises(InputError, match="public demo"):
        playground.tabs.save_preset("mine", LITE_T2V, {"prompt": "x"})
    assert not (tmp_path / "data" / "presets").exists()
