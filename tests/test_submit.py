"""fal's submit: resent only where fal certainly did not get it; a lost answer is never resent.

The fake is a plain function at the HTTP layer (httpx.MockTransport), one answer per attempt.
"""

import asyncio

import httpx
import pytest
from fal_client import FalClientHTTPError

from playground.backends.submit import SubmitUnknown, submit

ACCEPTED = httpx.Response(200, json={"request_id": "r1", "response_url": "https://q/a/b/requests/r1",
                                     "status_url": "https://q/a/b/requests/r1/status",
                                     "cancel_url": "https://q/a/b/requests/r1/cancel"})
NGINX = httpx.Response(502, text="<html><center>nginx</center></html>")


def _run(answers, monkeypatch):
    """Submit once against a fake answering ``answers`` in turn (an exception class is raised as that error)."""
    pause = asyncio.sleep
    monkeypatch.setattr(asyncio, "sleep", lambda _: pause(0))  # no backoff waits in a unit test
    seen = []

    def handler(request):
        seen.append(request)
        answer = answers[len(seen) - 1]
        if isinstance(answer, type):
            raise answer("fake network trouble", request=request)
        return answer

    async def go():
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            return await submit(http, "fal-ai/x/y", {"prompt": "p"}, {"x-test": "1"}, 5)

    try:
        return asyncio.run(go()), seen
    except Exception as exc:  # noqa: BLE001 - the test looks at what was raised
        return exc, seen


@pytest.mark.parametrize("before", [[httpx.ConnectError], [httpx.ConnectTimeout, httpx.PoolTimeout],
                                    [httpx.Response(429, json={"detail": "slow"})], [NGINX, NGINX]],
                         ids=["connect error", "connect and pool timeouts", "429", "ingress 502 twice"])
def test_resent_where_fal_did_not_get_it(monkeypatch, before):
    handle, seen = _run([*before, ACCEPTED], monkeypatch)
    assert handle.request_id == "r1" and len(seen) == len(before) + 1
    assert seen[-1].headers["x-test"] == "1" and seen[-1].url.path == "/fal-ai/x/y"


@pytest.mark.parametrize("trouble", [httpx.RemoteProtocolError, httpx.ReadError, httpx.ReadTimeout])
def test_never_resent_once_the_request_may_have_arrived(monkeypatch, trouble):
    raised, seen = _run([trouble, ACCEPTED], monkeypatch)
    assert isinstance(raised, SubmitUnknown) and len(seen) == 1


def test_an_unreadable_acceptance_is_unknown_not_resent(monkeypatch):
    raised, seen = _run([httpx.Response(200, text="not json"), ACCEPTED], monkeypatch)
    assert isinstance(raised, SubmitUnknown) and len(seen) == 1


@pytest.mark.parametrize("answer, error_type", [
    (httpx.Response(422, json={"detail": [{"loc": ["body", "prompt"], "msg": "bad"}]}), None),
    (httpx.Response(503, json={"detail": "no runner", "error_type": "runner_scheduling_failure"},
                    headers={"x-fal-request-id": "r"}), "runner_scheduling_failure"),
    (httpx.Response(401, json={"detail": "no key"}), None),
])
def test_fal_refusals_are_raised_as_fal_client_does_without_resending(monkeypatch, answer, error_type):
    raised, seen = _run([answer, ACCEPTED], monkeypatch)
    assert isinstance(raised, FalClientHTTPError) and raised.status_code == answer.status_code
    assert raised.error_type == error_type and len(seen) == 1


def test_a_long_retry_after_is_answered_at_once_not_hammered(monkeypatch):
    slow = httpx.Response(429, json={"detail": "rate limited"}, headers={"Retry-After": "3600"})
    raised, seen = _run([slow, ACCEPTED], monkeypatch)
    assert isinstance(raised, FalClientHTTPError) and raised.status_code == 429 and len(seen) == 1


def test_a_short_retry_after_is_waited_for_then_resent(monkeypatch):
    waited = []
    pause = asyncio.sleep

    async def sleep(seconds):
        waited.append(seconds)
        await pause(0)

    answers = [httpx.Response(429, json={"detail": "slow"}, headers={"Retry-After": "7"}), ACCEPTED]
    seen = []

    def handler(request):
        seen.append(request)
        return answers[len(seen) - 1]

    async def go():
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            return await submit(http, "fal-ai/x/y", {"prompt": "p"}, {}, 5)

    import types

    import playground.backends.submit as submit_module

    monkeypatch.setattr(submit_module, "asyncio", types.SimpleNamespace(sleep=sleep))  # only the submit's own waits
    assert asyncio.run(go()).request_id == "r1" and waited == [7.0]  # fal's own pause, not our backoff


@pytest.mark.parametrize("header, said", [("3600", "1 hour"), ("90", "90 s"), ("600", "10 minutes"),
                                          ("Wed, 21 Oct 2099 07:28:00 GMT", "hours"), ("", "Wait a minute")])
def test_the_message_says_how_long_fal_asks_to_wait(header, said):
    from playground.backends.fal_errors import describe

    headers = {"Retry-After": header} if header else {}
    exc = FalClientHTTPError("rate limited", 429, headers, response=httpx.Response(429, headers=headers))
    message = describe(exc, "submitting the request")
    assert said in message and ("nothing was sent" in message) == bool(header)
