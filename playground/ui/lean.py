"""A lighter page: the config leaves out API schemas no API event needs, the page, config and tab builds go
compressed, tabs are built when first opened, and start-up builds Gradio's server app once before launch.

Gradio embeds every component's API schema (``api_info`` three times over, plus example inputs) in ``/config``
and in the page itself, whether or not any API event uses the component; here that was half of the config.
Only the components of public or undocumented events (the named API, ``/set_key``) keep theirs: those are
the ones ``/gradio_api/info`` and ``gradio_client`` describe. Gradio compresses files with an extension
(``.js``, ``.css``, …) itself, but not ``/``, ``/config`` nor the answers of events that are not queued (a tab's
build, 35–120 KB of component config); ``PageCompression`` gzips those.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, cast

import gradio as gr
from gradio.blocks import BlockContext
from gradio.context import Context, get_render_context, set_render_context
from gradio.queueing import Queue
from gradio.routes import App
from gradio.utils import is_zero_gpu_space
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Receive, Scope, Send

from playground.ui.page_cache import PageCache, route

API_SCHEMA_KEYS = ("api_info", "api_info_as_input", "api_info_as_output", "example_inputs")
# Gradio's own middleware skips paths without an extension; run/predict answers the events that are not queued
# (each tab's build among them); event streams and media are never compressed here (Starlette's GZip skips them)
COMPRESSED_ROUTES = ("/", "/config", "/gradio_api/info", "/gradio_api/run/predict")
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
    """``gr.Blocks`` whose config carries no unneeded API schema and is computed once at start-up, and whose server
    app is built once, by ``launch()``.

    Gradio builds a whole FastAPI app (every route, and the config of every component again) in ``Blocks.__init__``
    (through ``queue()``), at the end of the ``with`` block, in each later ``queue()`` and in ``launch()``; only
    the last one serves, and the three others cost 0.1–0.17 s of CPU at start-up. Here ``queue()`` and the end of
    the block do what Gradio's do except that build, and ``app`` builds one on first use should anything ask before
    ``launch()``. The end of the block leaves the config to be computed when first read (``launch`` computes its
    own). ``tests/test_startup.py`` checks all this leaves the state Gradio's would."""

    _lean_app: Any = None
    _lean_config: Any = None
    _config_stale = False  # the end of the block leaves the config to be computed when first read

    @property
    def app(self) -> Any:
        if self._lean_app is None:
            self._lean_app = App.create_app(self, mcp_server=False)
        return self._lean_app

    @app.setter
    def app(self, value: Any) -> None:
        self._lean_app = value
        self.default_config.__dict__.pop("get_config", None)  # launch's server app is built: its config is final

    @property
    def config(self) -> Any:
        if self._config_stale:
            self.config = self.get_config_file()
        return self._lean_config

    @config.setter
    def config(self, value: Any) -> None:
        self._lean_config, self._config_stale = value, False

    def get_config_file(self) -> Any:
        return without_private_api_schemas(cast(dict[str, Any], super().get_config_file()))

    def launch(self, *args: Any, **kwargs: Any) -> Any:
        """Gradio's ``launch``, computing the components' and events' config once where Gradio computes it twice
        (in ``launch`` and again while building the server app, about 15 ms each for this page): nothing changes
        them in between, only the header around them (which is still computed each time)."""
        compute, computed = self.default_config.get_config, list[Any]()

        def once(*args: Any, **kwargs: Any) -> Any:
            if args or kwargs:  # a render's part: not the page's
                return compute(*args, **kwargs)
            if not computed:
                computed.append(compute())
            return computed[0]

        self.default_config.get_config = once  # type: ignore[method-assign]
        try:
            return super().launch(*args, **kwargs)
        finally:  # also when launch fails before building its server app
            self.default_config.__dict__.pop("get_config", None)

    def __exit__(self, exc_type: type[BaseException] | None = None, *args: Any) -> None:
        """Gradio 6.31's ``Blocks.__exit__`` for the page's root, without building the server app."""
        if exc_type is not None or self.parent is not None:
            super().__exit__(exc_type, *args)
            return
        BlockContext.fill_expected_parents(self)
        set_render_context(None)
        self.default_config.attach_load_events()  # before the root block is reset, as Gradio does
        Context.root_block = None
        self._config_stale = True  # computed when first read (launch computes its own): once at start-up, not twice
        self.progress_tracking = any(fn.tracks_progress for fn in self.fns.values())  # type: ignore[assignment]
        self.page = ""
        self.validate_navbar_settings()
        self.exited = True

    def queue(self, status_update_rate: float | Literal["auto"] = "auto", api_open: bool | None = None,
              max_size: int | None = None, *, default_concurrency_limit: int | None | Literal["not_set"] = "not_set",
              ) -> LeanBlocks:
        """Gradio 6.31's ``Blocks.queue``, without building the server app."""
        if api_open is not None:
            self.api_open = api_open
        if is_zero_gpu_space():
            max_size = 1 if max_size is None else max_size
        self._queue = Queue(live_updates=status_update_rate == "auto", concurrency_count=self.max_threads,
                            update_intervals=status_update_rate if status_update_rate != "auto" else 1,
                            max_size=max_size, blocks=self, default_concurrency_limit=default_concurrency_limit)
        return self


class PageCompression(GZipMiddleware):
    """gzip for the page, its config and the API description, when the browser accepts it (never for event
    streams or media, which Starlette's GZip leaves alone, nor for what Gradio already compresses)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or route(scope) not in COMPRESSED_ROUTES:
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def compression() -> dict[str, Any]:
    """``launch(app_kwargs=…)`` for the FastAPI app Gradio builds (works the same for ``python app.py`` and Spaces)."""
    return {"middleware": [Middleware(PageCache), Middleware(PageCompression, minimum_size=1000)]}


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
        container = get_render_context()
        if isinstance(container, BlockContext):
            without_api_schemas(container)

    _progress_on_opening(opening)


def _no_schema() -> dict[str, Any]:
    return {}


def without_api_schemas(container: BlockContext) -> None:
    """The components a render just built, answering Gradio's API schema calls with nothing.

    Gradio puts every rendered component's API schemas in the render's answer, each made by pydantic on the spot:
    half the server's time of a tab's first showing (about 60 ms for Compare). No API describes them: what
    ``/gradio_api/info`` and ``gradio_client`` read is the app's config at start-up, which holds no rendered
    component (the page's own config drops such schemas too: ``without_private_api_schemas``)."""
    for child in container.children:
        if isinstance(child, BlockContext):
            without_api_schemas(child)
        elif isinstance(child, gr.components.Component):
            for name in ("api_info", "api_info_as_input", "api_info_as_output"):
                setattr(child, name, _no_schema)
            child.example_inputs = _no_schema  # type: ignore[method-assign]


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
