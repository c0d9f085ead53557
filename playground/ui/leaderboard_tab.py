"""The Decide tab (the Leaderboard that was): a pool's verdict in words at the top, the pool and the filters in a
row, the two pictures (rating against cost per second, the head-to-head matrix), the pool's endpoints by
tie-class; under them the standings of every pool together, each model judge's ratings beside people's with how
often it agrees with them, signals per endpoint and seed stability."""

from __future__ import annotations

import json
from typing import Literal

import gradio as gr
from gradio.components.plot import AltairPlotData

from playground.errors import PlaygroundError
from playground.ui.errors import said_inline
from playground.views import CompareCalls

EXPLAINER = ("### Every pool together\nEach vote judges one prompt × seed row: the best clip beat every other clip of "
             "the row, a **tie** is half a win each way, **all bad** is counted per endpoint and left out of ratings. "
             "**bt_rating** is a Bradley–Terry fit on the Elo scale (1000 = average); **ci_low**–**ci_high** and the "
             "win-rate bounds are 95 % intervals from resampling the votes (where every resample agrees — one vote, "
             "a clean sweep — from the fit's curvature and Wilson's score interval instead, so few votes show wide "
             "bounds). **cost_per_win_usd** = mean cost ÷ win rate. Latency is the mean total time of completed "
             "runs. Votes on offline previews judge synthetic clips: filter them out for model decisions.")
CLASSES_LABEL = "This pool's endpoints by tie-class (1 = top; each class told apart at 95 % from the one above)"
JUDGES_EXPLAINER = ("### Model judges\nA model judge's vote is not a person's: each judge (endpoint · model · "
                    "instruction version) is rated on its own votes alone, in its own columns beside people's, never "
                    "pooled. How often it agrees with people counts one pair per person on each row both judged (a row "
                    "three people voted on gives three pairs); **kappa** is that agreement beyond chance (0: no better "
                    "than chance, 1: always agrees), worded in Landis & Koch's bands. Both come with 95 % intervals.")


def vega_lite(spec: dict | None, kind: Literal["bar", "scatter"]) -> AltairPlotData | None:
    """A Vega-Lite spec for gr.Plot, drawn by the vega-embed Gradio bundles: the JSON gr.Plot sends for an Altair
    chart, without Altair. Naming the chart's ``kind`` makes Gradio 6.31's page fit it to the width of its box
    (as it does for its own charts) and give axes and titles the theme's fonts and colours.

    Not gr.BarPlot / gr.ScatterPlot: their page fixes the axis types and colour domain from the first value it
    draws (here the empty fal table: every column nominal, no colours, so transparent points on category axes)
    and only swaps data after that; nor can they fill or label points, or later carry interval bars."""
    return None if spec is None else AltairPlotData(chart=kind, plot=json.dumps(spec))


def _filters(compare: CompareCalls) -> tuple:
    """The pool and the filters, in one row that wraps on a phone: backend, judge, dates, and suite and tag once
    the facade offers their choices (hidden until then)."""
    offered = compare.decide_choices()
    backends, first = compare.leaderboard_filters()
    with gr.Row(equal_height=True, elem_id="decide-filters"):
        pool = gr.Dropdown([], label="Pool", scale=3, min_width=220, elem_id="decide-pool",
                           info="votes rated together: one mode, with sound or without")
        backend = gr.Dropdown(backends, value=first, label="Votes on runs from", scale=2, min_width=150,
                              elem_id="leaderboard-backend", info="offline votes judge synthetic clips")
        judge = gr.Dropdown(offered["judge"], value=offered["judge"][0], label="Votes by", scale=2, min_width=150,
                            elem_id="leaderboard-judge", info="everyone (one vote per judge per row), or one")
        since = gr.Textbox(label="Since", placeholder="YYYY-MM-DD", max_lines=1, scale=2, min_width=150, elem_id="decide-since")
        until = gr.Textbox(label="Until", placeholder="YYYY-MM-DD", max_lines=1, scale=2, min_width=150, elem_id="decide-until")
        suite = gr.Dropdown([("every suite", ""), *offered.get("suite", [])], value="", label="Prompt suite", scale=2, min_width=150,
                            visible="suite" in offered, elem_id="decide-suite")
        tag = gr.Dropdown([("every tag", ""), *offered.get("tag", [])], value="", label="Prompt tag", scale=1, min_width=120,
                          visible="tag" in offered, elem_id="decide-tag")
        refresh = gr.Button("Refresh", scale=1, min_width=100, elem_id="leaderboard-refresh")
    return pool, backend, judge, since, until, suite, tag, refresh


