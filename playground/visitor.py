"""Who is asking: a visitor's own key, their Hugging Face sign-in, the name they judge by, their browser session,
and where they connect from.

The UI builds one Visitor per event from the session's state and the HTTP request; the core never keeps
one. Public-mode limits count per ``network`` — an id derived from the visitor's IP address, which a fresh
browser session or a new API client does not renew. On a private deployment everyone shares one workspace; on
a public one a visitor sees what any of their ``owners`` ran (their key's, their sign-in's, this tab's).
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from typing import TypeVar, cast

from playground.keys import owner_id

T = TypeVar("T")


@dataclass(frozen=True)
class Visitor:
    """One caller, for the length of one call."""

    key: str | None = None  # their own fal key, if they entered one (held only in their session's state)
    session: str = ""  # Gradio's session hash: whose runs History shows when they have no key of their own
    network: str = ""  # an id for the address they connect from: what public-mode limits count per visitor
    account: str = ""  # their Hugging Face username when signed in (Spaces OAuth)
    name: str = ""  # the name they judge by, given once and remembered by their browser

    @classmethod
    def of(cls, key: str | None, session: str = "", peer: str = "", forwarded_for: str = "",
           trusted_proxies: int = 0, account: str = "", name: str = "") -> Visitor:
        """The caller of one event: their own key (from their session state), their session, and the network id
        public-mode limits count them by (from the connection, or X-Forwarded-For behind trusted proxies)."""
        address = client_address(peer, forwarded_for, trusted_proxies)
        return cls(key or None, session or "", network_id(address) if address else "", account or "",
                   judge_name(name))

    @property
    def owner(self) -> str:
        """Whose runs these are, as rows record it: their Hugging Face account, else their key's fingerprint, else
        the browser session; never the key itself."""
        return account_id(self.account) if self.account else owner_id(self.key, self.session)

    @property
    def owners(self) -> frozenset[str]:
        """Every id this visitor's earlier work may be recorded under (a run made with their key before they signed
        in is still theirs once they have)."""
        ids = {owner_id(self.key, self.session), owner_id(None, self.session)}
        return frozenset(ids | ({account_id(self.account)} if self.account else set()))

    @property
    def stable(self) -> bool:
        """Whether their work outlives this tab: found again by key or by sign-in from any browser."""
        return bool(self.key or self.account)

    @property
    def judge(self) -> str:
        """Who a vote of theirs is by: ``hf:<username>`` when signed in (checked by Hugging Face, so it wins), else
        the name they gave, else their owner id (an API client without a name is a judge of its own)."""
        return f"hf:{self.account}" if self.account else (self.name or self.owner)

    @property
    def limited_as(self) -> str:
        """What the public-mode limits count this visitor as: their network, else (no address known) their session."""
        return self.network or f"session:{self.session}"


MAX_NAME = 60


def judge_name(raw: str | None) -> str:
    """A judge's name as given: one line, trimmed, control and line-break characters and lone surrogates dropped
    (it lands in a CSV cell and on the leaderboard), at most ``MAX_NAME`` characters; "" when nothing is left."""
    words = " ".join(str(raw or "").split())  # every line break and space (\u2028, \x85, …) one space
    name = "".join(c for c in words if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF).strip()
    while name.lower().startswith("hf:"):  # only a real sign-in is "hf:<username>"
        name = name[3:].lstrip()
    return name[:MAX_NAME].strip()


def account_id(account: str) -> str:
    """The owner id of a Hugging Face account (usernames are public; the id only keeps rows uniform)."""
    return "h-" + hashlib.sha256(f"seedance-playground-account/{account}".encode()).hexdigest()[:16]


def client_address(peer: str, forwarded_for: str, trusted_proxies: int) -> str:
    """The visitor's IP address: with ``trusted_proxies`` proxies in front of the app, each appending to
    ``X-Forwarded-For``, it is the entry that many places from the right (entries further left are whatever the
    client sent, so they are never trusted); with none, the connection's own peer address."""
    if trusted_proxies > 0:
        hops = [part.strip() for part in (forwarded_for or "").split(",") if part.strip()]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies]
    return peer or ""


def network_id(address: str) -> str:
    """A one-way id for an address; IPv6 counts per /64 (one home or host gets a whole /64 to pick from)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        unit = address or "unknown"
    else:
        mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
        unit = str(mapped or (ipaddress.ip_network(f"{ip}/64", strict=False) if ip.version == 6 else ip))
    return "n-" + hashlib.sha256(f"seedance-playground-network/{unit}".encode()).hexdigest()[:16]


def without_paths(value: T) -> T:
    """An answer as a visitor of a public deployment may receive it: no server path (``video_path``, and an offline
    run's ``file://`` video URL, are blanked wherever they occur; the video reaches them as a file)."""
    if isinstance(value, dict):
        return cast(T, {k: "" if k == "video_path" or (k == "video_url" and str(v).startswith("file:"))
                        else without_paths(v) for k, v in value.items()})
    if isinstance(value, list):
        return cast(T, [without_paths(item) for item in value])
    return value
