"""Files shown to a visitor leave the data directory only as copies in Gradio's cache.

The data directory (results log, journal, exports, every visitor's videos and uploads) is in launch()'s
``blocked_paths``: Gradio serves none of it by path. What a visitor may see — their own result videos,
their exports, the Examples — is copied into Gradio's cache with ``move_resource_to_block_cache``, under
a folder named by a keyed hash of the content, and reaches their page as that URL only: another visitor
can neither guess it nor list it. A blind comparison's clips are copied under a neutral name, so no URL
carries a run id.

HTML the app writes itself (the comparison grid, the Examples) names those copies by URL, so the URL must carry
the path the page is served under: "/" directly, "/playground" behind a proxy at a subpath (GRADIO_ROOT_PATH).
``page_root`` asks Gradio's own route_utils for it from the event's request, the way Gradio finds the root of
the file URLs it writes for its own components; only the path is kept (the page and its files share an origin,
and a proxy that does not forward its host or scheme would otherwise make them point elsewhere).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import gradio as gr
from gradio import route_utils


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


def page_root(request: gr.Request | None) -> str:
    """The path the visitor's page is served under, without a trailing slash ("" at the root of the host)."""
    raw = request.request if request is not None else None
    if raw is None:
        return ""
    try:
        route = route_utils.get_api_call_path(raw)
    except ValueError:  # not an event call: the request's own path is the route
        route = raw.url.path
    root_path = getattr(raw.app, "root_path", "") or raw.scope.get("root_path", "")
    return urlsplit(route_utils.get_root_url(raw, route, root_path)).path.rstrip("/")


def served_url(block: gr.blocks.Block, path: str, name: str = "", root: str = "") -> str:
    """The page URL of a servable copy of ``path`` under the page's ``root`` (see ``page_root``), for HTML the app
    writes itself (the comparison grid, the Examples)."""
    copy = served(block, path, name)
    return f"{root}/gradio_api/file={copy}" if copy else ""
