"""Who a visitor is beyond this tab: the name their votes carry (remembered by their browser), their Hugging Face
sign-in on a Space with OAuth, and — on a public deployment with neither a key nor a sign-in — a notice that their
work is tied to this tab. The sign-in lands in the session's state; the name is read from its box by each event
that votes (``visitor_of(..., name=…)``), so nothing races to write the state.

The name is kept in the page's localStorage by two small page-side handlers, each inside try/catch: in a
cross-origin iframe (an embedded Space) the browser may deny storage, and a throw there would stop the page's
other load events. (Gradio's ``BrowserState`` does throw there.)"""

from __future__ import annotations

from typing import Any

import gradio as gr

from playground.views import SessionCalls

NAME_KEY = "seedance-playground-judge"
PRIVATE: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden", "queue": False}
RECALL = f"() => {{ try {{ return localStorage.getItem('{NAME_KEY}') || ''; }} catch (e) {{ return ''; }} }}"
REMEMBER = f"(name) => {{ try {{ localStorage.setItem('{NAME_KEY}', name || ''); }} catch (e) {{}} }}"


def build_identity(sessions: SessionCalls, session: gr.State, demo: gr.Blocks) -> gr.Textbox:
    """The "judging as" row and the notice; returns the name box the voting events read."""
    with gr.Row(equal_height=True, elem_id="identity-row"):
        hint = ("signed in with Hugging Face, your votes carry your username" if sessions.signs_in
                else "empty: your votes count as this session's")
        name = gr.Textbox(label="Your name, on the votes you give", max_lines=1, scale=3, elem_id="judge-name",
                          placeholder=f"e.g. Ada — remembered by this browser; {hint}")
        if sessions.signs_in:
            gr.LoginButton(scale=0, min_width=220, elem_id="hf-login")
    notice = gr.Markdown(elem_id="identity-notice")

    demo.load(None, None, name, js=RECALL, api_name="judge_name_recall", **PRIVATE)
    name.change(None, name, None, js=REMEMBER, api_name="judge_name_remember", **PRIVATE)

    def signed_in(state: dict, profile: gr.OAuthProfile | None) -> tuple[dict, str]:
        account = (getattr(profile, "username", "") or "") if profile is not None else ""
        state = {**(state or {}), "account": account}
        return state, sessions.identity_notice(state.get("key"), account)

    demo.load(signed_in, session, [session, notice], api_name="identity", api_visibility="private",
              show_progress="hidden")
    session.change(lambda state: sessions.identity_notice((state or {}).get("key"), (state or {}).get("account")),
                   session, notice, api_name="identity_notice", api_visibility="private", show_progress="hidden")
    return name
