"""The Compare tab: prompt variants × endpoints × fixed seeds, the plan and fairness report before running,
live cells while running, a synced grid, and votes. Every event calls the core's Comparisons once."""

from __future__ import annotations

import gradio as gr

from playground.compare import draw_seeds
from playground.compare.grid import grid_html, rows
from playground.compare.present import STATUS_HEADERS, outcome_markdown, status_rows
from playground.service import Playground
from playground.ui.errors import user_errors
from playground.ui.files import served_url
from playground.ui.session import visitor_of
from playground.ui.widgets import build_fields, read_form, write_form

DEFAULT_MODE = "text-to-video"


def build_compare_tab(playground: Playground, session: gr.State) -> None:
    comparisons = playground.comparisons
    modes = list(comparisons.forms)
    choices, default = comparisons.endpoints_for(DEFAULT_MODE)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            mode = gr.Radio(modes, value=DEFAULT_MODE, label="Mode", elem_id="cmp-mode")
            endpoints = gr.CheckboxGroup(choices, value=default, label="Endpoints to compare", elem_id="cmp-endpoints",
                                         info="Default: one per family. The same prompt and seed go to each.")
            with gr.Row(equal_height=True):
                preset = gr.Dropdown([p.label for p in playground.presets.for_mode(DEFAULT_MODE)], value=None,
                                     label="Start from a preset", scale=3, elem_id="cmp-preset")
                load = gr.Button("Load preset", scale=1, elem_id="cmp-preset-load")
            prompts = gr.Textbox(lines=3, label="Prompt variants (one per line)", elem_id="cmp-prompts",
                                 placeholder="A paper boat drifts down a rain-soaked street\n…the same, at golden hour")
            with gr.Row(equal_height=True):
                seeds = gr.Textbox("7, 42", label="Seeds (fixed, comma-separated)", scale=3, elem_id="cmp-seeds")
                how_many = gr.Number(2, precision=0, minimum=1, maximum=8, label="Random seeds", scale=1,
                                     elem_id="cmp-random-count")
                draw = gr.Button("Draw", scale=1, elem_id="cmp-draw")
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
            with gr.Row():
                run = gr.Button("Run comparison", variant="primary", elem_id="cmp-run")
                cancel_all = gr.Button("Cancel all", variant="stop", elem_id="cmp-cancel")
        with gr.Column(scale=2):
            plan_md = gr.Markdown(elem_id="cmp-plan")
    batch_state = gr.State(None)
    outcome_md = gr.Markdown(elem_id="cmp-outcome")
    status = gr.Dataframe(headers=STATUS_HEADERS, interactive=False, wrap=True, elem_id="cmp-status",
                          label="Cells")
    with gr.Row(equal_height=True):
        cancel_cells = gr.Dropdown([], multiselect=True, label="Cells to cancel", scale=3, elem_id="cmp-cancel-cells")
        cancel_cells_btn = gr.Button("Cancel these cells", scale=1, elem_id="cmp-cancel-cells-btn")
    grid = gr.HTML(grid_html(None, False, set(), str), elem_id="cmp-grid")

    def file_url(path: str) -> str:
        return served_url(grid, path)
    with gr.Row(equal_height=True):
        vote_row = gr.Dropdown([], label="Prompt × seed", scale=2, elem_id="cmp-vote-row")
        vote_choice = gr.Radio([], label="Best clip", scale=3, elem_id="cmp-vote-choice")
        vote_btn = gr.Button("Vote", scale=1, elem_id="cmp-vote")
    vote_md = gr.Markdown(elem_id="cmp-vote-result")

    shared_widgets = [c for _, widgets in forms.values() for w in widgets for c in w.components]
    form_inputs = {mode, endpoints, prompts, seeds, overrides, confirm, session, *shared_widgets}

    def read(data: dict) -> dict:
        chosen = data[mode]
        return {"mode": chosen, "endpoint_ids": data[endpoints], "prompts": data[prompts], "seeds": data[seeds],
                "shared": read_form(forms[chosen][1], data) if chosen in forms else {},
                "overrides": data[overrides], "confirm": data[confirm]}

    def key_of(data: dict):
        return (data[session] or {}).get("key")

    def preview(data: dict) -> str:
        return comparisons.preview_form(read(data), key_of(data))

    gr.on([c.change for c in form_inputs if c is not session], preview, inputs=form_inputs, outputs=plan_md,
          trigger_mode="always_last", show_progress="hidden", api_name="compare_preview", api_visibility="private")

    def switch_mode(chosen: str):
        options, selected = comparisons.endpoints_for(chosen)
        presets = [p.label for p in playground.presets.for_mode(chosen)]
        return ([gr.update(choices=options, value=selected), gr.update(choices=presets, value=None)]
                + [gr.update(visible=m == chosen) for m in forms])

    mode.change(switch_mode, mode, [endpoints, preset] + [group for group, _ in forms.values()],
                api_name="compare_mode", api_visibility="private", show_progress="hidden")

    @user_errors
    def load_preset(label: str, current_seeds: str):
        chosen, prompt, seed, form = comparisons.preset_form(label)
        return {prompts: prompt, seeds: seed or current_seeds, **write_form(forms[chosen][1], form)}

    load.click(load_preset, [preset, seeds], [prompts, seeds, *shared_widgets], api_name="compare_preset_load",
               api_visibility="private")
    draw.click(lambda n: ", ".join(str(s) for s in draw_seeds(max(1, min(8, int(n or 1))))), how_many, seeds,
               api_name="compare_draw_seeds", api_visibility="private", show_progress="hidden")

    def views(snapshot, blind_on: bool, with_grid: bool = True) -> dict:
        revealed = comparisons.revealed(snapshot) if snapshot and snapshot.get("done") else set()
        update = {status: status_rows(snapshot, blind_on, revealed),
                  outcome_md: outcome_markdown(snapshot, blind_on) if snapshot else ""}
        if with_grid:
            update[grid] = grid_html(snapshot, blind_on, revealed, file_url)
        return update

    @user_errors
    async def run_compare(data: dict, request: gr.Request):
        blind_on, shown_completed = data[blind], -1
        spec = comparisons.spec_from_form(**read(data))
        visitor = visitor_of(playground, data[session], request)
        async for snapshot in comparisons.run(spec, visitor):  # ≤ ~4 snapshots a second
            completed = snapshot["counts"]["completed"]
            first = shown_completed < 0
            update = views(snapshot, blind_on, with_grid=first or completed != shown_completed or snapshot["done"])
            update[batch_state] = snapshot
            shown_completed = completed
            if first:  # the cell list does not change during a run: set it once, so a selection survives
                labels = [f"{r[0]}: {r[2]} · {r[1]}" for r in status_rows(snapshot, blind_on, set())]
                update[cancel_cells] = gr.update(choices=labels, value=[])
            if snapshot["done"]:
                row_choices = [(cells[0]["row_label"], row) for row, cells in rows(snapshot).items()]
                first_row = row_choices[0][1] if row_choices else None
                update[vote_row] = gr.update(choices=row_choices, value=first_row)
                update[vote_choice] = gr.update(choices=comparisons.vote_choices(snapshot, first_row, blind_on),
                                                value=None)
            yield update

    run.click(run_compare, inputs=form_inputs | {blind}, api_name="run_compare", api_visibility="private",
                        outputs=[batch_state, status, outcome_md, grid, cancel_cells, vote_row, vote_choice],
                        concurrency_id="compare", concurrency_limit=4)

    def cancel(snapshot, picked=None):
        cells = None if picked is None else [int(label.split(":")[0]) - 1 for label in picked or []]
        return comparisons.cancel((snapshot or {}).get("batch_id"), cells)

    cancel_all.click(cancel, batch_state, vote_md, api_name="compare_cancel_all", api_visibility="private")
    cancel_cells_btn.click(cancel, [batch_state, cancel_cells], vote_md, api_name="compare_cancel_cells",
                           api_visibility="private")
    blind.change(lambda snapshot, on, row: views(snapshot, on) | {vote_choice: gr.update(
                     choices=comparisons.vote_choices(snapshot, row, on), value=None)},
                 [batch_state, blind, vote_row], [status, outcome_md, grid, vote_choice], api_name="compare_blind",
                 api_visibility="private", show_progress="hidden")
    vote_row.change(lambda snapshot, row, on: gr.update(choices=comparisons.vote_choices(snapshot, row, on),
                                                        value=None),
                    [batch_state, vote_row, blind], vote_choice, api_name="compare_vote_row",
                    api_visibility="private", show_progress="hidden")

    @user_errors
    def vote(snapshot, row, choice, blind_on):
        message = comparisons.vote(snapshot, row, choice, blind_on)
        return {vote_md: message, **views(snapshot, blind_on),
                vote_choice: gr.update(choices=comparisons.vote_choices(snapshot, row, blind_on), value=None)}

    vote_btn.click(vote, [batch_state, vote_row, vote_choice, blind],
                   [vote_md, status, outcome_md, grid, vote_choice], api_name="compare_vote", api_visibility="private")
