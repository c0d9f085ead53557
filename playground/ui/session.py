"""A visitor's session at the UI edge: the key, sign-in and judge name in their ``gr.State`` and their request become
the core's Visitor."""

from __future__ import annotations

import gradio as gr

from playground.views import SessionCalls, Visitor


def visitor_of(sessions: SessionCalls, state: dict | None, request: gr.Request | None, name: str | None = None
               ) -> Visitor:
    """Who is calling this event: the key and sign-in from their session state, the judge name from its box (for
    events that vote), their session hash and their address."""
    state = state or {}
    who = {"account": state.get("account") or "", "name": name or ""}
    if request is None:
        return sessions.visitor(state.get("key"), **who)
    headers = request.headers or {}
    peer = request.client.host if request.client else ""
    return sessions.visitor(state.get("key"), request.session_hash or "", peer, headers.get("x-forwarded-for", ""),
                            **who)
