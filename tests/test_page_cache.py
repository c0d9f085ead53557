"""The page kept as sent (playground/ui/page_cache.py): the same request is answered again without rebuilding it,
and anything the answer may depend on (a cookie, the host, the compression asked for, the query) is a new request;
only a whole successful GET or HEAD of the page is kept. Against a counting ASGI app, and the real app over HTTP."""

import urllib.request

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from playground.ui.page_cache import ENTRIES, PageCache


def _client(status: int = 200) -> tuple[TestClient, list]:
    built = []

    def page(request):
        built.append(request.url.path)
        return HTMLResponse(f"page {len(built)} for {request.headers.get('cookie', '')}", status_code=status)

    def other(request):
        built.append(request.url.path)
        return PlainTextResponse(f"other {len(built)}")

    app = Starlette(routes=[Route("/", page, methods=["GET", "HEAD", "POST"]), Route("/config", other)])
    return TestClient(PageCache(app)), built


def test_the_same_request_gets_the_same_page_built_once():
    client, built = _client()
    first, second = client.get("/"), client.get("/")
    assert first.text == second.text == "page 1 for " and built == ["/"]
    assert second.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("headers", [{"cookie": "session=someone-else"}, {"host": "example.org"},
                                     {"accept-encoding": "identity"}, {"x-forwarded-proto": "https"}])
def test_a_request_differing_in_anything_the_page_may_depend_on_is_built_anew(headers):
    client, built = _client()
    client.get("/")
    other = client.get("/", headers=headers)
    assert len(built) == 2 and other.text.startswith("page 2")


def test_a_query_makes_another_page():
    client, built = _client()
    client.get("/"), client.get("/?deep_link=abc"), client.get("/?deep_link=abc")
    assert len(built) == 2


@pytest.mark.parametrize("call", [lambda c: c.post("/"), lambda c: c.get("/config")])
def test_other_methods_and_paths_are_not_replayed(call):
    client, built = _client()
    call(client), call(client)
    assert len(built) == 2


def test_an_answer_other_than_200_is_never_kept():
    client, built = _client(status=503)
    client.get("/"), client.get("/")
    assert len(built) == 2


def test_only_the_latest_requests_are_kept():
    client, built = _client()
    for n in range(ENTRIES + 1):
        client.get("/", headers={"cookie": f"n={n}"})
    client.get("/", headers={"cookie": "n=0"})  # the oldest: let go
    client.get("/", headers={"cookie": f"n={ENTRIES}"})  # the newest: kept
    assert len(built) == ENTRIES + 2


def test_the_real_page_is_the_same_bytes_with_or_without_gzip(app_url):
    def fetch(encoding):
        request = urllib.request.Request(app_url, headers={"Accept-Encoding": encoding})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.headers.get("Content-Encoding"), response.read()

    plain, zipped = [fetch("identity"), fetch("identity")], [fetch("gzip"), fetch("gzip")]
    assert plain[0] == plain[1] and plain[0][0] is None and b"<html" in plain[0][1].lower()
    assert zipped[0] == zipped[1] and zipped[0][0] == "gzip"
