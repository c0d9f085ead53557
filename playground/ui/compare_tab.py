"""The Compare tab: prompt variants × endpoints × fixed seeds, the plan and fairness report before running,
live cells while running, a synced grid, and votes. Every event asks the core once; a comparison that cannot
run says why in its outcome, and Run is off while the plan lists problems."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from playground.errors import PlaygroundError
from playground.ui.errors import said_inline, user_errors
from playground.ui.files import page_root, served, served_url
from playground.ui.lean import built_when_opened, opening_box, opens_on_select
from playground.ui.session import visitor_of
from playground.ui.widgets import (
    FORM_EVENT,
    FieldWidgets,
    build_fields,
    changes,
    components,
    read_form,
    write_form,
)
from playground.views import STATUS_HEADERS, BatchSnapshot, BatchView, CompareCalls, CompareForm, SessionCalls

ClipUrl = Callable[[str], str]  # a clip's path → its URL on the visitor's page
PRIVATE: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
# A vote key pressed in a row of the grid (judging.js reads it) becomes the grid's "submit" event: {row, key}.
KEY_VOTES = ("element.addEventListener('keydown', (event) => { const picked = window.seedanceJudging?.keyChoice(event);"
             " if (picked) trigger('submit', picked); });")


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

    @classmethod
    def build(cls, run_state: gr.Markdown) -> BatchPanel:
        state, outcome = gr.State(None), gr.Markdown(elem_id="cmp-outcome")
        status = gr.Dataframe(headers=STATUS_HEADERS, interactive=False, wrap=True, elem_id="cmp-status", label="Cells")
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
        with gr.Row(equal_height=True):
            sound = gr.Dropdown(["none"], value="none", label="Sound from", scale=2, elem_id="cmp-export-sound",
                                interactive=True)
            export_button = gr.Button("Export this row as one MP4", scale=1, elem_id="cmp-export")
            exported = gr.File(label="Side-by-side MP4", interactive=False, scale=2, elem_id="cmp-export-file")
        return cls(state, outcome, status, cancel_cells, cancel_button, grid, vote_row, vote_choice, vote_button,
                   vote_said, sound, export_button, exported, run_state)

    @property
    def outputs(self) -> list[gr.components.Component]:
        return [self.state, self.status, self.outcome, self.run_state, self.grid, self.cancel_cells, self.vote_row,
                self.vote_choice, self.sound]

    def shown(self, view: BatchView, first: bool = False) -> dict[gr.components.Component, Any]:
        """The batch's table, outcome and grid; the cells to cancel only once (so a selection survives updates)."""
        if view.snapshot is None:  # it did not start: said once, where the outcome goes (its first line in the bar)
            return {self.outcome: view.outcome, self.run_state: view.outcome}
        update = {self.state: view.snapshot, self.status: view.table, self.outcome: view.outcome,
                  self.run_state: view.outcome, self.grid: view.grid}
        if first or view.done:
            update[self.cancel_cells] = gr.update(choices=view.cancellable, value=[])
        if view.done:
            update[self.vote_row] = gr.update(choices=view.vote_rows, value=view.vote_row)
            update[self.vote_choice] = gr.update(choices=view.vote_choices, value=None)
            update[self.sound] = gr.update(choices=["none", *view.clips], value="none")
        return update


def build_compare_tab(compare: CompareCalls, sessions: SessionCalls, session: gr.State, tab: gr.Tab) -> None:
    """Built the first time a visitor opens the tab: its hundred components need not weigh on every page load.
    Its inputs say ``interactive=True``: Gradio infers interactivity only for components that exist at start-up."""
    opening = opening_box("compare-opening")
    opens_on_select(tab, opening, "open_compare")
    built_when_opened(opening, lambda _mark: build_compare_contents(compare, sessions, session))


def build_compare_contents(compare: CompareCalls, sessions: SessionCalls, session: gr.State) -> None:
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
    panel = BatchPanel.build(run_state)

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
        return ([gr.update(choices=offered.endpoints, value=offered.selected),
                 gr.update(choices=offered.presets, value=None)] + [gr.update(visible=m == chosen) for m in forms])

    mode.change(switch_mode, mode, [endpoints, preset] + [group for group, _ in forms.values()],
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

    async def run_compare(data: dict, request: gr.Request) -> AsyncIterator[dict[gr.components.Component, Any]]:
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
    def reblind(snapshot: BatchSnapshot | None, on: bool, row: str | None, request: gr.Request) -> Any:
        return shown(compare.view(snapshot, on, row, clip_urls(request))) if snapshot else gr.skip()

    blind.change(reblind, [panel.state, blind, panel.vote_row], panel.outputs, api_name="compare_blind", **PRIVATE)
    _wire_judging(compare, panel, blind, clip_urls)


def _wire_judging(compare: CompareCalls, panel: BatchPanel, blind: gr.Checkbox,
                  clip_urls: Callable[[gr.Request | None], ClipUrl]) -> None:
    """The events under the grid: choosing a row, voting on it, exporting it as one MP4."""
    shown = panel.shown

    def choose_row(snapshot: BatchSnapshot | None, row: str, on: bool) -> tuple[Any, Any]:
        choices, clips = compare.row_choices(snapshot, row, on)
        return gr.update(choices=choices, value=None), gr.update(choices=["none", *clips], value="none")

    panel.vote_row.input(choose_row, [panel.state, panel.vote_row, blind], [panel.vote_choice, panel.sound],
                         api_name="compare_vote_row", **PRIVATE)

    @user_errors
    def export_row(snapshot: BatchSnapshot | None, row: str | None, on: bool, sound: str) -> str | None:
        return served(panel.exported, str(compare.export_row(snapshot, row, on, None if sound == "none" else sound)))

    panel.export_button.click(export_row, [panel.state, panel.vote_row, blind, panel.sound], panel.exported,
                              api_name="compare_export_row", api_visibility="private", concurrency_id="exports",
                              concurrency_limit=2)

    # A vote that is refused is said under the grid, in the vote's own line; every other field stays as it was.
    def vote(snapshot: BatchSnapshot | None, row: str, choice: str, blind_on: bool,
             request: gr.Request) -> dict[gr.components.Component, Any]:
        try:
            said, view = compare.vote(snapshot, row, choice, blind_on, clip_urls(request))
        except PlaygroundError as exc:
            return {panel.vote_said: said_inline(exc, "Vote not recorded")}
        return {panel.vote_said: said, **shown(view)}

    panel.vote_button.click(vote, [panel.state, panel.vote_row, panel.vote_choice, blind],
                            [panel.vote_said, *panel.outputs], api_name="compare_vote", api_visibility="private")

    def vote_key(snapshot: BatchSnapshot | None, blind_on: bool, pressed: gr.EventData,
                 request: gr.Request) -> dict[gr.components.Component, Any]:
        data = pressed._data if isinstance(pressed._data, dict) else {}  # what the page sent: {row, key}
        try:
            said, view = compare.vote_key(snapshot, str(data.get("row", "")), str(data.get("key", "")), blind_on,
                                          clip_urls(request))
        except PlaygroundError as exc:
            return {panel.vote_said: said_inline(exc, "Vote not recorded")}
        return {panel.vote_said: said, **shown(view)}

    panel.grid.submit(vote_key, [panel.state, blind], [panel.vote_said, *panel.outputs], api_name="compare_vote_key",
                      api_visibility="private")
