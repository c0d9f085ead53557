"""The History tab: the results log newest first, filtered and paged; a chosen run can be restored into its
tab, run again, seed-checked, re-fetched from fal, promoted to another endpoint, exported or copied as code.
Each event asks the core's Revisits (or History) once."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from playground.checks import SeedVerdict
from playground.history import SHOWN, Filters
from playground.present import event_text, result_markdown
from playground.results import STATUSES
from playground.service import Playground, RunResult
from playground.ui.errors import user_errors
from playground.ui.files import served
from playground.ui.session import visitor_of
from playground.ui.widgets import FieldWidgets, write_form

KEEP = "keep"


@dataclass
class TabTarget:
    """Where an endpoint's tab sits, so a restore can fill it and switch to it."""

    outer_id: str
    family_tabs: gr.Tabs
    tab_id: str
    widgets: list[FieldWidgets]


def _row_markdown(row: dict) -> str:
    result = {**row, "seed": row["seed"] or "?", "estimated_cost_usd": float(row["estimated_cost_usd"] or 0),
              "width": int(row["width"]) if row["width"] else None, "height": row["height"], "fps": float(row["fps"] or 0),
              "duration_s": float(row["duration_s"] or 0), "queue_s": float(row["queue_s"]) if row["queue_s"] else None,
              "run_s": float(row["run_s"]) if row["run_s"] else None, "has_audio": row.get("has_audio") == "true"}
    head = f"**Run `{row['run_id']}`** · `{row['endpoint_id']}` · {row['created_at']}"
    return head + "\n\n" + result_markdown(result)


