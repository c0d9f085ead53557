"""The key box at the top of every page: a visitor's fal key goes into their session state, nowhere else."""

from __future__ import annotations

import gradio as gr

from playground.service import Playground
from playground.ui.errors import user_errors


def build_key_panel(playground: Playground, session: gr.State) -> gr.Markdown:
    """Key field, use/forget buttons and the backend line; returns the backend line for page-load updates."""
    with gr.Row(equal_height=False, visible=playground.backend_choice != "offline"):
        key_box = gr.Textbox(type="password", label="Your fal key", scale=4, elem_id="fal-key", max_lines=1,
                             placeholder="key id:secret — from fal.ai → Dashboard → Keys",
                             info="Kept in this browser session only (gone when you close the tab): never logged, "
                                  "saved, sent anywhere but fal.ai, or shown.")
        with gr.Column(scale=1, min_width=180):
            use = gr.Button("Use my key", variant="secondary", size="md", elem_id="fal-key-use")
            forget = gr.Button("Forget my key", size="md", elem_id="fal-key-forget")
    status = gr.Markdown(playground.backend_status(None), elem_id="backend-status")

    @user_errors
    def set_key(raw: str, state: dict):
        key = playground.use_key(raw)
        return "", {**(state or {}), "key": key}, playground.backend_status(key)

    def forget_key(state: dict):
        return "", {k: v for k, v in (state or {}).items() if k != "key"}, playground.backend_status(None)

    outputs = [key_box, session, status]
    use.click(set_key, [key_box, session], outputs, api_name="set_key", api_visibility="undocumented",
              show_progress="hidden")
    key_box.submit(set_key, [key_box, session], outputs, api_name="set_key_enter", api_visibility="private",
                   show_progress="hidden")
    forget.click(forget_key, session, outputs, api_name="forget_key", api_visibility="undocumented",
                 show_progress="hidden")
    return status
