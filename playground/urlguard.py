"""Fetching a URL a visitor gave us, safely (server-side request forgery is the risk on a public page).

Only http(s) to public hosts: every address a host name resolves to must be globally routable — no
loopback, private, link-local (cloud metadata), carrier-grade NAT, multicast or reserved ranges, IPv4
hidden in IPv6 included (mapped, NAT64, 6to4, Teredo, IPv4-compatible) — and the connection is pinned to the address that was checked (TLS still
verifies the host name), so DNS cannot be switched between check and use. Redirects are followed by
hand, each hop checked the same way. Size and time are capped.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable

import httpx

from playground.media import MAX_INPUT_BYTES, MediaError

BLOCKED_NAMES = ("localhost", "metadata.google.internal", "metadata")
CHUNK = 1 << 16


class UrlRefused(MediaError):
    """A URL we will not fetch (or could not): the message says why, for the user."""


# IPv6 ranges that carry an IPv4 address to a translator or tunnel (NAT64, 6to4, Teredo, IPv4-compatible):
# through them an IPv6 address can reach any IPv4 host, a private one included, so none is ever fetched.
TRANSLATED = tuple(ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32",
                                                      "::/96"))


def address_allowed(address: str) -> bool:
    """True only for globally routable unicast addresses (IPv4-mapped IPv6 judged as the IPv4 inside; IPv6 that
    embeds IPv4 for a translator or tunnel refused)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        elif any(ip in network for network in TRANSLATED):
            return False
    return ip.is_global and not ip.is_multicast


class UrlGuard:
    """Fetches public http(s) URLs with every hop checked; ``allowed`` decides which addresses are public."""

    def __init__(self, allowed: Callable[[str], bool] = address_allowed, max_bytes: int = MAX_INPUT_BYTES,
                 timeout_s: float = 10.0, max_redirects: int = 3):
        self.allowed, self.max_bytes, self.timeout_s, self.max_redirects = allowed, max_bytes, timeout_s, max_redirects

    async def address(self, host: str, port: int) -> str:
        """The checked address to connect to, or UrlRefused."""
        name = host.strip("[]").lower()
        if name in BLOCKED_NAMES or name.endswith(".localhost"):
            raise UrlRefused(f"{host} is not a public host")
        try:
            ipaddress.ip_address(name.split("%", 1)[0])
            addresses = {name}
        except ValueError:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(name, port, type=socket.SOCK_STREAM)
            except OSError as exc:
                raise UrlRefused(f"could not resolve {host} ({exc.strerror or exc})") from exc
            addresses = {str(info[4][0]) for info in infos}
        refused = sorted(a for a in addresses if not self.allowed(a))
        if refused or not addresses:
            raise UrlRefused(f"{host} is not a public host (it resolves to {', '.join(refused) or 'nothing'})")
        return sorted(addresses)[0]

    async def fetch(self, url: str) -> tuple[bytes, str]:
        """(body, content type) of a public URL, or UrlRefused; at most ``timeout_s`` in all."""
        try:
            return await asyncio.wait_for(self._fetch(url), self.timeout_s)
        except TimeoutError:
            raise UrlRefused(f"no answer within {self.timeout_s:g} s") from None

    async def _fetch(self, url: str) -> tuple[bytes, str]:
        timeout = httpx.Timeout(self.timeout_s)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            for _ in range(self.max_redirects + 1):
                target = self._parse(url)
                address = await self.address(target.host, target.port or (443 if target.scheme == "https" else 80))
                pinned = target.copy_with(host=address)
                request = client.build_request("GET", pinned, headers={"Host": target.netloc.decode("ascii")},
                                               extensions={"sni_hostname": target.host} if target.scheme == "https"
                                               else {})
                try:
                    response = await client.send(request, stream=True)
                except httpx.HTTPError as exc:
                    raise UrlRefused(f"could not fetch it ({exc.__class__.__name__})") from exc
                try:
                    if response.is_redirect and "location" in response.headers:
                        url = str(target.join(response.headers["location"]))
                        continue
                    return await self._body(response), response.headers.get("content-type", "")
                finally:
                    await response.aclose()
        raise UrlRefused(f"more than {self.max_redirects} redirects")

    @staticmethod
    def _parse(url: str) -> httpx.URL:
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise UrlRefused(f"not a valid URL ({exc})") from exc
        if target.scheme not in ("http", "https") or not target.host:
            raise UrlRefused("only http(s) URLs with a host are fetched")
        if target.userinfo:
            raise UrlRefused("URLs with credentials in them are not fetched")
        return target

    async def _body(self, response: httpx.Response) -> bytes:
        if response.status_code != 200:
            raise UrlRefused(f"it answered HTTP {response.status_code}")
        cap_mb = self.max_bytes // (1024 * 1024)
        if int(response.headers.get("content-length") or 0) > self.max_bytes:
            raise UrlRefused(f"larger than {cap_mb} MB")
        body = bytearray()
        async for chunk in response.aiter_bytes(CHUNK):
            body += chunk
            if len(body) > self.max_bytes:
                raise UrlRefused(f"larger than {cap_mb} MB")
        return bytes(body)
