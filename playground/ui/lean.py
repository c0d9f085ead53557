"""A lighter page: the config leaves out API schemas no API event needs, and the page and config go compressed.

Gradio embeds every component's API schema (``api_info`` three times over, plus example inputs) in ``/config``
and in the page itself, whether or not any API event uses the component; here that was half of the config.
Only the components of public or undocumented events (the named API, ``/set_key``) keep theirs: those are
the ones ``/gradio_api/info`` and ``gradio_client`` describe. Gradio compresses files with an extension
(``.js``, ``.css``, …) itself, but not ``/`` or ``/config``; ``PageCompression`` gzips those.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import gradio as gr
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Receive, Scope, Send

API_SCHEMA_KEYS = ("api_info", "api_info_as_input", "api_info_as_output", "example_inputs")
COMPRESSED_ROUTES = ("/", "/config", "/gradio_api/info")  # Gradio's own middleware skips paths without extension
OPEN_ONCE = "(opening) => opening || 'open'"  # a tab's first showing builds it; later ones leave it as it is
OPEN_EVENT: dict[str, Any] = {"js": OPEN_ONCE, "api_visibility": "private", "show_progress": "hidden", "queue": False}


def without_private_api_schemas(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` with API schemas kept only on components that a non-private event reads or writes."""
    used = {block for dependency in config.get("dependencies", []) if dependency.get("api_visibility") != "private"
            for block in (*dependency.get("inputs", []), *dependency.get("outputs", []))}
    for component in config.get("components", []):
        if component.get("id") not in used:
            for key in API_SCHEMA_KEYS:
                component.pop(key, None)
    return config


class LeanBlocks(gr.Blocks):
    """``gr.Blocks`` whose config (computed at build and again at launch) carries no unneeded API schema."""

    def get_config_file(self) -> Any:
        return without_private_api_schemas(cast(dict[str, Any], super().get_config_file()))


class PageCompression(GZipMiddleware):
    """gzip for the page, its config and the API description, when the browser accepts it (never for event
    streams or media, which Starlette's GZip leaves alone, nor for what Gradio already compresses)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        root = scope.get("root_path", "")
        if (path[len(root):] if root and path.startswith(root) else path) not in COMPRESSED_ROUTES:
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def compression() -> dict[str, Any]:
    """``launch(app_kwargs=…)`` for the FastAPI app Gradio builds (works the same for ``python app.py`` and Spaces)."""
    return {"middleware": [Middleware(PageCompression, minimum_size=1000)]}


def opening_box(elem_id: str) -> gr.Textbox:
    """The hidden box whose first change builds a tab: the page writes it on the tab's first select (no round trip)."""
    return gr.Textbox("", visible="hidden", elem_id=elem_id)


def opens_on_select(tab: gr.Tab, opening: gr.Textbox, api_name: str) -> None:
    """Selecting ``tab`` writes "open" into ``opening`` the first time, in the page; later selects change nothing."""
    tab.select(None, opening, opening, api_name=api_name, **OPEN_EVENT)


def opens_on_load(demo: gr.Blocks, opening: gr.Textbox, api_name: str) -> None:
    """The page's load writes "open" into ``opening`` as a select would (once: a select of the same tab that Gradio
    fires as the page mounts then changes nothing), so a tab shown from the start is built once, not twice — a
    second build would swap the events of the first under a visitor already typing into it."""
    demo.load(None, opening, opening, api_name=api_name, **OPEN_EVENT)


def built_when_opened(opening: gr.Textbox, build: Callable[..., None], reads: Sequence[gr.components.Component] = (),
                      also_on: Sequence[Any] = ()) -> None:
    """``build(mark, *reads)`` runs, for one session, in a ``gr.render`` when ``opening`` first changes (one quick
    round trip), or on the events ``also_on`` (e.g. the page's load, for a tab shown from the start)."""

    @gr.render(inputs=[opening, *reads], triggers=[opening.change, *also_on], show_progress="hidden", queue=False)
    def render(mark: str, *values: Any) -> None:
        build(mark, *values)

    _progress_on_opening(opening)


def _progress_on_opening(opening: gr.Textbox) -> None:
    """Point the loading status of the render just made at ``opening`` rather than at its container.

    Gradio's page re-reads, on every status change of any event, the whole subtree of every component an
    event has shown progress on; a render's container is its tab, so each tab built made every later event
    (the next tab's build included) walk that tab again. The opening box is one hidden leaf.
    """
    context = gr.context.get_blocks_context()
    renderable = context.renderables[-1] if context and context.renderables else None
    for fn in (context.fns.values() if context else ()):
        if renderable is not None and fn.renderable is renderable:
            fn.show_progress_on = [opening]
