"""The Examples tab: shipped comparisons rendered offline, to show what the tool does without spending."""

from __future__ import annotations

import gradio as gr

from playground.compare.grid import grid_html
from playground.service import Playground
from playground.ui.files import served_url


def build_gallery_tab(playground: Playground, tab: gr.Tab) -> None:
    gallery = playground.gallery
    gr.Markdown("Example comparisons made with the **offline preview** (synthetic clips, not model output): what "
                "the Compare tab produces, with nothing spent. Clips are rendered the first time this tab opens.")
    grids = []
    for example in gallery.examples:
        gr.Markdown(f"### {example['title']}\n{example['description']}")
        grids.append(gr.HTML(grid_html(None, False, set(), str), elem_id=f"gallery-{example['name']}"))

    async def show():
        await gallery.render_missing()
        return [grid_html(gallery.snapshot(e["name"]), False, set(), lambda path, g=grid: served_url(g, path))
                for e, grid in zip(gallery.examples, grids)]

    if grids:
        tab.select(show, outputs=grids, api_name="gallery_open", api_visibility="private")
