"""One tab per endpoint: schema-built form, live estimate/request/snippets beside Run, progress, result."""

from __future__ import annotations

import gradio as gr

from playground.catalog import Endpoint
from playground.events import Completed, InProgress, Queued, Submitted
from playground.form import arguments_from_form
from playground.present import estimate_markdown, event_text, result_markdown
from playground.service import Playground, RunResult
from playground.ui.errors import user_errors
from playground.ui.files import served
from playground.ui.session import visitor_of
from playground.ui.widgets import FieldWidgets, build_fields, default_form, read_form, write_form

MAX_LOG_LINES = 200


def _preview_outputs(playground: Playground, endpoint: Endpoint, form: dict) -> tuple[str, str, str, str, str]:
    preview = playground.preview(endpoint.endpoint_id, arguments_from_form(endpoint, form, embed_files=False))
    return (estimate_markdown(preview.estimate, preview.problems), preview.request_json,
            preview.snippets["python"], preview.snippets["javascript"], preview.snippets["curl"])


def build_endpoint_tab(playground: Playground, endpoint: Endpoint, session: gr.State) -> list[FieldWidgets]:
    """Lay out one endpoint's tab and wire its events (preview, run, cancel, presets); returns its fields."""
    slug = endpoint.slug
    gr.Markdown(f"**{endpoint.label}** · `{endpoint.endpoint_id}`", elem_id=f"{slug}-title")
    if endpoint.retired:
        gr.Markdown(f"⚠️ **Retired**: fal no longer serves this endpoint ({endpoint.retired}). Runs on fal will "
                    "likely fail; the offline preview and your history still work.", elem_id=f"{slug}-retired")
    if endpoint.notes:
        with gr.Accordion("Notes on this endpoint's facts", open=False):
            gr.Markdown("\n".join(f"- {note}" for note in endpoint.notes))
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            with gr.Row(equal_height=True):
                preset = gr.Dropdown([p.label for p in playground.presets.for_endpoint(endpoint.endpoint_id)],
                                     value=None, label="Preset", scale=3, elem_id=f"{slug}-preset")
                load = gr.Button("Load preset", scale=1, elem_id=f"{slug}-preset-load")
            widgets = build_fields(endpoint)
            with gr.Row():
                run = gr.Button("Run", variant="primary", elem_id=f"{slug}-run")
                cancel = gr.Button("Cancel", variant="stop", elem_id=f"{slug}-cancel")
            with gr.Accordion("Save as preset", open=False):
                with gr.Row(equal_height=True):
                    preset_name = gr.Textbox(label="Name", scale=2, elem_id=f"{slug}-preset-name")
                    preset_note = gr.Textbox(label="What it is for", scale=3, elem_id=f"{slug}-preset-note")
                    save = gr.Button("Save", scale=1, elem_id=f"{slug}-preset-save")
                saved_md = gr.Markdown(elem_id=f"{slug}-preset-saved")
        with gr.Column(scale=2):
            initial = _preview_outputs(playground, endpoint, default_form(widgets))
            estimate_md = gr.Markdown(initial[0], elem_id=f"{slug}-estimate")
            with gr.Tabs():
                with gr.Tab("Request JSON"):
                    request_code = gr.Code(initial[1], language="json", elem_id=f"{slug}-request", interactive=False)
                with gr.Tab("Python"):
                    python_code = gr.Code(initial[2], language="python", elem_id=f"{slug}-python", interactive=False)
                with gr.Tab("JavaScript"):
                    js_code = gr.Code(initial[3], language="javascript", elem_id=f"{slug}-javascript", interactive=False)
                with gr.Tab("cURL"):
                    curl_code = gr.Code(initial[4], language="shell", elem_id=f"{slug}-curl", interactive=False)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            video = gr.Video(label="Result", elem_id=f"{slug}-video", interactive=False, autoplay=True, loop=True)
        with gr.Column(scale=2):
            status = gr.Markdown("", elem_id=f"{slug}-status")
            result_md = gr.Markdown("", elem_id=f"{slug}-result")
            logs = gr.Textbox(label="Logs", lines=6, max_lines=12, interactive=False, elem_id=f"{slug}-logs")
            details = gr.JSON(label="Run details", elem_id=f"{slug}-details")

    inputs = {c for w in widgets for c in w.components}

    def preview(data: dict):
        return _preview_outputs(playground, endpoint, read_form(widgets, data))

    gr.on([c.change for c in inputs], preview, inputs=inputs,
          outputs=[estimate_md, request_code, python_code, js_code, curl_code], show_progress="hidden",
          trigger_mode="always_last", api_name=f"preview_{slug}", api_visibility="private")

    @user_errors
    async def run_tab(data: dict, request: gr.Request, progress=gr.Progress()):
        arguments = arguments_from_form(endpoint, read_form(widgets, data))
        lines: list[str] = []
        yield {status: "submitting…", logs: "", result_md: "", details: None, video: None}
        async for event in playground.generate(endpoint.endpoint_id, arguments,
                                               visitor_of(playground, data[session], request)):
            if isinstance(event, RunResult):
                outcome = event.as_dict()
                yield {status: "", result_md: result_markdown(outcome), details: playground.for_visitor(outcome),
                       video: served(video, event.video_path)}
                return
            if isinstance(event, (InProgress, Completed)):
                lines = (lines + list(event.logs))[-MAX_LOG_LINES:]
            if isinstance(event, (Submitted, Queued)):
                progress(0.0, desc=event_text(event))
            elif isinstance(event, InProgress):
                progress(0.5, desc=(lines[-1] if lines else "in progress")[:90])
            yield {status: event_text(event), logs: "\n".join(lines)}

    running = run.click(run_tab, inputs=inputs | {session}, outputs=[status, logs, result_md, details, video],
                        api_name=f"run_{slug}", api_visibility="private", concurrency_id="runs", concurrency_limit=4)

    def cancelled() -> str:
        return ("**cancelled**: the backend was told to stop (a real cancel on fal.ai); the run's row in the "
                "results log says how it ended")

    cancel.click(cancelled, outputs=status, cancels=[running], api_name=f"cancel_{slug}", api_visibility="private")

    components = [c for w in widgets for c in w.components]

    @user_errors
    def load_preset(label: str):
        _, form = playground.preset_form(label)
        return write_form(widgets, form)

    load.click(load_preset, preset, components, api_name=f"preset_load_{slug}", api_visibility="private")

    @user_errors
    def save_preset(data: dict):
        label = playground.save_preset(data[preset_name], endpoint.endpoint_id, read_form(widgets, data), data[preset_note])
        choices = [p.label for p in playground.presets.for_endpoint(endpoint.endpoint_id)]
        return {preset: gr.update(choices=choices, value=label), saved_md: f"Saved **{label}**."}

    save.click(save_preset, inputs=inputs | {preset_name, preset_note}, outputs=[preset, saved_md],
               api_name=f"preset_save_{slug}", api_visibility="private")
    return widgets
