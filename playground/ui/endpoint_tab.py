"""One tab per endpoint: a Run bar with the price on top, the schema-built form, the problems and estimate,
one code pane (request JSON or client code), then the run's progress and result.

Each event asks the core once: ``form_view`` while the form changes, ``run_form`` for Run. Input problems are
listed (and Run is off) before anything is sent; a refused run says why in its result, not in a pop-up.

The result's player and the run's logs appear when Run is pressed (the player shows the run's progress, then the
video): until then the page mounts neither, nor loads Gradio's video player (hls.js, 156 KB), on the first load or
a tab's first showing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import gradio as gr

from playground.ui.errors import user_errors
from playground.ui.files import served
from playground.ui.presets import PresetSaver
from playground.ui.session import visitor_of
from playground.ui.widgets import (
    FORM_EVENT,
    Start,
    build_fields,
    changes,
    components,
    default_form,
    read_form,
    write_form,
)
from playground.views import CODE_LANGUAGES, Endpoint, EndpointTabCalls, SessionCalls

CODE_SYNTAX = {"Request JSON": "json", "Python": "python", "JavaScript": "javascript", "cURL": "shell"}


def build_endpoint_tab(tabs: EndpointTabCalls, sessions: SessionCalls, endpoint: Endpoint, session: gr.State,
                       saver: PresetSaver, form: dict | None = None) -> None:
    """Lay out one endpoint's tab, its fields showing ``form`` (a restored run) or their defaults, and wire its
    events."""
    slug = endpoint.slug
    title = gr.Markdown(tabs.title(endpoint), elem_id=f"{slug}-title")
    with gr.Row(equal_height=True, elem_classes=["run-bar"]):  # stays in sight: the price, Run, and how the run goes
        price = gr.Markdown(elem_id=f"{slug}-price", elem_classes=["run-price"])
        run = gr.Button("Run", variant="primary", elem_id=f"{slug}-run", scale=0, min_width=120)
        cancel = gr.Button("Cancel", variant="stop", elem_id=f"{slug}-cancel", scale=0, min_width=100)
        status = gr.Markdown(elem_id=f"{slug}-status", elem_classes=["run-state"])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            preset = gr.Dropdown(tabs.preset_labels(endpoint.endpoint_id), value=None, interactive=True,
                                 label="Start from a preset", elem_id=f"{slug}-preset")
            widgets = build_fields(tabs.form_layout(endpoint.endpoint_id), Start(form, anchor=title))
            save = gr.Button("Save this form as a preset…", size="sm", elem_id=f"{slug}-preset-save",
                             visible=saver.available)
        with gr.Column(scale=2):
            estimate_md = gr.Markdown(elem_id=f"{slug}-estimate", elem_classes=["estimate"])
            language = gr.Radio(list(CODE_LANGUAGES), value=CODE_LANGUAGES[0], interactive=True, show_label=False,
                                container=False, elem_id=f"{slug}-code-language", elem_classes=["compact-radio"])
            code = gr.Code(language="json", interactive=False, show_label=False, elem_id=f"{slug}-code")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            video = gr.Video(label="Result", elem_id=f"{slug}-video", interactive=False, autoplay=True, loop=True,
                             visible=False)
        with gr.Column(scale=2):
            result_md = gr.Markdown(elem_id=f"{slug}-result")
            with gr.Accordion("Logs and run details", open=False, visible=False, elem_id=f"{slug}-run-log") as run_log:
                logs = gr.Textbox(label="Logs", lines=6, max_lines=12, interactive=False, elem_id=f"{slug}-logs")
                details = gr.JSON(label="Run details", elem_id=f"{slug}-details")

    first = tabs.form_view(endpoint.endpoint_id, default_form(widgets))
    price.value, estimate_md.value, code.value, run.interactive = (first.price, first.estimate,
                                                                   first.code[CODE_LANGUAGES[0]], first.can_run)
    fields = components(widgets)

    def show_form(data: dict) -> tuple[str, str, Any, Any]:
        view = tabs.form_view(endpoint.endpoint_id, read_form(widgets, data))
        chosen = data[language] or CODE_LANGUAGES[0]
        return (view.price, view.estimate, gr.update(value=view.code[chosen], language=CODE_SYNTAX[chosen]),
                gr.update(interactive=view.can_run))

    gr.on(changes(fields) + [language.change], show_form, inputs={*fields, language},
          outputs=[price, estimate_md, code, run], show_progress="hidden", trigger_mode="always_last",
          api_name=f"preview_{slug}", **FORM_EVENT)

    async def run_tab(data: dict, request: gr.Request) -> AsyncIterator[dict[gr.components.Component, Any]]:
        visitor = visitor_of(sessions, data[session], request)
        player: dict[str, Any] = {"visible": True}  # the first answer ("submitting…") shows the player and logs
        async for view in tabs.run_form(endpoint.endpoint_id, read_form(widgets, data), visitor):
            if view.video is not None:
                player["value"] = served(video, view.video)
            yield {status: gr.skip() if view.status is None else view.status,
                   logs: gr.skip() if view.logs is None else view.logs,
                   result_md: gr.skip() if view.result is None else view.result,
                   details: gr.skip() if view.details is None else view.details,
                   video: gr.update(**player) if player else gr.skip(),
                   run_log: gr.update(visible=True) if "visible" in player else gr.skip()}
            player = {}

    running = run.click(run_tab, inputs={*fields, session}, outputs=[status, logs, result_md, details, video, run_log],
                        api_name=f"run_{slug}", concurrency_id="runs", concurrency_limit=4, show_progress="minimal",
                        show_progress_on=[video], **FORM_EVENT)  # the Run bar's status line says it in words
    cancel.click(lambda state: tabs.cancel_note((state or {}).get("key")), session, status, cancels=[running],
                 api_name=f"cancel_{slug}", api_visibility="private", show_progress="hidden")  # on this backend
    @user_errors
    def load_preset(label: str | None) -> Any:
        return write_form(widgets, tabs.preset_form(label)[1]) if label else gr.skip()

    preset.input(load_preset, preset, fields, api_name=f"preset_load_{slug}", api_visibility="private")
    saver.wire(save, endpoint, widgets, preset)
