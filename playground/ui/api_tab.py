"""The JSON tab: the named API (`/catalog`, `/estimate`, `/generate`, `/compare`, `/history`, `/vote`, `/judge`,
`/signals`, `/leaderboard`, `/decide`, `/export_row`) with a face for humans."""

from __future__ import annotations

import json
from typing import Any

import gradio as gr

from playground.errors import RunError
from playground.ui.errors import user_errors
from playground.ui.files import served
from playground.ui.session import visitor_of
from playground.views import Answer, NamedApi, SessionCalls

EXAMPLE = {"prompt": "A paper boat drifts down a rain-soaked street, reflections shimmering", "resolution": "480p",
           "aspect_ratio": "16:9", "duration": "2", "seed": 7}
COMPARE_EXAMPLE = {"prompts": ["A paper boat drifts down a rain-soaked street"],
                   "endpoints": ["fal-ai/bytedance/seedance/v1/lite/text-to-video",
                                 "fal-ai/bytedance/seedance/v1/pro/fast/text-to-video"],
                   "seeds": [7], "arguments": {"resolution": "480p", "duration": "2"}}


SHOW_VIDEO: dict[str, Any] = {"api_name": "show_generated_video", "api_visibility": "private", "queue": False,
                              "show_progress": "hidden"}


def show_video() -> Any:
    """The API tab's player, shown with its first clip (a step of the page's own, so /generate's answer stays the
    clip): a player anywhere on the page, even in a tab not yet opened, loads Gradio's hls.js (156 KB) at once."""
    return gr.update(visible=True)


