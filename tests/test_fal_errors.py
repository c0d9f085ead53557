"""fal failures become messages a person can act on: one table of what fal can answer, and what we say."""

import httpx
import pytest
from fal_client import FalClientHTTPError

from playground.backends.fal_errors import describe, detail_lines, failed_run_message

NGINX = "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"


def http_error(status, detail, error_type=None):
    response = httpx.Response(status, request=httpx.Request("POST", "https://queue.fal.run/x/y"))
    return FalClientHTTPError(detail, status, {}, response, error_type)


# (case, exception, words the message must hold, words it must not)
CASES = [
    ("401", http_error(401, "Invalid API key"), ["refused the key (HTTP 401)", "Invalid API key", "not retried"], []),
    ("403", http_error(403, "No access to this app"), ["refused the key (HTTP 403)", "No access"], []),
    ("422 list", http_error(422, [{"loc": ["body", "image_url"], "msg": "Image too large", "type": "image_too_large"},
                                  {"loc": ["body"], "msg": "bad request", "type": "value_error"}]),
     ["HTTP 422", "image_url: Image too large (image_too_large)", "request: bad request"], ["[{"]),
    ("422 string", http_error(422, "prompt is required"), ["HTTP 422", "prompt is required"], []),
    ("429", http_error(429, "Too many requests"), ["rate-limiting", "HTTP 429", "fewer at once"], []),
    ("502 nginx page", http_error(502, NGINX), ["server error (HTTP 502)", "an HTML error page (502 Bad Gateway)"],
     ["<html", "<center>"]),
    ("503 typed", http_error(503, "No runner", "runner_scheduling_failure"),
     ["HTTP 503, runner_scheduling_failure", "not bill"], []),
    ("404", http_error(404, "Request not found"), ["does not know this request"], []),
    ("418", http_error(418, "teapot"), ["answered HTTP 418", "teapot"], []),
    ("connect", httpx.ConnectError("Connection refused"), ["could not reach fal.ai", "ConnectError"], []),
    ("timeout", httpx.ReadTimeout("timed out"), ["did not answer in time"], []),
    ("bad body", KeyError("request_id"), ["answered something unexpected", "request_id"], []),
]


@pytest.mark.parametrize("case, exc, words, absent", CASES, ids=[c[0] for c in CASES])
def test_describe(case, exc, words, absent):
    message = describe(exc, "submitting the request")
    for word in words:
        assert word in message
    for word in absent:
        assert word not in message


def test_detail_lines_skip_the_body_prefix_and_keep_nested_paths():
    assert detail_lines([{"loc": ["body", "image_urls", 2], "msg": "unreachable"}]) == ["image_urls.2: unreachable"]


def test_failed_run_message_adds_the_result_details():
    plain = failed_run_message("Out of memory", "runner_disconnected", None)
    assert plain == "fal.ai reported that the run failed: Out of memory (runner_disconnected)"
    detailed = failed_run_message("Invalid input", None, http_error(422, [{"loc": ["body", "prompt"], "msg": "flagged"}]))
    assert detailed.splitlines() == ["fal.ai reported that the run failed: Invalid input", "prompt: flagged"]
