"""One "save as preset" panel for the whole page: a tab's button fills it with that tab's form."""

from __future__ import annotations

import gradio as gr

from playground.service import Playground
from playground.ui.errors import user_errors
from playground.ui.widgets import FORM_EVENT, FieldWidgets, components, read_form
from playground.views import Endpoint

SCROLL_TO_PANEL = "() => document.getElementById('preset-saver')?.scrollIntoView({behavior: 'smooth', block: 'center'})"


class PresetSaver:
    """The panel (hidden until a tab asks), the draft it would save, and every tab's preset list to refresh."""

    def __init__(self, playground: Playground):
        self.playground = playground
        self.available = playground.can_save_presets
        self.lists: dict[str, gr.Dropdown] = {}
        self.draft = gr.State(None)  # {"endpoint_id", "form"} of the tab that opened the panel
        with gr.Group(visible=False, elem_id="preset-saver") as self.panel:
            self.heading = gr.Markdown()
            with gr.Row(equal_height=True):
                self.name = gr.Textbox(label="Name", scale=2, elem_id="preset-saver-name")
                self.note = gr.Textbox(label="What it is for", scale=3, elem_id="preset-saver-note")
                self.save = gr.Button("Save", variant="primary", scale=0, min_width=90, elem_id="preset-saver-save")
                self.close = gr.Button("Close", scale=0, min_width=90, elem_id="preset-saver-close")
            self.saved = gr.Markdown(elem_id="preset-saver-result")

    def wire(self, button: gr.Button, endpoint: Endpoint, widgets: list[FieldWidgets], choices: gr.Dropdown) -> None:
        """A tab's "Save this form as a preset…" button opens the panel with that tab's form."""
        self.lists[endpoint.endpoint_id] = choices

        def open_panel(data: dict):
            draft = {"endpoint_id": endpoint.endpoint_id, "form": read_form(widgets, data)}
            return gr.update(visible=True), f"Save the **{endpoint.label}** form as a preset", draft, ""

        button.click(open_panel, inputs=set(components(widgets)), outputs=[self.panel, self.heading, self.draft,
                                                                           self.saved],
                     api_name=f"preset_draft_{endpoint.slug}", **FORM_EVENT).then(
            None, js=SCROLL_TO_PANEL, api_visibility="private")

    def finish(self) -> None:
        """Wire Save and Close once every tab has registered its preset list."""
        lists = list(self.lists.items())

        @user_errors
        def save(draft: dict | None, name: str, note: str):
            if not draft:
                return [gr.skip()] * (len(lists) + 1)
            saved = self.playground.save_preset_view(name, draft["endpoint_id"], draft["form"], note)
            return [saved.message, *(gr.update(choices=saved.labels[endpoint_id]) for endpoint_id, _ in lists)]

        self.save.click(save, [self.draft, self.name, self.note], [self.saved, *(dropdown for _, dropdown in lists)],
                        api_name="preset_save", api_visibility="private")
        self.close.click(lambda: gr.update(visible=False), outputs=self.panel, api_name="preset_close",
                         api_visibility="private")
