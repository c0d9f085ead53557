"""The Compare tab: prompt variants × endpoints × fixed seeds, the plan and fairness report before running,
live cells while running, a synced grid, and votes. Every event asks the core once; a comparison that cannot
run says why in its outcome, and Run is off while the plan lists problems."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import gradio as gr

from playground.ui.batch_panel import BatchPanel
from playground.ui.compare_judging import Judging, wire_judging
from playground.ui.compare_model_judge import wire_model_judge
from playground.ui.errors import user_errors
from playground.ui.files import page_root, served_url
from playground.ui.lean import built_when_opened, opening_box, opens_on_select
from playground.ui.session import visitor_of
from playground.ui.suite_panel import SuiteInputs, SuitePanel, wire_suites
from playground.ui.widgets import (
    FORM_EVENT,
    FieldWidgets,
    build_fields,
    changes,
    components,
    read_form,
    write_form,
)
from playground.views import CompareCalls, CompareForm, SessionCalls

ClipUrl = Callable[[str], str]  # a clip's path → its URL on the visitor's page
PRIVATE: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}


def build_compare_tab(compare: CompareCalls, sessions: SessionCalls, session: gr.State, tab: gr.Tab,
                      judge_name: gr.Textbox) -> None:
    """Built the first time a visitor opens the tab: its hundred components need not weigh on every page load.
    Its inputs say ``interactive=True``: Gradio infers interactivity only for components that exist at start-up."""
    opening = opening_box("compare-opening")
    opens_on_select(tab, opening, "open_compare")
    built_when_opened(opening, lambda _mark: build_compare_contents(compare, sessions, session, judge_name))


def build_compare_contents(compare: CompareCalls, sessions: SessionCalls, session: gr.State,
                           judge_name: gr.Textbox) -> None:
    """The tab's form, plan, run bar and batch panel, with their events (for one session)."""
    layouts = compare.layouts()
    opening_mode = next(iter(layouts))  # the catalog's first mode
    mode_view = compare.mode(opening_mode)
    with gr.Row(equal_height=True, elem_classes=["run-bar"]):  # above the form, and in sight down to the grid
        run = gr.Button("Run comparison", variant="primary", elem_id="cmp-run", interactive=False)
        cancel_all = gr.Button("Cancel all", variant="stop", elem_id="cmp-cancel", scale=0, min_width=140)
        run_state = gr.Markdown(elem_id="cmp-run-state", elem_classes=["run-state"])  # the outcome's first line
        cancel_said = gr.Markdown(elem_id="cmp-cancel-result", elem_classes=["run-state"])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            mode = gr.Radio(list(layouts), value=opening_mode, label="Mode", elem_id="cmp-mode", interactive=True)
            endpoints = gr.CheckboxGroup(mode_view.endpoints, value=mode_view.selected, label="Endpoints to compare",
                                         elem_id="cmp-endpoints", interactive=True,
                                         info="Default: one per family. The same prompt and seed go to each.")
            suites = SuitePanel.build(compare.suite_names(opening_mode))
            preset = gr.Dropdown(mode_view.presets, value=None, label="Start from a preset", elem_id="cmp-preset",
                                 interactive=True)
            prompts = gr.Textbox(lines=3, label="Prompt variants (one per line; {dusk|dawn} makes one of each)",
                                 elem_id="cmp-prompts", interactive=True,
                                 placeholder="A paper boat drifts down a rain-soaked street\n…the same, at golden hour")
            with gr.Row(equal_height=True):
                seeds = gr.Textbox("7, 42", label="Seeds (fixed, comma-separated)", scale=3, elem_id="cmp-seeds",
                                   interactive=True)
                how_many = gr.Number(2, precision=0, minimum=1, maximum=8, label="Random seeds", scale=1,
                                     elem_id="cmp-random-count", interactive=True)
                draw = gr.Button("Draw", scale=0, min_width=80, elem_id="cmp-draw")
            forms: dict[str, tuple[gr.Group, list[FieldWidgets]]] = {}
            for form_mode, layout in layouts.items():
                with gr.Group(visible=form_mode == opening_mode) as group:
                    gr.Markdown("**Shared settings**, mapped onto each endpoint's own schema")
                    forms[form_mode] = (group, build_fields(layout))
            with gr.Accordion("Per-endpoint overrides (JSON)", open=False):
                overrides = gr.Code("{}", language="json", interactive=True, elem_id="cmp-overrides")
            with gr.Row():
                reuse = gr.Checkbox(False, label="Reuse my completed runs with the same arguments and seed (no new "
                                    "charge)", elem_id="cmp-reuse", interactive=True)
                extend = gr.Checkbox(False, label="Add to the batch below (only new cells run)", elem_id="cmp-extend",
                                     interactive=True)
            with gr.Row():
                blind = gr.Checkbox(False, label="Blind: shuffle and hide names until I vote", elem_id="cmp-blind",
                                    interactive=True)
                confirm = gr.Checkbox(False, label="Run even though it is above the cost cap", elem_id="cmp-confirm",
                              interactive=True)
        with gr.Column(scale=2):
            plan_md = gr.Markdown(elem_id="cmp-plan")
    panel = BatchPanel.build(run_state, compare.judge_names())

    shared_widgets = [c for _, widgets in forms.values() for c in components(widgets)]
    form_inputs = {mode, endpoints, prompts, seeds, overrides, confirm, reuse, extend, panel.state, session,
                   *shared_widgets}
    shown, grid = panel.shown, panel.grid

    def clip_urls(request: gr.Request | None) -> ClipUrl:
        """Clip path → its URL on this visitor's page (under the page's root, behind a proxy at a subpath)."""
        root = page_root(request)
        return lambda path: served_url(grid, path, "clip" + Path(path).suffix, root)  # neutral: no run id in a URL

    def read(data: dict) -> CompareForm:
        chosen, below = data[mode], data[panel.state]  # the batch below the form, which an extension joins
        return CompareForm(mode=chosen, endpoint_ids=data[endpoints] or [], prompts=data[prompts] or "",
                           seeds=data[seeds] or "", shared=read_form(forms[chosen][1], data) if chosen in forms else {},
                           overrides=data[overrides] or "", confirm=bool(data[confirm]), reuse=bool(data[reuse]),
                           extend=below.batch_id if below is not None and data[extend] else "")

    def preview(data: dict, request: gr.Request) -> tuple[str, Any]:  # the visitor: reuse and extend are per owner
        view = compare.plan(read(data), visitor_of(sessions, data[session], request))
        return view.markdown, gr.update(interactive=view.can_run)

    first = compare.plan(read({c: c.value for c in form_inputs}), sessions.visitor())
    plan_md.value, run.interactive = first.markdown, first.can_run
    grid.value = compare.view(None, False, None, clip_urls(None)).grid  # empty: no clip yet
    gr.on(changes(c for c in form_inputs if c not in (session, panel.state)), preview, inputs=form_inputs, outputs=[plan_md, run],
          trigger_mode="always_last", api_name="compare_preview", **FORM_EVENT, show_progress="hidden")

    def switch_mode(chosen: str) -> list[Any]:
        offered = compare.mode(chosen)
        return ([gr.update(choices=offered.endpoints, value=offered.selected), gr.update(choices=offered.presets,
                value=None), gr.update(choices=compare.suite_names(chosen), value=None)]
                + [gr.update(visible=m == chosen) for m in forms])

    mode.change(switch_mode, mode, [endpoints, preset, suites.choice] + [group for group, _ in forms.values()],
                api_name="compare_mode", **PRIVATE)

    @user_errors
    def load_preset(label: str | None, current_seeds: str) -> Any:
        if not label:
            return gr.skip()
        chosen, prompt, seed, form = compare.preset(label)
        return {prompts: prompt, seeds: seed or current_seeds, **write_form(forms[chosen][1], form)}

    preset.input(load_preset, [preset, seeds], [prompts, seeds, *shared_widgets], api_name="compare_preset_load",
                 api_visibility="private")
    draw.click(compare.drawn_seeds, how_many, seeds, api_name="compare_draw_seeds", **PRIVATE)

    async def run_compare(data: dict, request: gr.Request) -> AsyncIterator[dict[gr.blocks.Block, Any]]:
        first = True
        async for view in compare.run(read(data), visitor_of(sessions, data[session], request), data[blind],
                                      clip_urls(request)):
            yield {cancel_said: "" if first else gr.skip(), **shown(view, first)}
            first = False

    run.click(run_compare, inputs=form_inputs | {blind}, outputs=[cancel_said, *panel.outputs], api_name="run_compare",
              concurrency_id="compare", concurrency_limit=4, **FORM_EVENT, show_progress="minimal")
    cancel_all.click(compare.cancel_cells, panel.state, cancel_said, api_name="compare_cancel_all",
                     api_visibility="private")
    panel.cancel_button.click(lambda snapshot, keys: compare.cancel_cells(snapshot, keys or []),
                              [panel.state, panel.cancel_cells], cancel_said, api_name="compare_cancel_cells",
                              api_visibility="private")
    wire_suites(suites, compare, sessions, SuiteInputs(session, endpoints, confirm, reuse, blind, cancel_said), panel,
                clip_urls)
    judging = Judging(compare, sessions, session, judge_name, panel, blind, clip_urls)
    wire_judging(judging)
    wire_model_judge(judging)
