"""The Leaderboard tab: votes from comparisons, per endpoint, with cost and latency beside them, and each model
judge's ratings beside people's with how often it agrees with them."""

from __future__ import annotations

import json
from typing import Literal

import gradio as gr
from gradio.components.plot import AltairPlotData

from playground.views import CompareCalls

EXPLAINER = ("Each vote judges one prompt × seed row: the best clip beat every other clip of the row, a **tie** is "
             "half a win each way, **all bad** is counted per endpoint and left out of ratings. **bt_rating** is a "
             "Bradley–Terry fit on the Elo scale (1000 = average); **ci_low**–**ci_high** and the win-rate bounds "
             "are 95 % intervals from resampling the votes (where every resample agrees — one vote, a clean sweep — "
             "from the fit's curvature and Wilson's score interval instead, so few votes show wide bounds). "
             "**cost_per_win_usd** = mean cost ÷ win rate. Latency is the mean total time of completed runs. Votes "
             "on offline previews judge synthetic clips: filter them out for model decisions.")
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


def build_leaderboard_tab(compare: CompareCalls, tab: gr.Tab) -> None:
    """The standings from Compare's votes (the Compare part holds both), their charts, the model judges beside
    them and the seed checks."""
    gr.Markdown(EXPLAINER)
    with gr.Row(equal_height=True):
        choices, first = compare.leaderboard_filters()
        backend = gr.Dropdown(choices, value=first, label="Votes on runs from", scale=2,
                              elem_id="leaderboard-backend", info="fal by default: offline votes judge synthetic clips")
        judge = gr.Dropdown(compare.judges(), value=compare.judges()[0], label="Votes by", scale=2,
                            elem_id="leaderboard-judge", info="every judge's votes (one per judge per row), or one's")
        refresh = gr.Button("Refresh", scale=1, elem_id="leaderboard-refresh")
    note = gr.Markdown(elem_id="leaderboard-note")
    table = gr.Dataframe(interactive=False, elem_id="leaderboard-table", label="Endpoints, best first")
    with gr.Row():  # each at least a phone's width, so on a phone they stack
        wins = gr.Plot(label="Win rate", show_label=False, elem_id="leaderboard-wins", min_width=340)
        value = gr.Plot(label="Rating against mean cost", show_label=False, elem_id="leaderboard-value",
                        min_width=340)
    judges = _judges_section()

    signals = gr.Dataframe(interactive=False, visible=False, elem_id="leaderboard-signals",
                           label="Signals per endpoint: mean and 95 % interval over its measured clips (README, Signals)")
    gr.Markdown("**Seed stability**: History's *Run again with the same seed* compares the two clips frame by "
                "frame: identical (every frame hash equal), near (mean PSNR ≥ 35 dB) or different.")
    stability = gr.Dataframe(interactive=False, elem_id="leaderboard-seeds", label="Same seed, same clip?")

    def show(chosen: str, by: str | None) -> tuple:
        choices = compare.judges()
        by = by if by in choices else choices[0]
        view = compare.leaderboard(chosen, by)
        wins_chart, value_chart = vega_lite(view.win_rate_chart, "bar"), vega_lite(view.value_chart, "scatter")
        return (view.note, view.table, wins_chart, value_chart, *_judges_shown(view.judges),
                gr.update(value=view.signals, visible=not view.signals.empty), view.stability,
                gr.update(choices=choices, value=by))

    outputs = [note, table, wins, value, *judges, signals, stability, judge]
    for name, trigger in (("refresh", refresh.click), ("filter", backend.change), ("judge", judge.input),
                          ("open", tab.select)):
        trigger(show, [backend, judge], outputs, api_name=f"leaderboard_{name}", api_visibility="private",
                show_progress="hidden")
