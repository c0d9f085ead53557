"""Where a session's runs go and what its Cancel did, in words made from what the backends declare
(``backends.registry``): their titles, whether they need a key, whether a cancel reaches them, whether they bill."""

from __future__ import annotations

from playground.backends import BackendKind
from playground.backends.registry import KINDS, Route
from playground.config import PublicMode


def backend_line(route: Route, own_key: bool, server_key: bool, public: PublicMode) -> str:
    """One line saying where a session's runs go and who pays (``server_key``: the server's key is theirs to use)."""
    keyed, keyless = route.keyed, route.keyless
    if keyed is None:  # PLAYGROUND_BACKEND names a backend that needs no key
        if keyless is None:
            return f"**No backend** (PLAYGROUND_BACKEND={route.choice}): no run can start."
        return f"**Backend: {keyless.title}** (PLAYGROUND_BACKEND={route.choice}): {keyless.about}."
    if own_key:
        return f"**Backend: {keyed.title}**, billed to **your key** (held in this browser session only)."
    if server_key and public.on:
        return (f"**Backend: {keyed.title}**, on **the demo's shared key**: up to ${public.session_cap_usd:.2f} per "
                f"visitor and ${public.daily_cap_usd:.2f} a day in all. Enter your own key to go further.")
    if server_key:
        return (f"**Backend: {keyed.title}**, billed to **the server's key** (FAL_KEY). Enter your own key to use it "
                "instead.")
    if keyless is None:
        return (f"**Backend: {keyed.title}** (PLAYGROUND_BACKEND={route.choice}), but **no key yet**: enter yours "
                "to run.")
    return f"**Backend: {keyless.title}** — {keyless.about}. Enter your {keyed.name} key to run on {keyed.title}."


def cancel_line(kind: BackendKind | None, route: Route) -> str:
    """What a tab's Cancel did, for the kind of backend its runs go to (None: no run could start, for want of a
    key): a cancel sent to the service that runs it, or the work stopped on this server."""
    if kind is None:
        needs = route.keyed.title if route.keyed else "the backend"
        return f"**cancelled** · no run could start here ({needs} needs a key), so nothing was sent"
    if kind.can_cancel:
        did = f"a cancel was sent to {kind.title}; a result {kind.name} had already finished is kept"
    else:
        remote = " or ".join(k.title for k in KINDS.values() if k.can_cancel)
        did = (f"the {kind.title} stopped rendering on this server (nothing was sent{f' to {remote}' if remote else ''}"
               f", {'what it did may be billed' if kind.paid else 'nothing is charged'})")
    return f"**cancelled** · {did} · the run's row in History says how it ended"
