"""The facade's calls about who is calling (``Playground.sessions``): the Visitor of an event, their key, the line
saying where their runs go and who pays, and answers as they may see them.

A visitor's key is never kept here: it arrives with each call (from their session state) and is used for that call.
"""

from __future__ import annotations

from typing import TypeVar

from playground.backend_present import backend_line
from playground.config import PublicMode, oauth_configured
from playground.keys import clean_key, fingerprint
from playground.launcher import Launcher
from playground.present import KeyChange
from playground.recovery import Recovery
from playground.visitor import Visitor, without_paths

T = TypeVar("T")


class SessionCalls:
    """The key panel's calls, and the Visitor every other part is called with."""

    def __init__(self, launcher: Launcher, recovery: Recovery, public: PublicMode):
        self.launcher, self.recovery, self.public = launcher, recovery, public

    def visitor(self, key: str | None = None, session: str = "", peer: str = "", forwarded_for: str = "",
                account: str = "", name: str = "") -> Visitor:
        """The caller of one event (see ``Visitor.of``)."""
        return Visitor.of(key, session, peer, forwarded_for, self.public.trusted_proxies, account, name)

    @property
    def signs_in(self) -> bool:
        """Whether the page offers "Sign in with Hugging Face" (a Space with ``hf_oauth: true``)."""
        return oauth_configured()

    def identity_notice(self, key: str | None, account: str | None) -> str:
        """On a public deployment, for a visitor with neither a key nor a sign-in: their work is tied to this tab."""
        if not self.public.on or key or account:
            return ""
        how = "enter your fal key" + (" or sign in with Hugging Face" if self.signs_in else "")
        return (f"ℹ️ Your runs, comparisons and votes are tied to **this browser tab**: {how} to find them again "
                "after a reload or from another browser.")

    @property
    def asks_for_key(self) -> bool:
        return self.launcher.route.keyed is not None  # PLAYGROUND_BACKEND=auto or a backend that needs a key

    def backend_status(self, session_key: str | None) -> str:
        """One line saying where this session's runs go and who pays (shown at the top of every page)."""
        launcher = self.launcher
        return backend_line(launcher.route, bool(session_key), launcher.key_for(None) is not None, self.public)

    def use_key(self, raw: str | None) -> str:
        """Check a visitor's key and return it for their session; runs of theirs still in the journal resume."""
        key = clean_key(raw)
        self.recovery.resume({fingerprint(key): key})
        return key

    def enter_key(self, raw: str | None) -> KeyChange:
        key = self.use_key(raw)
        return KeyChange(key, self.backend_status(key))

    def for_visitor(self, value: T) -> T:
        """An answer as a visitor may receive it (on a public deployment, without server paths)."""
        return without_paths(value) if self.public.on else value