def build_history_tab(playground: Playground, session: gr.State, history_tab: gr.Tab, outer_tabs: gr.Tabs,
                      targets: dict[str, TabTarget]) -> None:
    revisits = playground.revisits
    endpoint_choices = [("any endpoint", "")] + [(e.label, e.endpoint_id) for e in playground.catalog.values()]
    with gr.Row(equal_height=True):
        endpoint = gr.Dropdown(endpoint_choices, value="", label="Endpoint", scale=3, elem_id="history-endpoint")
        status = gr.Dropdown([("any status", "")] + list(STATUSES), value="", label="Status", scale=1,
                             elem_id="history-status")
        backend = gr.Dropdown([("any backend", ""), "fal", "offline"], value="", label="Backend", scale=1,
                              elem_id="history-backend")
        batch = gr.Textbox(label="Batch id", scale=1, elem_id="history-batch")
        text = gr.Textbox(label="Prompt contains", scale=2, elem_id="history-text")
    table = gr.Dataframe(headers=SHOWN, interactive=False, wrap=True, elem_id="history-table",
                         label="Runs, newest first (click a row)")
    with gr.Row(equal_height=True):
        previous = gr.Button("◀ Newer", scale=1, elem_id="history-prev")
        number = gr.Number(1, precision=0, minimum=1, label="Page", scale=1, elem_id="history-page")
        following = gr.Button("Older ▶", scale=1, elem_id="history-next")
        info = gr.Markdown(elem_id="history-info")
        csv_btn = gr.Button("Export CSV (spreadsheet-safe)", scale=2, elem_id="history-export-csv")
        json_btn = gr.Button("Export JSON (exact)", scale=2, elem_id="history-export-json")
    exported = gr.File(label="Export", visible=False, elem_id="history-export-file")
    page_ids, selected = gr.State([]), gr.State("")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            video = gr.Video(label="Video", interactive=False, elem_id="history-video")
        with gr.Column(scale=2):
            details = gr.Markdown("Choose a run in the table.", elem_id="history-details")
            with gr.Row():
                restore = gr.Button("Restore into its tab", variant="primary", elem_id="history-restore")
                rerun = gr.Button("Run again", elem_id="history-rerun")
            with gr.Row():
                seed_check = gr.Button("Run again with the same seed, and compare", elem_id="history-seed-check")
                refetch = gr.Button("Fetch again from fal", elem_id="history-refetch")
            with gr.Accordion("Promote: the same prompt, images and seed on another endpoint", open=False):
                with gr.Row(equal_height=True):
                    target = gr.Dropdown([], label="Endpoint", scale=3, elem_id="history-promote-target")
                    resolution = gr.Dropdown([KEEP, "480p", "720p", "1080p"], value=KEEP, label="Resolution", scale=1,
                                             elem_id="history-promote-resolution")
                    duration = gr.Dropdown([KEEP, "auto"] + [str(s) for s in range(2, 16)], value=KEEP,
                                           label="Duration", scale=1, elem_id="history-promote-duration")
                promote = gr.Button("Promote", elem_id="history-promote")
            outcome = gr.Markdown(elem_id="history-outcome")
    with gr.Accordion("Code for this run", open=False):
        with gr.Tabs():
            with gr.Tab("Python"):
                python_code = gr.Code(language="python", interactive=False, elem_id="history-python")
            with gr.Tab("JavaScript"):
                js_code = gr.Code(language="javascript", interactive=False, elem_id="history-javascript")
            with gr.Tab("cURL"):
                curl_code = gr.Code(language="shell", interactive=False, elem_id="history-curl")

    filters = [endpoint, status, backend, batch, text]

    def owner_of(state, request: gr.Request) -> str:
        return visitor_of(playground, state, request).owner

    def show(endpoint_id, status_, backend_, batch_, text_, page_number, state, request: gr.Request):
        rows, page_number, pages, total = revisits.page(Filters(endpoint_id or "", status_ or "", batch_ or "",
                                                                backend_ or "", text_ or ""), page_number,
                                                        owner=owner_of(state, request))
        table_rows = [[r[c] for c in SHOWN] for r in rows]
        return (table_rows, page_number, f"page {page_number} of {pages} · {total} run(s)", [r["run_id"] for r in rows])

    def shifted(step: int | None):
        """A page handler: ``step`` pages from the current one, or the first page when ``step`` is None."""
        def handler(endpoint_id, status_, backend_, batch_, text_, page_number, state, request: gr.Request):
            target = 1 if step is None else (page_number or 1) + step
            return show(endpoint_id, status_, backend_, batch_, text_, target, state, request)
        return handler

    outputs = [table, number, info, page_ids]
    listing = filters + [number, session]
    for name, trigger in (("open", history_tab.select), ("page", number.submit)):
        trigger(show, listing, outputs, api_name=f"history_{name}", api_visibility="private", show_progress="hidden")
    gr.on([c.change for c in filters], shifted(None), listing, outputs, api_name="history_filter",
          api_visibility="private", show_progress="hidden", trigger_mode="always_last")
    previous.click(shifted(-1), listing, outputs, api_name="history_newer", api_visibility="private",
                   show_progress="hidden")
    following.click(shifted(1), listing, outputs, api_name="history_older", api_visibility="private",
                    show_progress="hidden")

    def export(fmt):
        def run(endpoint_id, status_, batch_, backend_, text_, state, request: gr.Request):
            path = revisits.export(Filters(endpoint_id or "", status_ or "", batch_ or "", backend_ or "", text_ or ""),
                                   fmt, owner=owner_of(state, request))
            return gr.update(value=served(exported, str(path)), visible=True)
        return run

    export_inputs = [endpoint, status, batch, backend, text, session]
    csv_btn.click(export("csv"), export_inputs, exported, api_name="history_export_csv", api_visibility="private")
    json_btn.click(export("json"), export_inputs, exported, api_name="history_export_json", api_visibility="private")

    @user_errors
    def choose(ids: list, state: dict, event: gr.SelectData, request: gr.Request):
        run_id = ids[event.index[0]] if ids and event.index and event.index[0] < len(ids) else ""
        owner = owner_of(state, request)
        row = revisits.row(run_id, owner)
        code = revisits.snippets(run_id, owner)
        mode = playground.catalog[row["endpoint_id"]].mode
        choices = [(e.label, e.endpoint_id) for e in playground.catalog.values() if e.mode == mode]
        return (run_id, _row_markdown(row), served(video, row["video_path"]), code["python"], code["javascript"], code["curl"],
                gr.update(choices=choices, value=None), "")

    table.select(choose, [page_ids, session], [selected, details, video, python_code, js_code, curl_code, target, outcome],
                 api_name="history_choose", api_visibility="private")

    all_components = [c for t in targets.values() for w in t.widgets for c in w.components]
    family_tabs = list({id(t.family_tabs): t.family_tabs for t in targets.values()}.values())

    @user_errors
    def restore_run(run_id: str, state: dict, request: gr.Request):
        endpoint_, form = revisits.restore(run_id, owner_of(state, request))
        where = targets[endpoint_.endpoint_id]
        return {outer_tabs: gr.Tabs(selected=where.outer_id), where.family_tabs: gr.Tabs(selected=where.tab_id),
                **write_form(where.widgets, form)}

    restore.click(restore_run, [selected, session], [outer_tabs, *family_tabs, *all_components], api_name="history_restore",
                  api_visibility="private")

    async def follow(events, heading: str):
        """Show a run's progress here, then its result; a SeedVerdict (seed check) is shown last."""
        result = None
        async for item in events:
            if isinstance(item, RunResult):
                result = item
                yield f"{heading}\n\n" + result_markdown(item.as_dict()), served(video, item.video_path)
            elif isinstance(item, SeedVerdict):
                psnr = f", mean PSNR {item.psnr_db} dB" if item.psnr_db is not None else ""
                yield (f"{heading}: **{item.verdict}** ({item.frames_equal} of {item.frames} frames identical{psnr})"
                       f"\n\n" + result_markdown(result.as_dict()), served(video, result.video_path))
            else:
                yield f"{heading} · {event_text(item)}", gr.skip()

    @user_errors
    async def run_again(run_id: str, state: dict, request: gr.Request):
        async for update in follow(revisits.rerun(run_id, visitor_of(playground, state, request)), "Run again"):
            yield update

    @user_errors
    async def check_seed(run_id: str, state: dict, request: gr.Request):
        async for update in follow(revisits.seed_check(run_id, visitor_of(playground, state, request)), "Seed check"):
            yield update

    @user_errors
    async def promote_run(run_id: str, target_id: str, resolution_: str, duration_: str, state: dict,
                          request: gr.Request):
        overrides = {k: v for k, v in (("resolution", resolution_), ("duration", duration_)) if v and v != KEEP}
        _, sent, changes = revisits.promotion(run_id, target_id, overrides, owner_of(state, request))
        note = "; ".join(f"{c.field} {c.asked} → {'dropped' if c.sent is None else c.sent} ({c.why})" for c in changes)
        async for update in follow(revisits.promote(run_id, target_id, overrides, visitor_of(playground, state, request)),
                                   "Promoted" + (f" ({note})" if note else "")):
            yield update

    @user_errors
    async def fetch_again(run_id: str, state: dict, request: gr.Request):
        row = await revisits.refetch(run_id, visitor_of(playground, state, request))
        return _row_markdown(row), served(video, row["video_path"])

    private = {"api_visibility": "private", "concurrency_id": "runs", "concurrency_limit": 4}
    rerun.click(run_again, [selected, session], [outcome, video], api_name="history_rerun", **private)
    seed_check.click(check_seed, [selected, session], [outcome, video], api_name="history_seed_check", **private)
    promote.click(promote_run, [selected, target, resolution, duration, session], [outcome, video],
                  api_name="history_promote", **private)
    refetch.click(fetch_again, [selected, session], [details, video], api_name="history_refetch", **private)
