"""The Compare tab's model judge: choosing a judge for the chosen row prices it (or says why it cannot judge), and
Judge this row runs its calls, then shows the verdicts under the clips (a blind row only once the visitor voted)."""

from __future__ import annotations

import gradio as gr

from playground.errors import InputError, PlaygroundError
from playground.ui.compare_judging import PRIVATE, Judging, Update
from playground.ui.errors import said_inline
from playground.views import BatchSnapshot


def _not_judged(exc: PlaygroundError) -> str:
    """Why the row was not judged, as the sentence the price line gave (a refusal is no form field's problem)."""
    if isinstance(exc, InputError) and all(field == "judge" for field, _ in exc.problems):
        return "⚠️ **Not judged:** " + " ".join(message for _, message in exc.problems)
    return said_inline(exc, "Not judged")


def wire_model_judge(j: Judging) -> None:
    """Its price whenever the row or the judge changes, and the judging."""
    compare, panel = j.compare, j.panel

    def quote(snapshot: BatchSnapshot | None, row: str | None, judge: str | None, state: dict, name: str,
              request: gr.Request) -> str:
        return compare.judge_quote(snapshot, row, judge or "", j.visitor(state, request, name))

    for name, trigger in (("row", panel.vote_row.change), ("judge", panel.judge_choice.change)):
        trigger(quote, [panel.state, panel.vote_row, panel.judge_choice, j.session, j.name], panel.judge_said,
                api_name=f"compare_judge_quote_{name}", **PRIVATE)

    async def judge(snapshot: BatchSnapshot | None, row: str | None, chosen: str | None, blind_on: bool, state: dict,
                    name: str, request: gr.Request) -> Update:
        try:
            said, view = await compare.judge_row(snapshot, row, chosen or "", blind_on, j.clip_urls(request),
                                                 j.visitor(state, request, name))
        except PlaygroundError as exc:
            return {panel.judge_said: _not_judged(exc)}
        return {panel.judge_said: said, **panel.shown(view)}

    panel.judge_button.click(judge, [panel.state, panel.vote_row, panel.judge_choice, j.blind, j.session, j.name],
                             [panel.judge_said, *panel.outputs], api_name="compare_judge", api_visibility="private",
                             concurrency_id="judges", concurrency_limit=4)
