"""The Compare tab: prompt variants × endpoints × fixed seeds, the plan and fairness report before running,
live cells while running, a synced grid, and votes. Every event asks the core's Comparisons once; a comparison
that cannot run says why in its outcome, and Run is off while the plan lists problems."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from playground.compare import draw_seeds
from playground.compare.grid import grid_html
from playground.compare.present import STATUS_HEADERS, problems_markdown
from playground.errors import PlaygroundError
from playground.service import Playground
from playground.ui.errors import user_errors
from playground.ui.files import served_url
from playground.ui.session import visitor_of
from playground.ui.widgets import (
    FORM_EVENT,
    build_fields,
    components,
    read_form,
    write_form,
)

DEFAULT_MODE = "text-to-video"


def build_compare_tab(playground: Playground, session: gr.State) -> None:
    comparisons = playground.comparisons
    choices, default = comparisons.endpoints_for(DEFAULT_MODE)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            mode = gr.Radio(list(comparisons.forms), value=DEFAULT_MODE, label="Mode", elem_id="cmp-mode")
            endpoints = gr.CheckboxGroup(choices, value=default, label="Endpoints to compare", elem_id="cmp-endpoints",
                                         info="Default: one per family. The same prompt and seed go to each.")
            preset = gr.Dropdown([p.label for p in playground.presets.for_mode(DEFAULT_MODE)], value=None,
                                 label="Start from a preset", elem_id="cmp-preset")
            prompts = gr.Textbox(lines=3, label="Prompt variants (one per line)", elem_id="cmp-prompts",
                                 placeholder="A paper boat drifts down a rain-soaked street\n…the same, at golden hour")
            with gr.Row(equal_height=True):
                seeds = gr.Textbox("7, 42", label="Seeds (fixed, comma-separated)", scale=3, elem_id="cmp-seeds")
                how_many = gr.Number(2, precision=0, minimum=1, maximum=8, label="Random seeds", scale=1,
                                     elem_id="cmp-random-count")
                draw = gr.Button("Draw", scale=0, min_width=80, elem_id="cmp-draw")
            forms = {}
            for form_mode, union in comparisons.forms.items():
                with gr.Group(visible=form_mode == DEFAULT_MODE) as group:
                    gr.Markdown("**Shared settings**, mapped onto each endpoint's own schema")
                    forms[form_mode] = (group, build_fields(union))
            with gr.Accordion("Per-endpoint overrides (JSON)", open=False):
                overrides = gr.Code("{}", language="json", interactive=True, elem_id="cmp-overrides")
            with gr.Row():
                blind = gr.Checkbox(False, label="Blind: shuffle and hide names until I vote", elem_id="cmp-blind")
                confirm = gr.Checkbox(False, label="Run even though it is above the cost cap", elem_id="cmp-confirm")
        with gr.Column(scale=2):
            with gr.Row(equal_height=True, elem_classes=["run-bar"]):
                run = gr.Button("Run comparison", variant="primary", elem_id="cmp-run", interactive=False)
                cancel_all = gr.Button("Cancel all", variant="stop", elem_id="cmp-cancel", scale=0, min_width=140)
            cancel_said = gr.Markdown(elem_id="cmp-cancel-result")
            plan_md = gr.Markdown(elem_id="cmp-plan")
    batch_state = gr.State(None)
    outcome_md = gr.Markdown(elem_id="cmp-outcome")
    status = gr.Dataframe(headers=STATUS_HEADERS, interactive=False, wrap=True, elem_id="cmp-status", label="Cells")
    with gr.Row(equal_height=True):
        cancel_cells = gr.Dropdown([], multiselect=True, label="Cells to cancel", scale=3, elem_id="cmp-cancel-cells")
        cancel_cells_btn = gr.Button("Cancel these cells", scale=1, elem_id="cmp-cancel-cells-btn")
    grid = gr.HTML(grid_html(None, False, set(), str), elem_id="cmp-grid")
    with gr.Row(equal_height=True):
        vote_row = gr.Dropdown([], label="Prompt × seed", scale=2, elem_id="cmp-vote-row")
        vote_choice = gr.Radio([], label="Best clip", scale=3, elem_id="cmp-vote-choice")
        vote_btn = gr.Button("Vote", scale=1, elem_id="cmp-vote")
    vote_md = gr.Markdown(elem_id="cmp-vote-result")

    shared_widgets = [c for _, widgets in forms.values() for c in components(widgets)]
    form_inputs = {mode, endpoints, prompts, seeds, overrides, confirm, session, *shared_widgets}

    def read(data: dict) -> dict:
        chosen = data[mode]
        return {"mode": chosen, "endpoint_ids": data[endpoints], "prompts": data[prompts], "seeds": data[seeds],
                "shared": read_form(forms[chosen][1], data) if chosen in forms else {},
                "overrides": data[overrides], "confirm": data[confirm]}

    def preview(data: dict):
        view = comparisons.preview_form(read(data), (data[session] or {}).get("key"))
        return view.markdown, gr.update(interactive=view.can_run)

    first = comparisons.preview_form(read({c: c.value for c in form_inputs if c is not session} | {session: {}}), None)
    plan_md.value, run.interactive = first.markdown, first.can_run
    gr.on([c.change for c in form_inputs if c is not session], preview, inputs=form_inputs, outputs=[plan_md, run],
          trigger_mode="always_last", show_progress="hidden", api_name="compare_preview", **FORM_EVENT)

    def switch_mode(chosen: str):
        options, selected = comparisons.endpoints_for(chosen)
        return ([gr.update(choices=options, value=selected),
                 gr.update(choices=[p.label for p in playground.presets.for_mode(chosen)], value=None)]
                + [gr.update(visible=m == chosen) for m in forms])

    mode.change(switch_mode, mode, [endpoints, preset] + [group for group, _ in forms.values()],
                api_name="compare_mode", api_visibility="private", show_progress="hidden")

    @user_errors
    def load_preset(label: str | None, current_seeds: str):
        if not label:
            return gr.skip()
        chosen, prompt, seed, form = comparisons.preset_form(label)
        return {prompts: prompt, seeds: seed or current_seeds, **write_form(forms[chosen][1], form)}

    preset.input(load_preset, [preset, seeds], [prompts, seeds, *shared_widgets], api_name="compare_preset_load",
                 api_visibility="private")
    draw.click(lambda n: ", ".join(str(s) for s in draw_seeds(max(1, min(8, int(n or 1))))), how_many, seeds,
               api_name="compare_draw_seeds", api_visibility="private", show_progress="hidden")

    def shown(snapshot, blind_on: bool, row=None, first: bool = False) -> dict:
        """The batch's table, outcome and grid; the cells to cancel only once (so a selection survives updates)."""
        view = comparisons.view(snapshot, blind_on, lambda path: served_url(grid, path, "clip" + Path(path).suffix))
        update = {status: view.table, outcome_md: view.outcome, grid: view.grid}
        if first or view.done:
            update[cancel_cells] = gr.update(choices=view.cancellable, value=[])
        if view.done:
            row = row if row in dict((v, k) for k, v in view.vote_rows) else (view.vote_rows or [("", None)])[0][1]
            update[vote_row] = gr.update(choices=view.vote_rows, value=row)
            update[vote_choice] = gr.update(choices=comparisons.vote_choices(snapshot, row, blind_on), value=None)
        return update

    async def run_compare(data: dict, request: gr.Request):
        first = True
        try:
            async for snapshot in comparisons.run_form(read(data), visitor_of(playground, data[session], request)):
                yield {batch_state: snapshot, cancel_said: "" if first else gr.skip(),
                       **shown(snapshot, data[blind], first=first)}
                first = False
        except PlaygroundError as exc:  # nothing was sent: said once, where the outcome goes
            yield {outcome_md: problems_markdown(exc)}

    run.click(run_compare, inputs=form_inputs | {blind}, api_name="run_compare", concurrency_id="compare",
              concurrency_limit=4, show_progress="minimal",
              outputs=[batch_state, cancel_said, status, outcome_md, grid, cancel_cells, vote_row, vote_choice],
              **FORM_EVENT)
    cancel_all.click(lambda snapshot: comparisons.cancel((snapshot or {}).get("batch_id")), batch_state, cancel_said,
                     api_name="compare_cancel_all", api_visibility="private")
    cancel_cells_btn.click(lambda snapshot, keys: comparisons.cancel((snapshot or {}).get("batch_id"), keys or []),
                           [batch_state, cancel_cells], cancel_said, api_name="compare_cancel_cells",
                           api_visibility="private")
    blind.change(lambda snapshot, on, row: shown(snapshot, on, row) if snapshot else gr.skip(),
                 [batch_state, blind, vote_row], [status, outcome_md, grid, cancel_cells, vote_row, vote_choice],
                 api_name="compare_blind", api_visibility="private", show_progress="hidden")
    vote_row.input(lambda snapshot, row, on: gr.update(choices=comparisons.vote_choices(snapshot, row, on), value=None),
                   [batch_state, vote_row, blind], vote_choice, api_name="compare_vote_row",
                   api_visibility="private", show_progress="hidden")

    @user_errors
    def vote(snapshot, row, choice, blind_on):
        return {vote_md: comparisons.vote(snapshot, row, choice, blind_on), **shown(snapshot, blind_on, row)}

    vote_btn.click(vote, [batch_state, vote_row, vote_choice, blind],
                   [vote_md, status, outcome_md, grid, cancel_cells, vote_row, vote_choice], api_name="compare_vote",
                   api_visibility="private")
