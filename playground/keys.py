"""fal keys: checked when a visitor enters one, fingerprinted for the journal, scrubbed from any text we show.

A key itself is only ever held by the Playground (the server's) or a session's ``gr.State`` (a visitor's);
everything that is written or shown uses the fingerprint or nothing.
"""

from __future__ import annotations

import hashlib
import re

from playground.errors import InputError

MAX_KEY_LENGTH = 512
_KEY_SHAPE = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no spaces: fal keys look like "<uuid>:<hex>"


def clean_key(raw: str | None) -> str:
    """The key as typed, trimmed; InputError (without echoing it) when it cannot be a fal key."""
    key = (raw or "").strip()
    if key.lower().startswith("key "):
        key = key[4:].strip()  # pasted with the header's "Key " prefix
    if not key:
        raise InputError([("fal_key", "is empty; paste the key from fal.ai → Dashboard → Keys")])
    if len(key) > MAX_KEY_LENGTH or not _KEY_SHAPE.match(key):
        raise InputError([("fal_key", "does not look like a fal key (expected something like <key id>:<secret>)")])
    return key


def fingerprint(key: str) -> str:
    """A short one-way id of a key: lets the journal say which key a run needs without holding the key."""
    return hashlib.sha256(f"seedance-playground/{key}".encode()).hexdigest()[:16]


def redact(text: str, keys: tuple[str | None, ...]) -> str:
    """``text`` with every given key (and its secret half) replaced, as a last line of defence."""
    for key in keys:
        if not key:
            continue
        for part in [key, *sorted((p for p in key.split(":") if len(p) >= 8), key=len, reverse=True)]:
            text = text.replace(part, "[key]")
    return text


def owner_id(session_key: str | None, session: str | None) -> str:
    """Whose run a row is: the visitor's key (stable across visits) or else their browser session; never the key."""
    if session_key:
        return "k-" + fingerprint(session_key)
    return "s-" + hashlib.sha256(f"seedance-playground-session/{session or ''}".encode()).hexdigest()[:16]
