"""The Compare tab's events about a finished batch, each for the visitor who sends it: opening a kept comparison
(a teammate's, or one from before a reload), showing it blind, choosing a row, voting on it as the visitor's
judge, and exporting it as one MP4. Blind rows stay blind for each judge until *they* vote."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from playground.errors import PlaygroundError
from playground.ui.batch_panel import BatchPanel
from playground.ui.errors import said_inline, user_errors
from playground.ui.files import served
from playground.ui.session import visitor_of
from playground.views import BatchSnapshot, CompareCalls, SessionCalls, Visitor

ClipUrl = Callable[[str], str]
PRIVATE: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
Update = dict[gr.blocks.Block, Any]


@dataclass
class Judging:
    """What the judging events need: the core, who is calling, the panel they act on."""

    compare: CompareCalls
    sessions: SessionCalls
    session: gr.State
    name: gr.Textbox  # the judge's name box at the top of the page
    panel: BatchPanel
    blind: gr.Checkbox
    clip_urls: Callable[[gr.Request | None], ClipUrl]

    def visitor(self, state: dict | None, request: gr.Request | None, name: str | None) -> Visitor:
        return visitor_of(self.sessions, state, request, name)


def wire_judging(j: Judging) -> None:
    """Open, blind, row, vote (button and keys) and export events."""
    compare, panel, shown = j.compare, j.panel, j.panel.shown
    _wire_open(j)

    def reblind(snapshot: BatchSnapshot | None, on: bool, row: str | None, state: dict, name: str,
                request: gr.Request) -> Any:
        view = compare.view(snapshot, on, row, j.clip_urls(request), j.visitor(state, request, name))
        return shown(view) if snapshot else gr.skip()

    j.blind.change(reblind, [panel.state, j.blind, panel.vote_row, j.session, j.name], panel.outputs,
                   api_name="compare_blind", **PRIVATE)

    def choose_row(snapshot: BatchSnapshot | None, row: str, on: bool, state: dict, name: str,
                   request: gr.Request) -> tuple[Any, Any]:
        choices, clips = compare.row_choices(snapshot, row, on, j.visitor(state, request, name))
        return gr.update(choices=choices, value=None), gr.update(choices=["none", *clips], value="none")

    panel.vote_row.input(choose_row, [panel.state, panel.vote_row, j.blind, j.session, j.name],
                         [panel.vote_choice, panel.sound], api_name="compare_vote_row", **PRIVATE)

    @user_errors
    def export_row(snapshot: BatchSnapshot | None, row: str | None, on: bool, sound: str, state: dict, name: str,
                   request: gr.Request) -> str | None:
        audio = None if sound == "none" else sound
        path = compare.export_row(snapshot, row, on, audio, j.visitor(state, request, name))
        return served(panel.exported, str(path))

    panel.export_button.click(export_row, [panel.state, panel.vote_row, j.blind, panel.sound, j.session, j.name],
                              panel.exported, api_name="compare_export_row", api_visibility="private",
                              concurrency_id="exports", concurrency_limit=2)

    # A vote that is refused is said under the grid, in the vote's own line; every other field stays as it was.
    def vote(snapshot: BatchSnapshot | None, row: str, choice: str, blind_on: bool, state: dict, name: str,
             request: gr.Request) -> Update:
        try:
            said, view = compare.vote(snapshot, row, choice, blind_on, j.clip_urls(request), j.visitor(state, request, name))
        except PlaygroundError as exc:
            return {panel.vote_said: said_inline(exc, "Vote not recorded")}
        return {panel.vote_said: said, **shown(view)}

    panel.vote_button.click(vote, [panel.state, panel.vote_row, panel.vote_choice, j.blind, j.session, j.name],
                            [panel.vote_said, *panel.outputs], api_name="compare_vote", api_visibility="private")

    def vote_key(snapshot: BatchSnapshot | None, blind_on: bool, state: dict, name: str, pressed: gr.EventData,
                 request: gr.Request) -> Update:
        data = pressed._data if isinstance(pressed._data, dict) else {}  # what the page sent: {row, key}
        try:
            said, view = compare.vote_key(snapshot, str(data.get("row", "")), str(data.get("key", "")), blind_on,
                                          j.clip_urls(request), j.visitor(state, request, name))
        except PlaygroundError as exc:
            return {panel.vote_said: said_inline(exc, "Vote not recorded")}
        return {panel.vote_said: said, **shown(view)}

    panel.grid.submit(vote_key, [panel.state, j.blind, j.session, j.name], [panel.vote_said, *panel.outputs],
                      api_name="compare_vote_key", api_visibility="private")


def _wire_open(j: Judging) -> None:
    """The Open row: its list is filled when the list is focused (always current), a chosen batch opens below."""
    compare, panel = j.compare, j.panel

    def listed(state: dict, name: str, request: gr.Request) -> Any:
        return gr.update(choices=compare.open_choices(j.visitor(state, request, name)))

    panel.open_choice.focus(listed, [j.session, j.name], panel.open_choice, api_name="compare_open_list", **PRIVATE)

    def open_batch(batch_id: str | None, on: bool, state: dict, name: str, request: gr.Request) -> Update:
        if not batch_id:
            return {panel.vote_said: "Choose a comparison to open first."}
        try:
            _, view = compare.open(batch_id, on, j.clip_urls(request), j.visitor(state, request, name))
        except PlaygroundError as exc:
            return {panel.vote_said: said_inline(exc, "Not opened")}
        return {panel.vote_said: "", **panel.shown(view, first=True)}

    panel.open_button.click(open_batch, [panel.open_choice, j.blind, j.session, j.name],
                            [panel.vote_said, *panel.outputs],
                            api_name="compare_open", api_visibility="private")
