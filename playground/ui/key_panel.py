"""The top of every page: the title, where runs go and who pays, and a one-line box for a visitor's fal key.

A visitor's key goes into their session state, nowhere else."""

from __future__ import annotations

import gradio as gr

from playground.ui.errors import user_errors
from playground.views import SessionCalls

TITLE = ('**Seedance Playground** <span class="subtitle">— pick a Seedance tier and a prompt before you pay for them: '
         "every tab is built from the endpoint's own fal schema, with the price and the code beside Run.</span>")


def build_key_panel(sessions: SessionCalls, session: gr.State) -> gr.Markdown:
    """Title, backend line and key row; returns the backend line for page-load updates."""
    gr.Markdown(TITLE, elem_id="header")
    status = gr.Markdown(sessions.backend_status(None), elem_id="backend-status")
    with gr.Row(equal_height=True, visible=sessions.asks_for_key, elem_id="key-row"):
        key_box = gr.Textbox(type="password", show_label=False, scale=4, elem_id="fal-key", max_lines=1,
                             placeholder="Your fal key (key id:secret, from fal.ai → Dashboard → Keys): kept in this "
                                         "browser session only — never logged, saved or shown")
        use = gr.Button("Use my key", variant="secondary", size="md", scale=0, min_width=150, elem_id="fal-key-use")
        forget = gr.Button("Forget my key", size="md", scale=0, min_width=170, elem_id="fal-key-forget")

    @user_errors
    def set_key(raw: str, state: dict) -> tuple[str, dict, str]:
        change = sessions.enter_key(raw)
        return "", {**(state or {}), "key": change.key}, change.backend_line

    def forget_key(state: dict) -> tuple[str, dict, str]:
        return "", {k: v for k, v in (state or {}).items() if k != "key"}, sessions.backend_status(None)

    outputs = [key_box, session, status]
    use.click(set_key, [key_box, session], outputs, api_name="set_key", api_visibility="undocumented",
              show_progress="hidden")
    key_box.submit(set_key, [key_box, session], outputs, api_name="set_key_enter", api_visibility="private",
                   show_progress="hidden")
    forget.click(forget_key, session, outputs, api_name="forget_key", api_visibility="undocumented",
                 show_progress="hidden")
    return status
