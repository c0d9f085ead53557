"""Files shown to a visitor leave the data directory only as copies in Gradio's cache.

The data directory (results log, journal, exports, every visitor's videos and uploads) is in launch()'s
``blocked_paths``: Gradio serves none of it by path. What a visitor may see — their own result videos,
their exports, the Examples — is copied into Gradio's cache with ``move_resource_to_block_cache``, under
a folder named by a keyed hash of the content, and reaches their page as that URL only: another visitor
can neither guess it nor list it. A blind comparison's clips are copied under a neutral name, so no URL
carries a run id.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import gradio as gr


def served(block: gr.blocks.Block, path: str | None, name: str = "") -> str | None:
    """A servable copy of ``path`` (under ``name`` if given); None stays None, a file gone away shows nothing."""
    if not path:
        return None
    try:
        if not name or Path(path).name == name:
            return block.move_resource_to_block_cache(path)
        with tempfile.TemporaryDirectory(prefix="served-") as staging:
            renamed = Path(staging) / name
            try:
                os.link(path, renamed)
            except OSError:  # another file system: copy instead
                shutil.copyfile(path, renamed)
            return block.move_resource_to_block_cache(str(renamed))
    except (FileNotFoundError, IsADirectoryError):
        return None


def served_files(block: gr.blocks.Block, paths: list[str] | None) -> list[str] | None:
    """Servable copies of a list of files (those gone away left out); None when none is left."""
    return [copy for copy in (served(block, path) for path in paths or []) if copy] or None


def served_url(block: gr.blocks.Block, path: str, name: str = "") -> str:
    """The page URL of a servable copy of ``path`` (for HTML the app writes itself, such as the comparison grid)."""
    copy = served(block, path, name)
    return f"/gradio_api/file={copy}" if copy else ""
