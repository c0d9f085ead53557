"""The JSON tab: the named API (`/catalog`, `/estimate`, `/generate`, `/compare`, `/history`) with a face for humans."""

from __future__ import annotations

import json

import gradio as gr

from playground.events import Queued, Submitted
from playground.present import event_text
from playground.request import parse_arguments
from playground.service import Playground, RunResult
from playground.ui.errors import user_errors
from playground.ui.files import served
from playground.ui.session import visitor_of

EXAMPLE = {"prompt": "A paper boat drifts down a rain-soaked street, reflections shimmering", "resolution": "480p",
           "aspect_ratio": "16:9", "duration": "2", "seed": 7}
COMPARE_EXAMPLE = {"prompts": ["A paper boat drifts down a rain-soaked street"],
                   "endpoints": ["fal-ai/bytedance/seedance/v1/lite/text-to-video",
                                 "fal-ai/bytedance/seedance/v1/pro/fast/text-to-video"],
                   "seeds": [7], "arguments": {"resolution": "480p", "duration": "2"}}


def build_api_tab(playground: Playground, session: gr.State) -> None:
    """Components and the four public events; every api_name here is part of the contract."""
    gr.Markdown("Call any endpoint with JSON arguments, exactly as `gradio_client` users do "
                "(`/catalog`, `/estimate`, `/snippets`, `/generate`, `/compare`, `/history`). Image fields take a URL "
                "or a data URI.")
    ids = list(playground.catalog)
    with gr.Row():
        endpoint = gr.Dropdown(ids, value=ids[0], allow_custom_value=True, label="endpoint_id", elem_id="api-endpoint")
        limit = gr.Number(50, precision=0, label="limit (history)", elem_id="api-limit")
    arguments = gr.Textbox(json.dumps(EXAMPLE, indent=2), label="arguments (JSON)", lines=8, elem_id="api-arguments")
    with gr.Row():
        catalog_btn = gr.Button("Catalog", elem_id="api-catalog")
        estimate_btn = gr.Button("Estimate", elem_id="api-estimate")
        snippets_btn = gr.Button("Code", elem_id="api-snippets")
        generate_btn = gr.Button("Generate", variant="primary", elem_id="api-generate")
        history_btn = gr.Button("History", elem_id="api-history")
    with gr.Row(equal_height=False):
        video = gr.Video(label="video", interactive=False, elem_id="api-video")
        output = gr.JSON(label="result", elem_id="api-output")
    spec = gr.Textbox(json.dumps(COMPARE_EXAMPLE, indent=2), label="comparison spec (JSON): prompts, endpoints, "
                      "seeds or random_seeds, arguments, overrides, confirm", lines=8, elem_id="api-spec")
    compare_btn = gr.Button("Compare", elem_id="api-compare")

    def catalog() -> list[dict]:
        return playground.catalog_rows()

    @user_errors
    def estimate(endpoint_id: str, arguments_json: str) -> dict:
        return playground.estimate(endpoint_id, parse_arguments(arguments_json))

    @user_errors
    def code(endpoint_id: str, arguments_json: str) -> dict:
        return playground.snippets(endpoint_id, parse_arguments(arguments_json))

    @user_errors
    async def generate(endpoint_id: str, arguments_json: str, state: dict, request: gr.Request,
                       progress=gr.Progress()):
        arguments = parse_arguments(arguments_json)
        async for event in playground.generate(endpoint_id, arguments, visitor_of(playground, state, request)):
            if isinstance(event, RunResult):
                return served(video, event.video_path), playground.for_visitor(event.as_dict())
            progress(0.0 if isinstance(event, (Submitted, Queued)) else 0.5, desc=event_text(event))
        raise gr.Error("the run ended without a result")

    @user_errors
    async def compare(spec_json: str, state: dict, request: gr.Request, progress=gr.Progress()) -> dict:
        final = None
        async for snapshot in playground.comparisons.run(parse_arguments(spec_json, "spec"),
                                                         visitor_of(playground, state, request)):
            final = snapshot
            finished = sum(snapshot["counts"].values())
            progress((finished, len(snapshot["cells"])), desc=f"{finished} of {len(snapshot['cells'])} cells finished")
        return playground.for_visitor(final)

    def history(count: float | None, state: dict, request: gr.Request) -> list[dict]:
        owner = visitor_of(playground, state, request).owner
        return playground.for_visitor(playground.history(int(count if count is not None else 50), owner))

    catalog_btn.click(catalog, outputs=output, api_name="catalog")
    estimate_btn.click(estimate, [endpoint, arguments], output, api_name="estimate")
    snippets_btn.click(code, [endpoint, arguments], output, api_name="snippets")
    generate_btn.click(generate, [endpoint, arguments, session], [video, output], api_name="generate",
                       concurrency_id="runs", concurrency_limit=4)
    compare_btn.click(compare, [spec, session], output, api_name="compare", concurrency_id="compare",
                      concurrency_limit=4)
    history_btn.click(history, [limit, session], output, api_name="history")
