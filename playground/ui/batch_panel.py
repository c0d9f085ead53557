"""Where a batch shows under the Compare form: the Open row, its outcome and cells, the cells to cancel, the grid,
the vote and the row export; and how a ``BatchView`` fills them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from playground.views import STATUS_HEADERS, BatchView

# A vote key pressed in a row of the grid (judging.js reads it) becomes the grid's "submit" event: {row, key}.
KEY_VOTES = ("element.addEventListener('keydown', (event) => { const picked = window.seedanceJudging?.keyChoice(event);"
             " if (picked) trigger('submit', picked); });")


def _judge_row(judges: list[str]) -> tuple[gr.Dropdown, gr.Button, gr.Markdown]:
    """A model judge for the chosen row: which one (the default first), the button, and the line that prices it
    (filled when a row is chosen)."""
    with gr.Row(equal_height=True):
        choice = gr.Dropdown(judges, value=judges[0] if judges else None, label="Model judge (a vision model on fal; its verdict is shown apart from votes)",
                             scale=3, elem_id="cmp-judge-choice", interactive=True)
        button = gr.Button("Judge this row", scale=1, elem_id="cmp-judge")
    return choice, button, gr.Markdown(elem_id="cmp-judge-said")


@dataclass
class BatchPanel:
    """Where a batch shows under the form: its outcome, its cells, the cells to cancel, the grid, and the vote."""

    state: gr.State
    outcome: gr.Markdown
    status: gr.Dataframe
    cancel_cells: gr.Dropdown
    cancel_button: gr.Button
    grid: gr.HTML
    vote_row: gr.Dropdown
    vote_choice: gr.Radio
    vote_button: gr.Button
    vote_said: gr.Markdown
    sound: gr.Dropdown
    export_button: gr.Button
    exported: gr.File
    run_state: gr.Markdown  # in the Run bar: the outcome's first line (counts), always in sight
    open_choice: gr.Dropdown  # a kept comparison (a teammate's, or one from before a reload) to put on the page
    open_button: gr.Button
    judge_choice: gr.Dropdown  # a model judge for the chosen row
    judge_button: gr.Button
    judge_said: gr.Markdown  # its cost before, why it cannot judge, or what its calls did
    box: gr.Column  # the cells, grid, vote, judge and export: hidden (so not mounted) until a batch shows

    @classmethod
    def build(cls, run_state: gr.Markdown, judges: list[str]) -> BatchPanel:
        with gr.Row(equal_height=True):
            open_choice = gr.Dropdown([], label="Open a comparison (yours and your team's, newest first)", scale=4,
                                      elem_id="cmp-open-choice", interactive=True, allow_custom_value=False)
            open_button = gr.Button("Open", scale=1, min_width=100, elem_id="cmp-open")
        state, outcome = gr.State(None), gr.Markdown(elem_id="cmp-outcome")
        with gr.Column(visible=False, elem_id="cmp-batch") as box:  # shown with the first batch: nothing to mount before
            status = gr.Dataframe(headers=STATUS_HEADERS, interactive=False, wrap=True, elem_id="cmp-status",
                                  label="Cells")
            with gr.Row(equal_height=True):
                cancel_cells = gr.Dropdown([], multiselect=True, label="Cells to cancel", scale=3,
                                           elem_id="cmp-cancel-cells", interactive=True)
                cancel_button = gr.Button("Cancel these cells", scale=1, elem_id="cmp-cancel-cells-btn")
            grid = gr.HTML(elem_id="cmp-grid", js_on_load=KEY_VOTES)
            with gr.Row(equal_height=True):
                vote_row = gr.Dropdown([], label="Prompt × seed", scale=2, elem_id="cmp-vote-row", interactive=True)
                vote_choice = gr.Radio([], label="Best clip", scale=3, elem_id="cmp-vote-choice", interactive=True)
                vote_button = gr.Button("Vote", scale=1, elem_id="cmp-vote")
            vote_said = gr.Markdown(elem_id="cmp-vote-result")
            judge_choice, judge_button, judge_said = _judge_row(judges)
            with gr.Row(equal_height=True):
                sound = gr.Dropdown(["none"], value="none", label="Sound from", scale=2, elem_id="cmp-export-sound",
                                    interactive=True)
                export_button = gr.Button("Export this row as one MP4", scale=1, elem_id="cmp-export")
                exported = gr.File(label="Side-by-side MP4", interactive=False, scale=2, elem_id="cmp-export-file")
        return cls(state, outcome, status, cancel_cells, cancel_button, grid, vote_row, vote_choice, vote_button,
                   vote_said, sound, export_button, exported, run_state, open_choice, open_button, judge_choice,
                   judge_button, judge_said, box)

    @property
    def outputs(self) -> list[gr.blocks.Block]:
        return [self.state, self.status, self.outcome, self.run_state, self.grid, self.cancel_cells, self.vote_row,
                self.vote_choice, self.sound, self.box]

    def shown(self, view: BatchView, first: bool = False) -> dict[gr.blocks.Block, Any]:
        """The batch's table, outcome and grid; the cells to cancel only once (so a selection survives updates)."""
        if view.snapshot is None:  # it did not start: said once, where the outcome goes (its first line in the bar)
            return {self.outcome: view.outcome, self.run_state: view.outcome}
        update = {self.state: view.snapshot, self.status: view.table, self.outcome: view.outcome,
                  self.run_state: view.outcome, self.grid: view.grid, self.box: gr.update(visible=True)}
        if first or view.done:
            update[self.cancel_cells] = gr.update(choices=view.cancellable, value=[])
        if view.done:
            update[self.vote_row] = gr.update(choices=view.vote_rows, value=view.vote_row)
            update[self.vote_choice] = gr.update(choices=view.vote_choices, value=None)
            update[self.sound] = gr.update(choices=["none", *view.clips], value="none")
        return update
