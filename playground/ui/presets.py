"""One "save as preset" panel for the whole page: a tab's button fills it with that tab's form.

Endpoint tabs are built when first shown (see ``endpoint_tabs``), after this panel is wired; so a save does not
update their preset lists itself: it bumps ``revision``, which every built tab's list listens to."""

from __future__ import annotations

from typing import Any

import gradio as gr

from playground.ui.errors import user_errors
from playground.ui.widgets import FORM_EVENT, FieldWidgets, components, read_form
from playground.views import Endpoint, EndpointTabCalls

SCROLL_TO_PANEL = "() => document.getElementById('preset-saver')?.scrollIntoView({behavior: 'smooth', block: 'center'})"


class PresetSaver:
    """The panel (hidden until a tab asks), the draft it would save, and a revision the tabs' lists follow."""

    def __init__(self, tabs: EndpointTabCalls):
        self.tabs = tabs
        self.available = tabs.can_save_presets
        self.revision = gr.State(0)  # bumped by every save
        self.draft = gr.State(None)  # {"endpoint_id", "form"} of the tab that opened the panel
        with gr.Group(visible=False, elem_id="preset-saver") as self.panel:
            self.heading = gr.Markdown()
            with gr.Row(equal_height=True):
                self.name = gr.Textbox(label="Name", scale=2, elem_id="preset-saver-name")
                self.note = gr.Textbox(label="What it is for", scale=3, elem_id="preset-saver-note")
                self.save = gr.Button("Save", variant="primary", scale=0, min_width=90, elem_id="preset-saver-save")
                self.close = gr.Button("Close", scale=0, min_width=90, elem_id="preset-saver-close")
            # no LaTeX: a name like "$$x$$" is shown as typed
            self.saved = gr.Markdown(elem_id="preset-saver-result", latex_delimiters=[])

        @user_errors
        def save(draft: dict | None, name: str, note: str, revision: int) -> tuple[Any, Any]:
            """Say what happened; only a save that wrote a preset makes the built tabs' lists refresh."""
            if not draft:
                return gr.skip(), gr.skip()
            message, written = self.tabs.save_preset_view(name, draft["endpoint_id"], draft["form"], note)
            return message, revision + 1 if written else gr.skip()

        self.save.click(save, [self.draft, self.name, self.note, self.revision], [self.saved, self.revision],
                        api_name="preset_save", api_visibility="private")
        self.close.click(lambda: gr.update(visible=False), outputs=self.panel, api_name="preset_close",
                         api_visibility="private")

    def wire(self, button: gr.Button, endpoint: Endpoint, widgets: list[FieldWidgets], choices: gr.Dropdown) -> None:
        """A tab's "Save this form as a preset…" button opens the panel with that tab's form; its preset list
        follows every save."""
        self.revision.change(lambda: gr.update(choices=self.tabs.preset_labels(endpoint.endpoint_id)),
                             outputs=choices, api_name=f"preset_list_{endpoint.slug}", api_visibility="private",
                             show_progress="hidden")

        def open_panel(data: dict) -> tuple[Any, str, dict, str]:
            draft = {"endpoint_id": endpoint.endpoint_id, "form": read_form(widgets, data)}
            return gr.update(visible=True), f"Save the **{endpoint.label}** form as a preset", draft, ""

        button.click(open_panel, inputs=set(components(widgets)), outputs=[self.panel, self.heading, self.draft,
                                                                           self.saved],
                     api_name=f"preset_draft_{endpoint.slug}", **FORM_EVENT).then(
            None, js=SCROLL_TO_PANEL, api_visibility="private")
