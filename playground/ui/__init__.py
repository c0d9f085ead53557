"""The Gradio app: the only package that imports gradio. Endpoint tabs and Compare are built when first shown
(see ``endpoint_tabs``); the others at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from playground.service import Playground, create_playground
from playground.ui.api_tab import build_api_tab
from playground.ui.compare_tab import build_compare_tab
from playground.ui.endpoint_tabs import build_endpoint_tabs
from playground.ui.gallery_tab import build_gallery_tab
from playground.ui.history_tab import build_history_tab
from playground.ui.identity import build_identity
from playground.ui.key_panel import build_key_panel
from playground.ui.leaderboard_tab import build_leaderboard_tab
from playground.ui.lean import LeanBlocks, compression
from playground.ui.presets import PresetSaver

ASSETS = Path(__file__).parent / "assets"

def build_app(playground: Playground) -> gr.Blocks:
    """All endpoint tabs (grouped by family), Compare, Decide, History and the API tab, on one Playground: each
    builder is handed its part of the facade (and ``sessions``, who is calling, where an event runs for a visitor)."""
    sessions = playground.sessions
    with LeanBlocks(title="Seedance Playground") as demo:
        session = gr.State({})  # per browser session (a visitor's key lands here, never in globals)
        backend_line = build_key_panel(sessions, session)
        judge_name = build_identity(sessions, session, demo)
        problems = playground.tabs.preset_problems()
        if problems:
            with gr.Accordion(f"⚠️ {len(problems)} preset problem(s): some presets were not loaded", open=False):
                gr.Markdown("\n".join(f"- `{problem}`" for problem in problems), elem_id="preset-problems")
        saver = PresetSaver(playground.tabs)
        restores = gr.State({})  # endpoint id → the form a History restore asked its tab to show
        with gr.Tabs(overflow_behavior="wrap", elem_id="main-tabs") as outer:  # every tab in sight, even on a phone
            targets = build_endpoint_tabs(playground.tabs, sessions, demo, session, saver, restores)
            with gr.Tab("Compare", id="tab-compare", elem_id="tab-compare") as compare:
                build_compare_tab(playground.compare, sessions, session, compare, judge_name)
            with gr.Tab("Decide", id="tab-decide", elem_id="tab-decide") as decide:  # the Leaderboard that was
                build_leaderboard_tab(playground.compare, decide)
            with gr.Tab("History", id="tab-history", elem_id="tab-history") as history:
                build_history_tab(playground.history, sessions, session, history, outer, targets, restores)
            with gr.Tab("Examples", id="tab-examples", elem_id="tab-examples") as examples:
                build_gallery_tab(playground.gallery, examples)
            with gr.Tab("API", id="tab-api", elem_id="tab-api"):
                build_api_tab(playground.api, sessions, session)
        demo.load(lambda state: sessions.backend_status((state or {}).get("key")), session, backend_line,
                  api_name="backend_status", api_visibility="private", show_progress="hidden")
    return demo


def theme() -> gr.themes.Base:
    """Gradio's Soft theme in the system's own sans-serif: its Montserrat files (regular and bold, 161 KB) were half
    the page's first load beyond a bare Gradio app's, for text the system font sets as well."""
    return gr.themes.Soft(font=["ui-sans-serif", "system-ui", "sans-serif"])


def launch_options(playground: Playground) -> dict[str, Any]:
    """Everything launch() needs except host and port (Gradio reads those from the environment)."""
    return {"allowed_paths": [], "blocked_paths": [str(playground.data_dir)], "footer_links": ["api", "gradio", "settings"],
            "run_history": False, "theme": theme(), "css": (ASSETS / "page.css").read_text(),
            "head": "".join(f"<script>{(ASSETS / name).read_text()}</script>" for name in ("sync_grid.js", "judging.js", "page.js")),
            "app_kwargs": compression()}


def create_app() -> tuple[gr.Blocks, dict[str, Any]]:
    """The app as configured by the environment, ready to queue and launch."""
    playground = create_playground()
    playground.start_recovery()
    demo = build_app(playground)
    demo.queue(default_concurrency_limit=8)
    return demo, launch_options(playground)
