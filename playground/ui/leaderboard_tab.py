"""The Leaderboard tab: votes from comparisons, per endpoint, with cost and latency beside them."""

from __future__ import annotations

import gradio as gr

from playground.service import Playground

EXPLAINER = ("Each vote judges one prompt × seed row: the best clip beat every other clip of the row, a **tie** is "
             "half a win each way, **all bad** is counted per endpoint and left out of ratings. **bt_rating** is a "
             "Bradley–Terry fit on the Elo scale (1000 = average); **ci_low**–**ci_high** and the win-rate bounds "
             "are 95 % intervals from resampling the votes. **cost_per_win_usd** = mean cost ÷ win rate. Latency is "
             "the mean total time of completed runs. Votes on offline previews judge synthetic clips: filter them "
             "out for model decisions.")


def build_leaderboard_tab(playground: Playground, tab: gr.Tab) -> None:
    gr.Markdown(EXPLAINER)
    with gr.Row(equal_height=True):
        backend = gr.Dropdown(["fal", "offline", "all"], value="fal", label="Votes on runs from", scale=2,
                              elem_id="leaderboard-backend", info="fal by default: offline votes judge synthetic clips")
        refresh = gr.Button("Refresh", scale=1, elem_id="leaderboard-refresh")
    note = gr.Markdown(elem_id="leaderboard-note")
    table = gr.Dataframe(interactive=False, elem_id="leaderboard-table", label="Endpoints, best first")
    with gr.Row():
        wins = gr.BarPlot(x="endpoint", y="win_rate", title="Win rate", sort="-y", y_lim=[0, 1],
                          elem_id="leaderboard-wins")
        value = gr.ScatterPlot(x="mean_cost_usd", y="bt_rating", color="endpoint", elem_id="leaderboard-value",
                               title="Rating against mean cost: up and to the left is worth the money",
                               x_title="mean estimated cost per clip (USD)", y_title="Bradley–Terry rating")

    gr.Markdown("**Seed stability**: History's *Run again with the same seed* compares the two clips frame by "
                "frame: identical (every frame hash equal), near (mean PSNR ≥ 35 dB) or different.")
    stability = gr.Dataframe(interactive=False, elem_id="leaderboard-seeds", label="Same seed, same clip?")

    def show(chosen: str):
        view = playground.leaderboard_view(chosen)
        return view.note, view.table, view.table, view.priced, view.stability

    for name, trigger in (("refresh", refresh.click), ("filter", backend.change), ("open", tab.select)):
        trigger(show, backend, [note, table, wins, value, stability], api_name=f"leaderboard_{name}",
                api_visibility="private", show_progress="hidden")
