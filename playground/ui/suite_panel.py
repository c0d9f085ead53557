"""The Compare tab's prompt suites: choose one, read its plan on the endpoints chosen in the form (which batch of
it the run extends, what is new and what that costs), and run it in one click into the batch panel below."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from playground.ui.batch_panel import BatchPanel
from playground.ui.session import visitor_of
from playground.views import CompareCalls, SessionCalls

PRIVATE: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}


@dataclass
class SuitePanel:
    """A suite to run, its plan and the button."""

    choice: gr.Dropdown
    plan: gr.Markdown
    run: gr.Button

    @classmethod
    def build(cls, names: list[str]) -> SuitePanel:
        with gr.Accordion("Prompt suites: a fixed set of prompts × seeds, run in one click", open=False,
                          elem_id="cmp-suite-box"):
            choice = gr.Dropdown(names, value=None, label="Prompt suite", elem_id="cmp-suite", interactive=True,
                                 info="Runs on the endpoints chosen above; run it again with more endpoints and "
                                      "only theirs run.")
            run = gr.Button("Run suite", variant="primary", elem_id="cmp-suite-run", interactive=False)
            plan = gr.Markdown(elem_id="cmp-suite-plan")  # the suite, which batch it extends, cells and cost
        return cls(choice, plan, run)


@dataclass
class SuiteInputs:
    """What a suite run reads from the rest of the tab."""

    session: gr.State
    endpoints: gr.CheckboxGroup
    confirm: gr.Checkbox
    reuse: gr.Checkbox
    blind: gr.Checkbox
    cancel_said: gr.Markdown


def wire_suites(suites: SuitePanel, compare: CompareCalls, sessions: SessionCalls, given: SuiteInputs,
                panel: BatchPanel, clip_urls: Callable[[gr.Request | None], Callable[[str], str]]) -> None:
    """The plan follows the suite, the endpoints and the cap and reuse boxes; Run suite fills the batch panel."""
    asked = [suites.choice, given.endpoints, given.confirm, given.reuse, given.session]

    def plan(name: str | None, endpoints: list[str] | None, confirm: bool, reuse: bool, state: dict,
             request: gr.Request) -> tuple[str, Any]:
        view = compare.suite_plan(name, endpoints, bool(confirm), bool(reuse), visitor_of(sessions, state, request))
        return view.markdown, gr.update(interactive=view.can_run)

    async def run(name: str | None, endpoints: list[str] | None, confirm: bool, reuse: bool, state: dict,
                  blind: bool, request: gr.Request) -> AsyncIterator[dict[gr.blocks.Block, Any]]:
        first = True
        async for view in compare.run_suite(name, endpoints, bool(confirm), bool(reuse),
                                            visitor_of(sessions, state, request), bool(blind), clip_urls(request)):
            yield {given.cancel_said: "" if first else gr.skip(), **panel.shown(view, first)}
            first = False

    gr.on([suites.choice.change, given.endpoints.change, given.confirm.change, given.reuse.change], plan,
          inputs=asked, outputs=[suites.plan, suites.run], trigger_mode="always_last", api_name="compare_suite_plan",
          **PRIVATE)
    suites.run.click(run, inputs=[*asked, given.blind], outputs=[given.cancel_said, *panel.outputs],
                     api_name="run_suite", api_visibility="private", concurrency_id="compare", concurrency_limit=4,
                     show_progress="minimal").then(  # the suite has a batch now: a second run would extend it
        plan, inputs=asked, outputs=[suites.plan, suites.run], api_name="compare_suite_replan", **PRIVATE)
