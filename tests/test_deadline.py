"""Bounded waits: a result, a cancel, a deadline, and a waiter that is itself cancelled."""

import asyncio
import time

import pytest

from playground.deadline import Interrupted, within


async def _slow(seconds, log=None):
    try:
        await asyncio.sleep(seconds)
        return "done"
    except asyncio.CancelledError:
        if log is not None:
            log.append("cancelled")
        raise


def test_the_result_when_it_comes_in_time():
    assert asyncio.run(within(_slow(0.01), asyncio.Event(), time.monotonic() + 5)) == "done"


@pytest.mark.parametrize("reason", ["cancelled", "timed_out"])
def test_a_stop_or_the_deadline_interrupts_and_cancels_the_work(reason):
    log = []

    async def run():
        stop = asyncio.Event()
        if reason == "cancelled":
            asyncio.get_running_loop().call_later(0.05, stop.set)
        deadline = time.monotonic() + (5 if reason == "cancelled" else 0.05)
        started = time.monotonic()
        with pytest.raises(Interrupted) as err:
            await within(_slow(30, log), stop, deadline)
        return err.value.reason, time.monotonic() - started

    got, took = asyncio.run(run())
    assert got == reason and took < 1 and log == ["cancelled"]


def test_already_stopped_or_late_never_starts_waiting():
    stop = asyncio.Event()
    stop.set()
    with pytest.raises(Interrupted):
        asyncio.run(within(_slow(30), stop, time.monotonic() + 5))
    with pytest.raises(Interrupted):
        asyncio.run(within(_slow(30), asyncio.Event(), time.monotonic() - 1))


def test_a_cancelled_waiter_takes_its_work_down():
    log = []

    async def run():
        waiter = asyncio.ensure_future(within(_slow(30, log), asyncio.Event(), time.monotonic() + 60))
        await asyncio.sleep(0.05)
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)
        await asyncio.sleep(0)

    asyncio.run(run())
    assert log == ["cancelled"]


def test_a_generator_waited_on_can_be_closed_once_the_waiter_is_cancelled():
    """The app stopping cancels a run while it waits for fal's next status: the status generator must be closable
    in the run's own clean-up (else "aclose(): asynchronous generator is already running" replaced the cancel, and
    a paid run in flight was logged as failed and dropped from the journal instead of being finished next start)."""
    async def statuses():
        while True:
            await asyncio.sleep(30)
            yield "status"

    async def follow(outcome: list):
        source = statuses()
        try:
            await within(anext(source), asyncio.Event(), time.monotonic() + 60)
        finally:
            try:
                await source.aclose()
                outcome.append("closed")
            except RuntimeError as exc:
                outcome.append(str(exc))

    async def run():
        outcome: list = []
        task = asyncio.ensure_future(follow(outcome))
        await asyncio.sleep(0.05)
        task.cancel()
        results = await asyncio.gather(task, return_exceptions=True)
        return outcome, results

    outcome, results = asyncio.run(run())
    assert outcome == ["closed"] and isinstance(results[0], asyncio.CancelledError)
