"""The URL guard: only public http(s) hosts, every redirect hop checked, size capped; and the offline preview
using it to show images given by URL."""

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from playground.backends.offline import OfflineBackend
from playground.urlguard import UrlGuard, UrlRefused, address_allowed

from conftest import LITE_I2V, image_bytes

PUBLIC_FOR_TESTS = "127.0.0.2"  # stands in for a public host: only this address is allowed in the tests below


class _Site(BaseHTTPRequestHandler):
    hits: list = []
    secret_port = 0

    def log_message(self, *args):
        pass

    def do_GET(self):
        _Site.hits.append((self.server.server_address[0], self.path))
        routes = {"/image.png": (200, image_bytes(54, 96, color=(0, 200, 0)), {}),  # portrait
                  "/to-private": (302, b"", {"Location": f"http://127.0.0.1:{_Site.secret_port}/secret"}),
                  "/to-image": (301, b"", {"Location": "/image.png"}),
                  "/big": (200, b"x" * 5000, {}),
                  "/secret": (200, b"internal data", {})}
        status, body, headers = routes.get(self.path, (404, b"", {}))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def sites():
    servers = [ThreadingHTTPServer((host, 0), _Site) for host in (PUBLIC_FOR_TESTS, "127.0.0.1")]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    _Site.secret_port = servers[1].server_address[1]
    yield {"public": f"http://{PUBLIC_FOR_TESTS}:{servers[0].server_address[1]}",
           "private": f"http://127.0.0.1:{servers[1].server_address[1]}"}
    for server in servers:
        server.shutdown()


def _guard(**kwargs):
    return UrlGuard(allowed=lambda address: address == PUBLIC_FOR_TESTS, **kwargs)


@pytest.mark.parametrize("address, allowed", [
    ("8.8.8.8", True), ("2606:4700:4700::1111", True), ("::ffff:8.8.8.8", True),
    ("127.0.0.1", False), ("::1", False), ("10.0.0.5", False), ("172.16.3.4", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("fe80::1", False), ("100.64.0.1", False), ("0.0.0.0", False),
    ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False), ("fc00::1", False), ("224.0.0.1", False),
    ("not an address", False),
])
def test_public_addresses_only(address, allowed):
    assert address_allowed(address) is allowed


@pytest.mark.parametrize("url, words", [
    ("http://127.0.0.1/x", "not a public host"),
    ("http://localhost/x", "not a public host"),
    ("http://app.localhost/x", "not a public host"),
    ("http://[::1]/x", "not a public host"),
    ("http://10.0.0.1/x", "not a public host"),
    ("http://192.168.1.20/x", "not a public host"),
    ("http://172.16.0.1/x", "not a public host"),
    ("http://169.254.169.254/latest/meta-data/", "not a public host"),
    ("http://metadata.google.internal/computeMetadata/v1/", "not a public host"),
    ("http://[::ffff:127.0.0.1]/x", "not a public host"),
    ("http://0.0.0.0/x", "not a public host"),
    ("file:///etc/passwd", "only http(s)"),
    ("ftp://example.com/x", "only http(s)"),
    ("http://user:secret@example.com/x", "credentials"),
    ("not a url", "only http(s)"),
])
def test_refused_urls(url, words):
    with pytest.raises(UrlRefused, match=words.replace("(", r"\(").replace(")", r"\)")):
        asyncio.run(UrlGuard().fetch(url))


def test_a_redirect_to_a_private_address_is_refused_before_it_is_fetched(sites):
    _Site.hits.clear()
    with pytest.raises(UrlRefused, match="not a public host"):
        asyncio.run(_guard().fetch(sites["public"] + "/to-private"))
    assert ("127.0.0.1", "/secret") not in _Site.hits and (PUBLIC_FOR_TESTS, "/to-private") in _Site.hits


def test_public_fetch_follows_a_public_redirect_and_caps_size(sites):
    body, content_type = asyncio.run(_guard().fetch(sites["public"] + "/to-image"))
    assert body == image_bytes(54, 96, color=(0, 200, 0))
    with pytest.raises(UrlRefused, match="larger than"):
        asyncio.run(_guard(max_bytes=1000).fetch(sites["public"] + "/big"))
    with pytest.raises(UrlRefused, match="HTTP 404"):
        asyncio.run(_guard().fetch(sites["public"] + "/missing"))


def _preview(backend, catalog, tmp_path, url):
    async def run():
        arguments = {"prompt": "x", "image_url": url, "resolution": "480p", "duration": "2", "seed": 1}
        return [e async for e in backend.run(endpoint=catalog[LITE_I2V], arguments=arguments, outputs=tmp_path,
                                             run_id="r1", stop=asyncio.Event(), deadline=float("inf"))]
    return asyncio.run(run())


def test_offline_preview_shows_a_public_image_and_skips_a_private_one(sites, catalog, tmp_path):
    from playground.events import InProgress

    events = _preview(OfflineBackend(step_delay_s=0, guard=_guard()), catalog, tmp_path, sites["public"] + "/image.png")
    logs = [line for e in events if isinstance(e, InProgress) for line in e.logs]
    assert not any("not used" in line for line in logs) and events[-1].warnings == ()
    assert "480×864" in logs[0]  # `auto` aspect followed the fetched portrait image (unfetched would be 16:9)
    _Site.hits.clear()
    events = _preview(OfflineBackend(step_delay_s=0), catalog, tmp_path, sites["private"] + "/secret")
    logs = [line for e in events if isinstance(e, InProgress) for line in e.logs]
    assert any("not used" in line and "not a public host" in line for line in logs) and _Site.hits == []
    assert events[-1].warnings and "image_url not used" in events[-1].warnings[0]  # the result must not claim a match


def test_a_preview_that_could_not_use_its_image_does_not_say_it_matches(playground, sites):
    """Through the service: the checks name the input that was not used, instead of "ok"."""
    async def run():
        return [e async for e in playground.generate(LITE_I2V, {"prompt": "x", "image_url": sites["private"] + "/a.png",
                                                                "resolution": "480p", "duration": "2", "seed": 1})][-1]
    result = asyncio.run(run())
    assert result.status == "completed" and result.checks.startswith("image_url not used")
    from playground.present import result_markdown

    assert "matches the request" not in result_markdown(result.as_dict())