def build_api_tab(api: NamedApi, sessions: SessionCalls, session: gr.State) -> None:
    """Components and the named API's events; every api_name here is a contract (README, "Named API")."""
    gr.Markdown("Call any endpoint with JSON arguments, exactly as `gradio_client` users do "
                "(`/catalog`, `/estimate`, `/snippets`, `/generate`, `/compare`, `/history`, `/vote`, `/judge`, `/signals`, "
                "`/leaderboard`, `/decide`, "
                "`/export_row`). "
                "Image fields take a URL or a data URI.")
    ids = [row["endpoint_id"] for row in api.catalog()]
    with gr.Row():
        endpoint = gr.Dropdown(ids, value=ids[0], allow_custom_value=True, label="endpoint_id", elem_id="api-endpoint")
        # Text, not gr.Number: Gradio's number box refuses "abc" with its own opaque error before the core can say
        # "limit: …"; the core reads a number or its text (``history_limit``).
        limit = gr.Textbox("50", label="limit (history)", max_lines=1, elem_id="api-limit")
    arguments = gr.Textbox(json.dumps(EXAMPLE, indent=2), label="arguments (JSON)", lines=8, elem_id="api-arguments")
    with gr.Row():
        catalog_btn = gr.Button("Catalog", elem_id="api-catalog")
        estimate_btn = gr.Button("Estimate", elem_id="api-estimate")
        snippets_btn = gr.Button("Code", elem_id="api-snippets")
        generate_btn = gr.Button("Generate", variant="primary", elem_id="api-generate")
        history_btn = gr.Button("History", elem_id="api-history")
    with gr.Row(equal_height=False):
        video = gr.Video(label="video", interactive=False, elem_id="api-video", visible=False)  # see show_video
        output = gr.JSON(label="result", elem_id="api-output")
    spec = gr.Textbox(json.dumps(COMPARE_EXAMPLE, indent=2), label="comparison spec (JSON): prompts, endpoints, "
                      "seeds or random_seeds, arguments, overrides, confirm", lines=8, elem_id="api-spec")
    compare_btn = gr.Button("Compare", elem_id="api-compare")
    with gr.Row(equal_height=True):
        batch_id = gr.Textbox(label="batch_id (vote)", elem_id="api-vote-batch")
        row = gr.Textbox(label="row: prompt index × seed, e.g. 1 × 7", elem_id="api-vote-row")
        choice = gr.Textbox(label="choice: a clip letter, tie or none", elem_id="api-vote-choice")
        judge = gr.Textbox("", label="judge: your name (optional; without one your votes count as this client's)",
                           elem_id="api-vote-judge")
        vote_btn = gr.Button("Vote", elem_id="api-vote")
    with gr.Row(equal_height=True):
        model_judge = gr.Textbox("", label="model judge for the row (empty: the default; see the Compare tab's list)",
                                 elem_id="api-judge-name")
        judge_btn = gr.Button("Judge row (a model on fal, billed)", elem_id="api-judge")
        run_id = gr.Textbox("", label="run_id (signals)", elem_id="api-signals-run")
        signals_btn = gr.Button("Signals", elem_id="api-signals")
    with gr.Row(equal_height=True):
        audio = gr.Textbox("", label="sound of clip (export; empty: silent)", elem_id="api-export-audio")
        export_btn = gr.Button("Export row as MP4", elem_id="api-export")
        exported = gr.File(label="side-by-side MP4", interactive=False, elem_id="api-export-file")
    with gr.Row(equal_height=True):
        board_query = gr.Textbox('{"backend": "all"}', label="leaderboard filter (JSON)", elem_id="api-board-query")
        board_btn = gr.Button("Leaderboard", elem_id="api-leaderboard")
        decide_query = gr.Textbox("{}", label="decision filters (JSON; {} for all): backend, since, until, suite, tag, "
                                  "judge, mode, sound", elem_id="api-decide-query")
        decide_btn = gr.Button("Decide", elem_id="api-decide")

    @user_errors
    def estimate(endpoint_id: str, arguments_json: str) -> dict:
        return api.estimate(endpoint_id, arguments_json)

    @user_errors
    def code(endpoint_id: str, arguments_json: str) -> dict:
        return api.snippets(endpoint_id, arguments_json)

    @user_errors
    async def generate(endpoint_id: str, arguments_json: str, state: dict, request: gr.Request,
                       progress=gr.Progress()):
        async for step in api.generate(endpoint_id, arguments_json, visitor_of(sessions, state, request)):
            if isinstance(step, Answer):
                return served(video, step.video), step.value
            progress(step.done, desc=step.text)

    @user_errors
    async def compare(spec_json: str, state: dict, request: gr.Request, progress=gr.Progress()) -> dict:
        async for step in api.compare(spec_json, visitor_of(sessions, state, request)):
            if isinstance(step, Answer):
                return step.value
            progress(step.done, desc=step.text)
        raise RunError("the comparison ended without an answer")

    @user_errors
    def history(count: str | float | None, state: dict, request: gr.Request) -> list[dict]:
        return api.history(count, visitor_of(sessions, state, request))

    @user_errors
    def vote(batch: str, row_name: str, said: str, judge_name: str | None, state: dict, request: gr.Request) -> dict:
        return api.vote(batch, row_name, said, visitor_of(sessions, state, request, judge_name))

    @user_errors
    async def judge_row(batch: str, row_name: str, judge_name: str, state: dict, request: gr.Request) -> dict:
        return await api.judge(batch, row_name, judge_name, visitor_of(sessions, state, request))

    @user_errors
    async def signals(run: str, state: dict, request: gr.Request) -> dict:
        return await api.signals(run, visitor_of(sessions, state, request))

    @user_errors
    def export_row(batch: str, row_name: str, sound: str, state: dict, request: gr.Request) -> str | None:
        return served(exported, str(api.export_row(batch, row_name, sound, visitor_of(sessions, state, request))))

    @user_errors
    def board(query: str) -> list[dict]:
        return api.leaderboard(query)

    @user_errors
    def decision(filters: str) -> dict:
        return api.decide(filters)

    catalog_btn.click(api.catalog, outputs=output, api_name="catalog")
    estimate_btn.click(estimate, [endpoint, arguments], output, api_name="estimate")
    snippets_btn.click(code, [endpoint, arguments], output, api_name="snippets")
    generate_btn.click(generate, [endpoint, arguments, session], [video, output], api_name="generate",
                       concurrency_id="runs", concurrency_limit=4).success(show_video, None, video, **SHOW_VIDEO)
    compare_btn.click(compare, [spec, session], output, api_name="compare", concurrency_id="compare",
                      concurrency_limit=4)
    history_btn.click(history, [limit, session], output, api_name="history")
    vote_btn.click(vote, [batch_id, row, choice, judge, session], output, api_name="vote")
    board_btn.click(board, board_query, output, api_name="leaderboard")
    decide_btn.click(decision, decide_query, output, api_name="decide")
    judge_btn.click(judge_row, [batch_id, row, model_judge, session], output, api_name="judge",
                    concurrency_id="judges", concurrency_limit=4)
    signals_btn.click(signals, [run_id, session], output, api_name="signals")
    export_btn.click(export_row, [batch_id, row, audio, session], exported, api_name="export_row",
                     concurrency_id="exports", concurrency_limit=2)
