"""The Leaderboard tab: votes from comparisons, per endpoint, with cost and latency beside them."""

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


def vega_lite(spec: dict | None, kind: Literal["bar", "scatter"]) -> AltairPlotData | None:
    """A Vega-Lite spec for gr.Plot, drawn by the vega-embed Gradio bundles: the JSON gr.Plot sends for an Altair
    chart, without Altair. Naming the chart's ``kind`` makes Gradio 6.31's page fit it to the width of its box
    (as it does for its own charts) and give axes and titles the theme's fonts and colours.

    Not gr.BarPlot / gr.ScatterPlot: their page fixes the axis types and colour domain from the first value it
    draws (here the empty fal table: every column nominal, no colours, so transparent points on category axes)
    and only swaps data after that; nor can they fill or label points, or later carry interval bars."""
    return None if spec is None else AltairPlotData(chart=kind, plot=json.dumps(spec))


def build_leaderboard_tab(compare: CompareCalls, tab: gr.Tab) -> None:
    """The standings from Compare's votes (the Compare part holds both), their charts and the seed checks."""
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

    gr.Markdown("**Seed stability**: History's *Run again with the same seed* compares the two clips frame by "
                "frame: identical (every frame hash equal), near (mean PSNR ≥ 35 dB) or different.")
    stability = gr.Dataframe(interactive=False, elem_id="leaderboard-seeds", label="Same seed, same clip?")

    def show(chosen: str, by: str | None) -> tuple:
        choices = compare.judges()
        by = by if by in choices else choices[0]
        view = compare.leaderboard(chosen, by)
        wins_chart, value_chart = vega_lite(view.win_rate_chart, "bar"), vega_lite(view.value_chart, "scatter")
        return (view.note, view.table, wins_chart, value_chart, view.stability,
                gr.update(choices=choices, value=by))

    outputs = [note, table, wins, value, stability, judge]
    for name, trigger in (("refresh", refresh.click), ("filter", backend.change), ("judge", judge.input),
                          ("open", tab.select)):
        trigger(show, [backend, judge], outputs, api_name=f"leaderboard_{name}", api_visibility="private",
                show_progress="hidden")
