"""The runner: one row per run whoever watches, the journal before waiting, nothing logged on app shutdown."""

import asyncio
import json

import pytest

from playground.config import FalSettings
from playground.errors import RunError
from playground.events import InProgress, Submitted
from playground.journal import Journal
from playground.outputs import Outputs
from playground.record import RunRecord
from playground.results import ResultsLog
from playground.runner import Flight, Runner

from conftest import LITE_T2V


class ScriptedBackend:
    """A paid backend that submits, reports progress, then waits for stop or raises what it is told to."""

    name, paid = "scripted", True

    def __init__(self, fail_with: BaseException | None = None):
        self.fail_with, self.journal_seen = fail_with, None
        self.journal: Journal | None = None

    async def prepare(self, endpoint, arguments):
        return {**arguments, "image_url": "https://storage.example/a.png"}

    async def run(self, endpoint, arguments, outputs, run_id, stop, deadline):
        yield Submitted("req-1", {"status_url": "https://q/req-1/status"})
        self.journal_seen = self.journal.pending() if self.journal else None
        yield InProgress(("working",))
        if self.fail_with:
            raise self.fail_with
        await stop.wait()
        raise RunError("cancelled by the user", status="cancelled")


def _runner(tmp_path):
    return Runner(Outputs(tmp_path / "outputs", FalSettings()), ResultsLog(tmp_path / "results.csv"),
                  Journal(tmp_path / "inflight"), FalSettings())


def _flight(secret="sk-0123456789:abcdefabcdef"):
    row = {"run_id": "run1", "batch_id": "", "created_at": "2026-11-23T00:00:00", "backend": "scripted",
           "endpoint_id": LITE_T2V, "prompt": "p", "arguments_json": "{}", "seed": 3, "estimated_cost_usd": 0.1}
    return Flight(RunRecord.from_row(row), (secret,), "fp01")


async def _until_row(runner):
    for _ in range(100):
        if len(runner.results.read()):
            return
        await asyncio.sleep(0.02)


def test_watcher_leaving_cancels_and_logs_once(tmp_path):
    runner, backend = _runner(tmp_path), ScriptedBackend()
    backend.journal = runner.journal

    async def go():
        watcher = runner.start(backend, None, {"prompt": "p"}, _flight()).events()
        async for event in watcher:
            if isinstance(event, InProgress):
                break
        await watcher.aclose()
        await _until_row(runner)

    asyncio.run(go())
    (entry,) = backend.journal_seen  # on disk before anything was waited on
    assert entry["request_id"] == "req-1" and entry["key_fingerprint"] == "fp01" and "sk-0123456789" not in json.dumps(entry)
    rows = runner.results.read()
    assert len(rows) == 1 and rows.iloc[0].status == "cancelled" and rows.iloc[0].request_id == "req-1"
    assert json.loads(rows.iloc[0].arguments_json)["image_url"] == "https://storage.example/a.png"  # as sent
    assert runner.journal.pending() == []


@pytest.mark.parametrize("failure, status, words", [
    (RunError("no result after 5 s; cancel sent", status="timed_out"), "timed_out", "no result after 5 s"),
    (ValueError("boom with sk-0123456789:abcdefabcdef inside"), "failed", "ValueError: boom with [key] inside"),
])
def test_failures_are_rows_and_errors_for_the_watcher(tmp_path, caplog, failure, status, words):
    runner = _runner(tmp_path)

    async def go():
        with pytest.raises(RunError) as err:
            async for _ in runner.start(ScriptedBackend(failure), None, {}, _flight()).events():
                pass
        return err.value

    error = asyncio.run(go())
    row = runner.results.read().iloc[0]
    assert row.status == error.status == status and words in row.error and words in str(error)
    assert runner.journal.pending() == []
    assert "abcdefabcdef" not in caplog.text  # not even in a logged traceback


def test_app_shutdown_leaves_the_run_in_the_journal_and_logs_nothing(tmp_path):
    runner = _runner(tmp_path)

    async def go():
        started = asyncio.Event()

        async def events():
            yield Submitted("req-9", {})
            started.set()
            await asyncio.sleep(60)
            yield InProgress(())

        task = asyncio.create_task(runner.drive(_flight(), events()))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(go())
    assert [e["request_id"] for e in runner.journal.pending()] == ["req-9"]
    assert len(runner.results.read()) == 0


def test_outcome_waits_for_the_row_and_cancel_stops_the_run(tmp_path):
    runner = _runner(tmp_path)

    async def go():
        watch = runner.start(ScriptedBackend(), None, {}, _flight())
        await asyncio.sleep(0.05)
        watch.cancel()
        return await watch.outcome()

    result = asyncio.run(go())
    assert result.status == "cancelled" and runner.results.read().iloc[0].status == "cancelled"


def test_runs_beyond_the_app_wide_bound_wait_for_a_slot(tmp_path):
    runner = Runner(Outputs(tmp_path / "outputs", FalSettings()), ResultsLog(tmp_path / "results.csv"),
                    Journal(tmp_path / "inflight"), FalSettings(), max_runs=1)

    async def go():
        first = runner.start(ScriptedBackend(), None, {}, _flight())
        second_flight = _flight()
        second_flight.record.run_id = "run2"
        second = runner.start(ScriptedBackend(), None, {}, second_flight)
        async for event in first.events():
            if isinstance(event, InProgress):  # the first run holds the only slot now
                break
        waiting = second_flight.record.request_id == ""  # so the second cannot have been submitted
        first.cancel()
        await first.outcome()
        async for event in second.events():
            if isinstance(event, Submitted):  # it goes ahead once the slot is free
                break
        submitted_after = second_flight.record.request_id
        second.cancel()
        await second.outcome()
        return waiting, submitted_after

    waiting, submitted_after = asyncio.run(go())
    assert waiting and submitted_after == "req-1"
