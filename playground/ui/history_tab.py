"""The History tab: the results log newest first, filtered and paged; a chosen run can be restored into its
tab, run again, seed-checked, re-fetched from fal, promoted to another endpoint, exported or copied as code —
each action showing its price before it is pressed. Each event asks the core once.

The page loads the code of every component it holds, shown or not (hidden ones aside), and mounts a tab's content
when the tab is first shown; so the table appears with its first page (the first load carries no table code, 42 KB),
and what only means something once a run is chosen — its player, its code pane, the promotion form — stays hidden
until then: nothing of it is mounted, and no video player (hls.js, 156 KB) is loaded before there is a video."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from playground.ui.endpoint_tabs import TabTarget
from playground.ui.errors import user_errors
from playground.ui.files import served
from playground.ui.session import visitor_of
from playground.ui.widgets import changes
from playground.views import CODE_LANGUAGES, FINAL, KEEP, TABLE_HEADERS, ActionView, Filters, HistoryCalls, SessionCalls

RUNS: dict[str, Any] = {"api_visibility": "private", "concurrency_id": "runs", "concurrency_limit": 4}


@dataclass
class RunPanel:
    """The chosen run: its video and details, what can be done with it (each priced), and its code."""

    video: gr.Video
    details: gr.Markdown
    restore: gr.Button
    rerun: gr.Button
    seed_check: gr.Button
    refetch: gr.Button
    target: gr.Dropdown
    resolution: gr.Dropdown
    duration: gr.Dropdown
    plan: gr.Markdown
    promote: gr.Button
    outcome: gr.Markdown
    language: gr.Radio
    code: gr.Code
    chosen_only: list[gr.blocks.Block]  # shown once a run is chosen

    @classmethod
    def build(cls) -> RunPanel:
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                video = gr.Video(label="Video", interactive=False, elem_id="history-video", visible=False)
            with gr.Column(scale=2):
                details = gr.Markdown("Choose a run in the table.", elem_id="history-details")
                with gr.Row():
                    restore = gr.Button("Restore into its tab", variant="primary", elem_id="history-restore")
                    rerun = gr.Button("Run again", elem_id="history-rerun")
                with gr.Row():
                    seed_check = gr.Button("Check the seed", elem_id="history-seed-check")
                    refetch = gr.Button("Fetch again", elem_id="history-refetch")
                with gr.Accordion("Promote: the same prompt, images and seed on another endpoint", open=False,
                                  visible=False, elem_id="history-promote-box") as promotion:
                    with gr.Row(equal_height=True):
                        target = gr.Dropdown([], label="Endpoint", scale=3, elem_id="history-promote-target")
                        resolution = gr.Dropdown([KEEP], value=KEEP, label="Resolution", scale=1,
                                                 elem_id="history-promote-resolution")
                        duration = gr.Dropdown([KEEP], value=KEEP, label="Duration", scale=1,
                                               elem_id="history-promote-duration")
                    plan = gr.Markdown(elem_id="history-promote-note")
                    promote = gr.Button("Promote", interactive=False, elem_id="history-promote")
                outcome = gr.Markdown(elem_id="history-outcome")
        with gr.Accordion("Code for this run", open=False, visible=False, elem_id="history-code-box") as code_box:
            language = gr.Radio(list(CODE_LANGUAGES), value=CODE_LANGUAGES[1], show_label=False,
                                elem_id="history-language")
            code = gr.Code(language="python", interactive=False, elem_id="history-code")
        return cls(video, details, restore, rerun, seed_check, refetch, target, resolution, duration, plan, promote,
                   outcome, language, code, [promotion, code_box])

    def showing(self, path: str | None) -> Any:
        """The player showing ``path`` (a servable copy), or hidden when the run has no video or its file is gone
        (Gradio would hand back the missing path, and the whole answer would fail on it)."""
        copy = served(self.video, path) if path and Path(path).is_file() else None
        return gr.update(value=copy, visible=copy is not None)


def build_history_tab(history: HistoryCalls, sessions: SessionCalls, session: gr.State, history_tab: gr.Tab,
                      outer_tabs: gr.Tabs, targets: dict[str, TabTarget], restores: gr.State) -> None:
    """The filters, the paged table and the chosen run's panel, with their events (``targets``: where each endpoint's
    tab is, for Restore)."""
    with gr.Row(equal_height=True):
        endpoint = gr.Dropdown([("any endpoint", ""), *history.endpoint_choices()], value="", label="Endpoint",
                               scale=3, elem_id="history-endpoint")
        status = gr.Dropdown([("any status", ""), *(str(s) for s in FINAL)], value="", label="Status", scale=1,
                             elem_id="history-status")
        backend = gr.Dropdown([("any backend", ""), *history.backend_names()], value="", label="Backend",
                              scale=1, elem_id="history-backend")
        batch = gr.Textbox(label="Batch id", scale=1, elem_id="history-batch")
        text = gr.Textbox(label="Prompt contains", scale=2, elem_id="history-text")
    table = gr.Dataframe(headers=TABLE_HEADERS, interactive=False, wrap=True, elem_id="history-table",
                         label="Runs, newest first (click a row)", visible=False)  # shown with its first page
    with gr.Row(equal_height=False, elem_id="history-pager"):  # page.css: wraps on a phone, buttons keep one line
        previous = gr.Button("◀ Newer", size="sm", scale=0, min_width=100, elem_id="history-prev")
        number = gr.Number(1, precision=0, minimum=1, show_label=False, container=False, scale=0, min_width=70,
                           elem_id="history-page")
        following = gr.Button("Older ▶", size="sm", scale=0, min_width=100, elem_id="history-next")
        info = gr.Markdown(elem_id="history-info")
        csv_btn = gr.Button("Export CSV (spreadsheet-safe)", size="sm", scale=0, min_width=230,
                            elem_id="history-export-csv")
        json_btn = gr.Button("Export JSON (exact)", size="sm", scale=0, min_width=170, elem_id="history-export-json")
    exported = gr.File(label="Export", visible=False, elem_id="history-export-file")
    page_ids, selected, code_state = gr.State([]), gr.State(""), gr.State({})
    run = RunPanel.build()
    filtering = [endpoint, status, backend, batch, text]

    def page_of(step: int | None) -> Callable[..., Any]:
        """A page handler: ``step`` pages from the current one, the first page (None), or the current one (0)."""
        def show(endpoint_id: str | None, status_: str | None, backend_: str | None, batch_: str | None,
                 text_: str | None, page_number: float | None, state: dict, request: gr.Request) -> tuple:
            wanted = 1 if step is None else (page_number or 1) + step
            filters = Filters(endpoint_id or "", status_ or "", batch_ or "", backend_ or "", text_ or "")
            rows, shown_number, info_line, ids = history.page(filters, wanted, visitor_of(sessions, state, request))
            return gr.update(value=rows, visible=True), shown_number, info_line, ids
        return show

    for name, triggers, step in (("open", [history_tab.select], 0), ("page", [number.submit], 0),
                                 ("filter", changes(filtering), None), ("newer", [previous.click], -1),
                                 ("older", [following.click], 1)):
        # one quick read of one page: answered in the request itself, not through the queue's join and stream
        gr.on(triggers, page_of(step), [*filtering, number, session], [table, number, info, page_ids],
              api_name=f"history_{name}", api_visibility="private", show_progress="hidden", trigger_mode="always_last",
              queue=False)

    def export(fmt: str) -> Callable[..., Any]:
        def run_export(endpoint_id: str | None, status_: str | None, backend_: str | None, batch_: str | None,
                       text_: str | None, state: dict, request: gr.Request) -> Any:
            filters = Filters(endpoint_id or "", status_ or "", batch_ or "", backend_ or "", text_ or "")
            path = history.export(filters, fmt, visitor_of(sessions, state, request))
            return gr.update(value=served(exported, str(path)), visible=True)
        return run_export

    for fmt, button in (("csv", csv_btn), ("json", json_btn)):
        button.click(export(fmt), [*filtering, session], exported, api_name=f"history_export_{fmt}",
                     api_visibility="private")

    @user_errors
    def choose(ids: list, state: dict, chosen_language: str, event: gr.SelectData, request: gr.Request) -> tuple:
        run_id = ids[event.index[0]] if ids and event.index and event.index[0] < len(ids) else ""
        picked = history.pick(run_id, visitor_of(sessions, state, request))
        return (run_id, picked.details, run.showing(picked.video_path), picked.code, picked.code[chosen_language],
                picked.rerun_label, gr.update(value=picked.seed_check_label, interactive=picked.can_seed_check),
                gr.update(interactive=picked.can_refetch), gr.update(choices=picked.targets, value=None), "",
                gr.update(value="Promote", interactive=False), "", *(gr.update(visible=True) for _ in run.chosen_only))

    table.select(choose, [page_ids, session, run.language],
                 [selected, run.details, run.video, code_state, run.code, run.rerun, run.seed_check, run.refetch,
                  run.target, run.plan, run.promote, run.outcome, *run.chosen_only], api_name="history_choose",
                 api_visibility="private")
    run.language.change(lambda panes, chosen: panes.get(chosen, ""), [code_state, run.language], run.code,
                        api_name="history_language", api_visibility="private", show_progress="hidden")

    @user_errors
    def plan_promotion(run_id: str, target_id: str | None, resolution_: str, duration_: str, state: dict,
                       request: gr.Request) -> tuple:
        if not run_id or not target_id:
            return "", gr.update(value="Promote", interactive=False), gr.skip(), gr.skip()
        p = history.promotion_plan(run_id, target_id, resolution_, duration_, visitor_of(sessions, state, request))
        return (p.note, gr.update(value=p.label, interactive=p.can_promote),
                gr.update(choices=p.resolutions, value=resolution_ if resolution_ in p.resolutions else KEEP),
                gr.update(choices=p.durations, value=duration_ if duration_ in p.durations else KEEP))

    gr.on([run.target.input, run.resolution.input, run.duration.input], plan_promotion,
          [selected, run.target, run.resolution, run.duration, session], [run.plan, run.promote, run.resolution,
                                                                           run.duration],
          api_name="history_promote_plan", api_visibility="private", show_progress="hidden")
    wire_restore(history, sessions, run.restore, selected, session, outer_tabs, targets, restores)
    refresh = Refresh(page_of(None), [*filtering, number, session], [table, number, info, page_ids])
    wire_run_actions(history, sessions, run, selected, session, refresh)

@dataclass
class Refresh:
    """History's table shown again (its first page, as filtered now): a new run is its newest row."""

    handler: Callable[..., Any]
    inputs: list[gr.components.Component]
    outputs: list[gr.components.Component]

    def after(self, event: Any, name: str) -> None:
        event.then(self.handler, self.inputs, self.outputs, api_name=f"history_refresh_{name}",
                   api_visibility="private", show_progress="hidden")


