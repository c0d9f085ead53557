"""Who a visitor is beyond this tab: the name their votes carry (remembered by their browser), their Hugging Face
sign-in on a Space with OAuth, and — on a public deployment with neither a key nor a sign-in — a notice that their
work is tied to this tab. All of it lands in the session's state, which every event turns into the core's Visitor."""

from __future__ import annotations

from typing import Any

import gradio as gr

from playground.views import SessionCalls

# Not a secret: the name is public on the leaderboard; a fixed key lets any replica, and the next start, read it back.
NAME_KEY, NAME_SECRET = "seedance-playground-judge", "seedance-playground-judge-name"
PRIVATE: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}


def build_identity(sessions: SessionCalls, session: gr.State, demo: gr.Blocks) -> None:
    """The "judging as" row and the notice; filled in from the browser and the sign-in when the page loads."""
    remembered = gr.BrowserState("", storage_key=NAME_KEY, secret=NAME_SECRET)
    with gr.Row(equal_height=True, elem_id="identity-row"):
        name = gr.Textbox(label="Your name, on the votes you give", max_lines=1, scale=3, elem_id="judge-name",
                          placeholder="e.g. Ada — remembered by this browser; empty: votes count as this session's")
        if sessions.signs_in:
            gr.LoginButton(scale=0, min_width=220, elem_id="hf-login")
    notice = gr.Markdown(elem_id="identity-notice")

    def load(saved: str, state: dict, profile: gr.OAuthProfile | None) -> tuple[str, dict, str]:
        account = getattr(profile, "username", "") or "" if profile is not None else ""
        state = {**(state or {}), "name": sessions.judge_name(saved), "account": account}
        return state["name"], state, sessions.identity_notice(state.get("key"), account)

    demo.load(load, [remembered, session], [name, session, notice], api_name="identity", **PRIVATE)

    def rename(typed: str, state: dict) -> tuple[dict, str]:
        given = sessions.judge_name(typed)
        return {**(state or {}), "name": given}, given

    name.change(rename, [name, session], [session, remembered], api_name="judge_name", **PRIVATE)
    session.change(lambda state: sessions.identity_notice((state or {}).get("key"), (state or {}).get("account")),
                   session, notice, api_name="identity_notice", **PRIVATE)
