"""The page (``/``) kept as it was sent, per request, so a busy app does not build it again for every visitor.

Gradio builds the page for each request: a deep copy of the whole config (~200 KB of JSON-like data), a walk of it
to add the root URL, then the template and gzip — about 30 ms of CPU on the thread pool, which under load (200
jobs streaming their status) waits for the GIL behind the event loop: page loads reached 460–770 ms at p99. The
config does not change once the app is launched, so the same request gets the same bytes: they are kept, keyed by
everything the answer can depend on (method, root path, query and every header: host and forwarded headers make the
root URL, a cookie the signed-in user, Accept-Encoding the compression), for the ``ENTRIES`` requests seen last.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ENTRIES = 32  # distinct requests kept (a page is 30 KB gzipped, 260 KB not)
PAGE = "/"


class PageCache:
    """ASGI middleware: successful GET and HEAD answers of ``/`` replayed to identical requests."""

    def __init__(self, app: ASGIApp, entries: int = ENTRIES) -> None:
        self.app, self.entries = app, entries
        self.kept: OrderedDict[tuple[Any, ...], list[Message]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or route(scope) != PAGE:
            await self.app(scope, receive, send)
            return
        key = (scope["method"], scope.get("root_path", ""), scope["path"], scope.get("query_string", b""),
               tuple(sorted(scope.get("headers", []))))
        kept = self.kept.get(key)
        if kept is not None:
            self.kept.move_to_end(key)
            for message in kept:
                await send(message)
            return
        sent: list[Message] = []

        async def keep(message: Message) -> None:
            sent.append(message)
            await send(message)

        await self.app(scope, receive, keep)
        if sent and sent[0]["type"] == "http.response.start" and sent[0]["status"] == 200 and \
                not sent[-1].get("more_body", False):
            self.kept[key] = sent
            while len(self.kept) > self.entries:
                self.kept.popitem(last=False)


def route(scope: Scope) -> str:
    """The request's path under the app's root (the same route whether or not a proxy serves it at a subpath)."""
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path