def wire_run_actions(history: HistoryCalls, sessions: SessionCalls, run: RunPanel, selected: gr.State,
                     session: gr.State, refresh: Refresh) -> None:
    """Run again, check the seed, promote (each a new run: the table shows it when it ends), fetch again."""

    async def shown(views: AsyncIterator[ActionView]) -> AsyncIterator[tuple[str, Any]]:
        async for view in views:
            yield view.outcome, gr.skip() if view.video is None else run.showing(view.video)

    async def run_again(run_id: str, state: dict, request: gr.Request) -> AsyncIterator[tuple[str, Any]]:
        async for update in shown(history.rerun(run_id, visitor_of(sessions, state, request))):
            yield update

    async def check_seed(run_id: str, state: dict, request: gr.Request) -> AsyncIterator[tuple[str, Any]]:
        async for update in shown(history.seed_check(run_id, visitor_of(sessions, state, request))):
            yield update

    async def promote_run(run_id: str, target_id: str, resolution_: str, duration_: str, state: dict,
                          request: gr.Request) -> AsyncIterator[tuple[str, Any]]:
        visitor = visitor_of(sessions, state, request)
        async for update in shown(history.promote(run_id, target_id, resolution_, duration_, visitor)):
            yield update

    refresh.after(run.rerun.click(run_again, [selected, session], [run.outcome, run.video],
                                  api_name="history_rerun", **RUNS), "rerun")
    refresh.after(run.seed_check.click(check_seed, [selected, session], [run.outcome, run.video],
                                       api_name="history_seed_check", **RUNS), "seed_check")
    refresh.after(run.promote.click(promote_run, [selected, run.target, run.resolution, run.duration, session],
                                    [run.outcome, run.video], api_name="history_promote", **RUNS), "promote")

    @user_errors
    async def fetch_again(run_id: str, state: dict, request: gr.Request) -> tuple[str, Any]:
        picked = await history.refetch(run_id, visitor_of(sessions, state, request))
        return picked.details, run.showing(picked.video_path)

    run.refetch.click(fetch_again, [selected, session], [run.details, run.video], api_name="history_refetch", **RUNS)

def wire_restore(history: HistoryCalls, sessions: SessionCalls, button: gr.Button, selected: gr.State,
                 session: gr.State, outer_tabs: gr.Tabs, targets: dict[str, TabTarget], restores: gr.State) -> None:
    """Restore: switch to the run's own tab and rebuild it showing the run's form, field for field."""
    openings = [t.opening for t in targets.values()]
    family_tabs = list({id(t.family_tabs): t.family_tabs for t in targets.values()}.values())

    @user_errors
    def restore_run(run_id: str, state: dict, forms: dict | None,
                    request: gr.Request) -> dict[gr.blocks.Block, Any]:
        endpoint, form = history.restore(run_id, visitor_of(sessions, state, request))
        where = targets[endpoint.endpoint_id]
        return {outer_tabs: gr.Tabs(selected=where.outer_id), where.family_tabs: gr.Tabs(selected=where.tab_id),
                restores: {**(forms or {}), endpoint.endpoint_id: form}, where.opening: TabTarget.restoring()}

    button.click(restore_run, [selected, session, restores], [outer_tabs, *family_tabs, restores, *openings],
                 api_name="history_restore", api_visibility="private", show_progress_on=button)
