"""What all fal runs of one app share: a fal client per key, uploads sent once, billed units seen.

Clients are kept per event loop as well as per key, because an httpx connection pool belongs to the loop
that made it (Gradio's loop serves visitors; start-up recovery runs in a loop of its own).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

import fal_client
import fal_client.client
import httpx

from playground.keys import fingerprint

T = TypeVar("T")
PerLoop = weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T]  # what a client or task is bound to: its loop
MAX_CLIENTS_PER_LOOP = 64
MAX_UPLOADS_REMEMBERED = 256
UPLOAD_TTL_S = 3600.0  # reuse a storage URL for an hour; fal keeps uploads longer than that
BILLING_HEADER = "x-fal-billable-units"
SERVED_FROM_HEADER = "x-fal-served-from"  # the endpoint that really ran a request, when fal rerouted it


class FalConnections:
    """One per Playground: clients, the upload cache and the billing record; no per-visitor state."""

    def __init__(self, upload_ttl_s: float = UPLOAD_TTL_S):
        self.upload_ttl_s = upload_ttl_s
        self._lock = threading.Lock()
        # per event loop: fal clients and status-stream clients by key fingerprint, uploads under way
        self._clients: PerLoop[OrderedDict[str, fal_client.AsyncClient]] = weakref.WeakKeyDictionary()
        self._streams: PerLoop[OrderedDict[str, httpx.AsyncClient]] = weakref.WeakKeyDictionary()
        self._uploading: PerLoop[dict[tuple[str, str], asyncio.Future[str]]] = weakref.WeakKeyDictionary()
        self._uploaded: OrderedDict[tuple[str, str], tuple[str, float]] = OrderedDict()
        self._answered: OrderedDict[str, tuple[str, str]] = OrderedDict()  # result URL → (billed units, served from)
        self._hooked: weakref.WeakSet[httpx.AsyncClient] = weakref.WeakSet()

    def stream_client(self, key: str) -> httpx.AsyncClient:
        """For fal's status streams, which stay open for a whole run: a pool of their own, without a size cap,
        so many runs at once never starve fal-client's pool (submit, status, result) of connections."""
        return self._kept(self._streams, key, lambda: httpx.AsyncClient(
            headers={"Authorization": f"Key {key}", "User-Agent": fal_client.client.USER_AGENT},
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=32)))

    def client(self, key: str) -> fal_client.AsyncClient:
        """The AsyncClient for ``key`` in the running loop (made on first use, least recently used dropped)."""
        return self._kept(self._clients, key, lambda: fal_client.AsyncClient(key=key))

    def _kept(self, table: PerLoop[OrderedDict[str, T]], key: str, make: Callable[[], T]) -> T:
        """The running loop's client for ``key`` in ``table``, made on first use; at most MAX_CLIENTS_PER_LOOP kept."""
        loop, fp = asyncio.get_running_loop(), fingerprint(key)
        with self._lock:
            clients = table.setdefault(loop, OrderedDict())
            client = clients.get(fp)
            if client is None:
                client = clients[fp] = make()
                while len(clients) > MAX_CLIENTS_PER_LOOP:
                    clients.popitem(last=False)
            clients.move_to_end(fp)
            return client

    async def http(self, key: str) -> httpx.AsyncClient:
        """fal-client's own HTTP client for ``key`` (its auth, user agent and backup-domain transport); a request
        handle is how fal-client hands it out."""
        handle = await self.client(key).get_handle("fal-ai/any", "-")
        return handle.client

    async def upload(self, key: str, data: bytes, content_type: str, file_name: str) -> str:
        """A fal storage URL for these bytes, uploading them at most once per key (concurrent callers wait)."""
        slot = (fingerprint(key), hashlib.sha256(data).hexdigest())
        client = self.client(key)
        with self._lock:
            known = self._uploaded.get(slot)
            if known and time.monotonic() - known[1] < self.upload_ttl_s:
                return known[0]
            pending = self._uploading.setdefault(asyncio.get_running_loop(), {})
            task = pending.get(slot)
            if task is None:
                task = pending[slot] = asyncio.ensure_future(client.upload(data, content_type, file_name))
                task.add_done_callback(lambda _: pending.pop(slot, None))
        url = await asyncio.shield(task)
        with self._lock:
            self._uploaded[slot] = (url, time.monotonic())
            self._uploaded.move_to_end(slot)
            while len(self._uploaded) > MAX_UPLOADS_REMEMBERED:
                self._uploaded.popitem(last=False)
        return url

    def watch_billing(self, http: httpx.AsyncClient) -> None:
        """Note ``x-fal-billable-units`` and ``x-fal-served-from`` on every response this client receives (fal-client
        drops response headers)."""
        with self._lock:
            if http in self._hooked:
                return
            self._hooked.add(http)
        http.event_hooks["response"].append(self._record)

    async def _record(self, response: httpx.Response) -> None:
        units, served = response.headers.get(BILLING_HEADER, ""), response.headers.get(SERVED_FROM_HEADER, "")
        if units or served:
            with self._lock:
                self._answered[str(response.request.url)] = (units, served)
                while len(self._answered) > 4096:
                    self._answered.popitem(last=False)

    def answered(self, url: str) -> tuple[str, str]:
        """(billed units, endpoint that served it) from the result at ``url`` ("" where fal did not say)."""
        with self._lock:
            return self._answered.pop(url, ("", ""))
