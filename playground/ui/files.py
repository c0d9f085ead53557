"""Files shown to a visitor leave the data directory only as copies in Gradio's cache.

The data directory (results log, journal, exports, every visitor's videos and uploads) is in launch()'s
``blocked_paths``: Gradio serves none of it by path. What a visitor may see — their own result videos,
their exports, the Examples — is copied into Gradio's cache with ``move_resource_to_block_cache``, under
a folder named by a keyed hash of the content, and reaches their page as that URL only: another visitor
can neither guess it nor list it.
"""

from __future__ import annotations

import gradio as gr


def served(block: gr.blocks.Block, path: str | None) -> str | None:
    """A servable copy of ``path`` (None stays None; a file that has gone away is shown as nothing)."""
    if not path:
        return None
    try:
        return block.move_resource_to_block_cache(path)
    except (FileNotFoundError, IsADirectoryError):
        return None


def served_url(block: gr.blocks.Block, path: str) -> str:
    """The page URL of a servable copy of ``path`` (for HTML the app writes itself, such as the comparison grid)."""
    copy = served(block, path)
    return f"/gradio_api/file={copy}" if copy else ""
