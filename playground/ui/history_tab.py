"""The History tab: the results log newest first, filtered and paged; a chosen run can be restored into its
tab, run again, seed-checked, re-fetched from fal, promoted to another endpoint, exported or copied as code —
each action showing its price before it is pressed. Each event asks the core's Revisits once."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from playground.checks import SeedVerdict
from playground.errors import PlaygroundError
from playground.history import Filters
from playground.history_present import KEEP, TABLE_HEADERS
from playground.present import CODE_LANGUAGES, RunWatcher, event_text, result_markdown
from playground.results import STATUSES
from playground.service import Playground, RunResult
from playground.ui.errors import user_errors
from playground.ui.files import served
from playground.ui.session import visitor_of
from playground.ui.widgets import FieldWidgets, write_form


@dataclass
class TabTarget:
    """Where an endpoint's tab sits, so a restore can fill it and switch to it."""

    outer_id: str
    family_tabs: gr.Tabs
    tab_id: str
    widgets: list[FieldWidgets]


def build_history_tab(playground: Playground, session: gr.State, history_tab: gr.Tab, outer_tabs: gr.Tabs,
                      targets: dict[str, TabTarget]) -> None:
    revisits = playground.revisits
    with gr.Row(equal_height=True):
        endpoint = gr.Dropdown([("any endpoint", "")] + [(e.label, e.endpoint_id) for e in playground.catalog.values()],
                               value="", label="Endpoint", scale=3, elem_id="history-endpoint")
        status = gr.Dropdown([("any status", "")] + list(STATUSES), value="", label="Status", scale=1,
                             elem_id="history-status")
        backend = gr.Dropdown([("any backend", ""), "fal", "offline"], value="", label="Backend", scale=1,
                              elem_id="history-backend")
        batch = gr.Textbox(label="Batch id", scale=1, elem_id="history-batch")
        text = gr.Textbox(label="Prompt contains", scale=2, elem_id="history-text")
    table = gr.Dataframe(headers=TABLE_HEADERS, interactive=False, wrap=True, elem_id="history-table",
                         label="Runs, newest first (click a row)")
    with gr.Row(equal_height=True):
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
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            video = gr.Video(label="Video", interactive=False, elem_id="history-video")
        with gr.Column(scale=2):
            details = gr.Markdown("Choose a run in the table.", elem_id="history-details")
            with gr.Row():
                restore = gr.Button("Restore into its tab", variant="primary", elem_id="history-restore")
                rerun = gr.Button("Run again", elem_id="history-rerun")
            with gr.Row():
                seed_check = gr.Button("Check the seed", elem_id="history-seed-check")
                refetch = gr.Button("Fetch again from fal", elem_id="history-refetch")
            with gr.Accordion("Promote: the same prompt, images and seed on another endpoint", open=False):
                with gr.Row(equal_height=True):
                    target = gr.Dropdown([], label="Endpoint", scale=3, elem_id="history-promote-target")
                    resolution = gr.Dropdown([KEEP], value=KEEP, label="Resolution", scale=1,
                                             elem_id="history-promote-resolution")
                    duration = gr.Dropdown([KEEP], value=KEEP, label="Duration", scale=1,
                                           elem_id="history-promote-duration")
                plan = gr.Markdown(elem_id="history-promote-note")
                promote = gr.Button("Promote", interactive=False, elem_id="history-promote")
            outcome = gr.Markdown(elem_id="history-outcome")
    with gr.Accordion("Code for this run", open=False):
        language = gr.Radio(list(CODE_LANGUAGES), value=CODE_LANGUAGES[1], show_label=False, elem_id="history-language")
        code = gr.Code(language="python", interactive=False, elem_id="history-code")

    def owner_of(state, request: gr.Request) -> str:
        return visitor_of(playground, state, request).owner

    def shifted(step: int | None):
        """A page handler: ``step`` pages from the current one, the first page (None), or the current one (0)."""
        def show(endpoint_id, status_, backend_, batch_, text_, page_number, state, request: gr.Request):
            wanted = 1 if step is None else (page_number or 1) + step
            filters = Filters(endpoint_id or "", status_ or "", batch_ or "", backend_ or "", text_ or "")
            return revisits.page_view(filters, wanted, owner_of(state, request))
        return show

    listing, listed = [endpoint, status, backend, batch, text, number, session], [table, number, info, page_ids]
    for name, triggers, step in (("open", [history_tab.select], 0), ("page", [number.submit], 0),
                                 ("filter", [c.change for c in listing[:5]], None), ("newer", [previous.click], -1),
                                 ("older", [following.click], 1)):
        gr.on(triggers, shifted(step), listing, listed, api_name=f"history_{name}", api_visibility="private",
              show_progress="hidden", trigger_mode="always_last")

    def export(fmt):
        def run(endpoint_id, status_, backend_, batch_, text_, state, request: gr.Request):
            filters = Filters(endpoint_id or "", status_ or "", batch_ or "", backend_ or "", text_ or "")
            return gr.update(value=served(exported, str(revisits.export(filters, fmt, owner_of(state, request)))),
                             visible=True)
        return run

    for fmt, button in (("csv", csv_btn), ("json", json_btn)):
        button.click(export(fmt), listing[:5] + [session], exported, api_name=f"history_export_{fmt}",
                     api_visibility="private")

    @user_errors
    def choose(ids: list, state: dict, chosen_language: str, event: gr.SelectData, request: gr.Request):
        run_id = ids[event.index[0]] if ids and event.index and event.index[0] < len(ids) else ""
        picked = revisits.pick(run_id, visitor_of(playground, state, request))
        return (run_id, picked.details, served(video, picked.video_path), picked.code, picked.code[chosen_language],
                picked.rerun_label, gr.update(value=picked.seed_check_label, interactive=picked.can_seed_check),
                gr.update(interactive=picked.can_refetch), gr.update(choices=picked.targets, value=None), "",
                gr.update(value="Promote", interactive=False), "")

    table.select(choose, [page_ids, session, language],
                 [selected, details, video, code_state, code, rerun, seed_check, refetch, target, plan, promote,
                  outcome], api_name="history_choose", api_visibility="private")
    language.change(lambda panes, chosen: panes.get(chosen, ""), [code_state, language], code,
                    api_name="history_language", api_visibility="private", show_progress="hidden")

    @user_errors
    def plan_promotion(run_id, target_id, resolution_, duration_, state, request: gr.Request):
        if not run_id or not target_id:
            return "", gr.update(value="Promote", interactive=False), gr.skip(), gr.skip()
        p = revisits.promotion_plan(run_id, target_id, resolution_, duration_, owner_of(state, request))
        keep = {resolution: resolution_ if resolution_ in p.resolutions else KEEP,
                duration: duration_ if duration_ in p.durations else KEEP}
        return (p.note, gr.update(value=p.label, interactive=p.can_promote),
                gr.update(choices=p.resolutions, value=keep[resolution]), gr.update(choices=p.durations,
                                                                                    value=keep[duration]))

    gr.on([target.input, resolution.input, duration.input], plan_promotion,
          [selected, target, resolution, duration, session], [plan, promote, resolution, duration],
          api_name="history_promote_plan", api_visibility="private", show_progress="hidden")

    all_components = [c for t in targets.values() for w in t.widgets for c in w.components]
    family_tabs = list({id(t.family_tabs): t.family_tabs for t in targets.values()}.values())

    @user_errors
    def restore_run(run_id: str, state: dict, request: gr.Request):
        endpoint_, form = revisits.restore(run_id, owner_of(state, request))
        where = targets[endpoint_.endpoint_id]
        return {outer_tabs: gr.Tabs(selected=where.outer_id), where.family_tabs: gr.Tabs(selected=where.tab_id),
                **write_form(where.widgets, form)}

    restore.click(restore_run, [selected, session], [outer_tabs, *family_tabs, *all_components],
                  api_name="history_restore", api_visibility="private")

    async def follow(events, heading: str):
        """Show a run's progress here, then its result; a SeedVerdict (seed check) is shown last. A run that could
        not start, or failed, says so here once (no pop-up)."""
        try:
            async for update in _follow(events, heading):
                yield update
        except PlaygroundError as exc:
            view = RunWatcher().refused(exc)
            yield f"{heading}: {view.status or ''}\n\n{view.result or ''}", gr.skip()

    async def _follow(events, heading: str):
        result = None
        async for item in events:
            if isinstance(item, RunResult):
                result = item
                yield f"{heading}\n\n" + result_markdown(playground.for_visitor(item.as_dict())), served(
                    video, item.video_path)
            elif isinstance(item, SeedVerdict):
                psnr = f", mean PSNR {item.psnr_db} dB" if item.psnr_db is not None else ""
                yield (f"{heading}: **{item.verdict}** ({item.frames_equal} of {item.frames} frames identical{psnr})"
                       f"\n\n" + result_markdown(playground.for_visitor(result.as_dict())),
                       served(video, result.video_path))
            else:
                yield f"{heading} · {event_text(item)}", gr.skip()

    async def run_again(run_id: str, state: dict, request: gr.Request):
        async for update in follow(revisits.rerun(run_id, visitor_of(playground, state, request)), "Run again"):
            yield update

    async def check_seed(run_id: str, state: dict, request: gr.Request):
        async for update in follow(revisits.seed_check(run_id, visitor_of(playground, state, request)), "Seed check"):
            yield update

    async def promote_run(run_id: str, target_id: str, resolution_: str, duration_: str, state: dict,
                          request: gr.Request):
        chosen = {"resolution": resolution_, "duration": duration_}
        async for update in follow(revisits.promote(run_id, target_id, chosen, visitor_of(playground, state, request)),
                                   "Promoted"):
            yield update

    private = {"api_visibility": "private", "concurrency_id": "runs", "concurrency_limit": 4}
    rerun.click(run_again, [selected, session], [outcome, video], api_name="history_rerun", **private)
    seed_check.click(check_seed, [selected, session], [outcome, video], api_name="history_seed_check", **private)
    promote.click(promote_run, [selected, target, resolution, duration, session], [outcome, video],
                  api_name="history_promote", **private)

    @user_errors
    async def fetch_again(run_id: str, state: dict, request: gr.Request):
        visitor = visitor_of(playground, state, request)
        await revisits.refetch(run_id, visitor)
        picked = revisits.pick(run_id, visitor)
        return picked.details, served(video, picked.video_path)

    refetch.click(fetch_again, [selected, session], [details, video], api_name="history_refetch", **private)