def _standings() -> tuple:
    """Under the decision: every pool's votes together, as the Leaderboard showed them."""
    gr.Markdown(EXPLAINER)
    note = gr.Markdown(elem_id="leaderboard-note")
    table = gr.Dataframe(interactive=False, elem_id="leaderboard-table", label="Endpoints, best first")
    return note, table


def _judges_section() -> tuple[gr.Markdown, gr.Dataframe, gr.Dataframe]:
    """Model judges, under people's standings: a legend with one reading per judge (or that none has judged yet),
    then the ratings side by side and the agreement, each shown once there is something in it."""
    gr.Markdown(JUDGES_EXPLAINER, elem_id="leaderboard-judges-about")
    note = gr.Markdown(elem_id="leaderboard-judges-note")
    ratings = gr.Dataframe(interactive=False, visible=False, elem_id="leaderboard-judge-ratings",
                           label="Ratings side by side: people's and each judge's (1000 = average)")
    agreement = gr.Dataframe(interactive=False, visible=False, elem_id="leaderboard-judge-agreement",
                             label="How often each judge agrees with people")
    return note, ratings, agreement


def _judges_shown(judges) -> tuple:
    """A ``JudgeBoard`` into the section's note and two tables (a table with nothing in it stays hidden)."""
    return (judges.note, gr.update(value=judges.ratings, visible=not judges.ratings.empty),
            gr.update(value=judges.agreement, visible=not judges.agreement.empty))


def _shown(view, by: str | None) -> tuple:
    """A ``DecideView`` into the tab's outputs, in the order ``build_leaderboard_tab`` lists them."""
    board = view.board
    return (view.verdict, gr.update(choices=view.pools, value=view.pool), "",
            vega_lite(view.cost_rating_chart, "scatter"), vega_lite(view.matrix_chart, "scatter"), view.classes,
            board.note, board.table, *_judges_shown(board.judges),
            gr.update(value=board.signals, visible=not board.signals.empty), board.stability,
            gr.update(choices=view.judges, value=by if by in view.judges else view.judges[0]))


def build_leaderboard_tab(compare: CompareCalls, tab: gr.Tab) -> None:
    """Decide: the verdict, the filters, the pictures and the classes of a pool (one ``decide_view`` per event),
    then the standings of every pool, the model judges beside them and the seed checks."""
    verdict = gr.Markdown(elem_id="decide-verdict")
    pool, backend, judge, since, until, suite, tag, refresh = _filters(compare)
    problem = gr.Markdown(elem_id="decide-problem")
    with gr.Row():  # each at least a phone's width, so on a phone they stack
        cost = gr.Plot(label="Rating against cost per second", show_label=False, elem_id="decide-cost-rating",
                       min_width=340)
        matrix = gr.Plot(label="Head to head", show_label=False, elem_id="decide-matrix", min_width=340)
    classes = gr.Dataframe(interactive=False, elem_id="decide-classes", label=CLASSES_LABEL)
    note, table = _standings()
    judges = _judges_section()
    signals = gr.Dataframe(interactive=False, visible=False, elem_id="leaderboard-signals",
                           label="Signals per endpoint: mean and 95 % interval over its measured clips (README, Signals)")
    gr.Markdown("**Seed stability**: History's *Run again with the same seed* compares the two clips frame by "
                "frame: identical (every frame hash equal), near (mean PSNR ≥ 35 dB) or different.")
    stability = gr.Dataframe(interactive=False, elem_id="leaderboard-seeds", label="Same seed, same clip?")
    outputs = [verdict, pool, problem, cost, matrix, classes, note, table, *judges, signals, stability, judge]

    def show(chosen: str | None, on: str, by: str | None, start: str | None, end: str | None, named: str | None,
             tagged: str | None) -> tuple:
        filters = {"backend": on, "judge": by, "since": start or "", "until": end or "", "suite": named or "",
                   "tag": tagged or ""}
        try:
            view = compare.decide_view(filters, chosen)
        except PlaygroundError as exc:  # a filter that cannot be used: said under the filters, nothing else moves
            return (gr.update(), gr.update(), said_inline(exc, "These filters cannot be used"),
                    *(gr.update() for _ in outputs[3:]))
        return _shown(view, by)

    inputs = [pool, backend, judge, since, until, suite, tag]
    changed = [pool.input, backend.change, since.submit, since.blur, until.submit, until.blur, suite.change,
               tag.change]
    for name, triggers in (("refresh", [refresh.click]), ("filter", changed), ("judge", [judge.input]),
                           ("open", [tab.select])):
        gr.on(triggers, show, inputs, outputs, api_name=f"leaderboard_{name}", api_visibility="private",
              show_progress="hidden")
