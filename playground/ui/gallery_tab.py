"""The Examples tab: shipped comparisons rendered offline, to show what the tool does without spending."""

from __future__ import annotations

import gradio as gr

from playground.ui.files import page_root, served_url
from playground.views import Gallery

EMPTY = '<div class="cmp-empty">Rendering the example on first open…</div>'


def build_gallery_tab(gallery: Gallery, tab: gr.Tab) -> None:
    gr.Markdown("Example comparisons made with the **offline preview** (synthetic clips, not model output): what "
                "the Compare tab produces, with nothing spent. Clips are rendered the first time this tab opens.")
    grids = []
    for example in gallery.examples:
        gr.Markdown(f"### {example['title']}\n{example['description']}")
        grids.append(gr.HTML(EMPTY, elem_id=f"gallery-{example['name']}"))

    async def show(request: gr.Request) -> list[str]:
        root = page_root(request)  # behind a proxy at a subpath, the clips' URLs start with it
        return await gallery.grids(lambda path: served_url(grids[0], path, root=root))

    if grids:
        tab.select(show, outputs=grids, api_name="gallery_open", api_visibility="private")
