"""Start-up does only what the first screen needs: building the app imports no database driver, no video decoder,
no plotting library and no measuring code, and builds Gradio's server app once, at launch — while the queue and the
end of the page's ``with`` block (playground/ui/lean.py) leave the state Gradio's own would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import gradio as gr
import pytest
from gradio.blocks import BlocksConfig
from gradio.context import Context, get_render_context

from playground.ui.lean import API_SCHEMA_KEYS, LeanBlocks, without_private_api_schemas

ROOT = Path(__file__).resolve().parent.parent

# Loaded when first used, never by building the app: what it costs and why the first screen needs none of it.
FIRST_USE_ONLY = [
    ("av", "PyAV: decoding and encoding video (a result's probe, signals, the row export)"),
    ("imageio_ffmpeg", "a bundled ffmpeg binary"),
    ("sqlalchemy", "the PostgreSQL store, only with PLAYGROUND_DATABASE_URL"),
    ("psycopg", "the PostgreSQL driver"),
    ("psycopg2", "the older PostgreSQL driver"),
    ("matplotlib", "plotting: the charts are Vega-Lite specs drawn by the page"),
    ("plotly", "plotting"),
    ("altair", "plotting: gr.Plot takes the Vega-Lite JSON without it"),
    ("playground.signals", "measuring a saved clip (PyAV, in a worker)"),
    ("playground.store.sql", "the PostgreSQL store's modules"),
    ("fal_client", "fal's client and its HTTP stack, loaded with the first fal backend a key asks for"),
    ("playground.backends.fal", "the fal backend (through fal_client)"),
]

BUILD = """
import json, sys
import gradio.routes
built = []
create_app = gradio.routes.App.create_app
gradio.routes.App.create_app = staticmethod(lambda *a, **k: built.append(1) or create_app(*a, **k))
from playground.ui import create_app as create_playground_app
demo, options = create_playground_app()
print(json.dumps({"modules": sorted(sys.modules), "server_apps_before_launch": len(built)}))
"""

ENTRY_POINT = """
import gc, json, runpy, sys
import gradio
counts = {"launched": 0}
def launch(self, *args, **kwargs):
    counts.update(launched=counts["launched"] + 1, frozen=gc.get_freeze_count(), collectable=len(gc.get_objects()))
gradio.Blocks.launch = launch
runpy.run_path("app.py", run_name="__main__")
print(json.dumps(counts))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """Modules loaded, and server apps built, by `python app.py` up to (not including) launch, in a fresh process."""
    env = {**os.environ, "PLAYGROUND_DATA_DIR": str(tmp_path_factory.mktemp("startup") / "data"),
           "PLAYGROUND_BACKEND": "offline"}
    for name in ("FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET", "PLAYGROUND_DATABASE_URL"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-c", BUILD], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module,why", FIRST_USE_ONLY, ids=[m for m, _ in FIRST_USE_ONLY])
def test_building_the_app_does_not_import(built, module, why):
    loaded = [name for name in built["modules"] if name == module or name.startswith(module + ".")]
    assert not loaded, f"{module} ({why}) is imported by building the app: {loaded[:5]}"


def test_the_entry_point_keeps_what_start_up_made_out_of_the_collector(tmp_path):
    """`python app.py` freezes start-up's objects before launch: a full collection (65–80 ms over Gradio's ~150k
    objects, which fell during launch) then walks only what came after."""
    env = {**os.environ, "PLAYGROUND_DATA_DIR": str(tmp_path / "data"), "PLAYGROUND_BACKEND": "offline"}
    env.pop("FAL_KEY", None)
    done = subprocess.run([sys.executable, "-c", ENTRY_POINT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert counts["launched"] == 1
    assert counts["frozen"] > 10 * counts["collectable"], counts  # nothing frozen: frozen is 0


def test_building_the_app_builds_no_server_app_before_launch(built):
    assert built["server_apps_before_launch"] == 0  # Gradio's own Blocks builds three before launch builds a fourth


def _layout(blocks_class: type[gr.Blocks]) -> gr.Blocks:
    with blocks_class() as demo:
        box = gr.Textbox(label="in")
        out = gr.Markdown()
        box.submit(lambda text: text, box, out, api_name="echo")
        box.change(lambda text: text, box, out, api_visibility="private", show_progress="full")
        demo.load(lambda: "loaded", None, out, api_visibility="private")
    return demo


def _normalized(config: dict) -> dict:
    """A config with its per-app parts (app id, component ids from the process-wide counter) made comparable."""
    ids: dict[int, int] = {}

    def number(block_id: int) -> int:
        return ids.setdefault(block_id, len(ids))

    def layout(node: dict) -> dict:
        return {"id": number(node["id"]), "children": [layout(child) for child in node.get("children", [])]}

    shape = layout(config["layout"])
    components = sorted((number(c["id"]), c["type"], json.dumps(c["props"], sort_keys=True, default=str))
                        for c in config["components"] if c["id"] in ids)
    dependencies = [(d["api_name"], [number(i) for i in d["inputs"]], [number(o) for o in d["outputs"]],
                     d["api_visibility"], d.get("show_progress")) for d in config["dependencies"]]
    rest = {k: v for k, v in config.items() if k not in ("app_id", "layout", "components", "dependencies", "page")}
    return {"layout": shape, "components": components, "dependencies": dependencies, "rest": rest}


def test_the_end_of_the_block_leaves_the_state_gradios_leaves():
    plain, lean = _layout(gr.Blocks), _layout(LeanBlocks)
    assert _normalized(lean.config) == _normalized(without_private_api_schemas(plain.config))
    for attribute in ("progress_tracking", "exited", "page"):
        assert getattr(lean, attribute) == getattr(plain, attribute), attribute
    assert Context.root_block is None and get_render_context() is None
    assert any(API_SCHEMA_KEYS[0] in c for c in lean.config["components"])  # the public event's still described


def test_launch_computes_the_blocks_config_once_and_serves_it_whole(monkeypatch):
    """Gradio computes the config in ``launch`` and again while building its server app; the blocks' part (the
    costly one) is computed once, and what is served is what a fresh computation gives."""
    lean = _layout(LeanBlocks)
    counted = []
    compute = BlocksConfig.get_config

    def counting(self, *args, **kwargs):
        counted.append((args, kwargs))
        return compute(self, *args, **kwargs)

    monkeypatch.setattr(BlocksConfig, "get_config", counting)
    assert lean._config_stale  # the end of the block computed nothing
    try:
        lean.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
        assert counted == [((), {})]
        assert "get_config" not in vars(lean.default_config)  # computed afresh from here on
        assert _normalized(lean.config) == _normalized(lean.get_config_file())
        assert lean.config["footer_links"] == lean.footer_links  # the header still follows launch's settings
        assert _normalized(lean.config) == _normalized(without_private_api_schemas(_launched_plain_config()))
    finally:
        lean.close()


def _launched_plain_config() -> dict:
    plain = _layout(gr.Blocks)
    try:
        plain.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
        return plain.config
    finally:
        plain.close()


def test_the_server_app_is_built_on_first_need_before_launch():
    lean = _layout(LeanBlocks)
    assert lean._lean_app is None
    assert isinstance(lean.app, gr.routes.App)  # anything asking before launch still gets one
    assert lean.app is lean.app


@pytest.mark.parametrize("settings", [{}, {"default_concurrency_limit": 8}, {"max_size": 20, "api_open": True},
                                      {"status_update_rate": 2.5, "default_concurrency_limit": None}])
def test_the_queue_is_set_up_as_gradios(settings):
    plain, lean = _layout(gr.Blocks).queue(**settings), _layout(LeanBlocks).queue(**settings)
    for attribute in ("live_updates", "max_thread_count", "update_intervals", "max_size", "default_concurrency_limit"):
        assert getattr(lean._queue, attribute) == getattr(plain._queue, attribute), attribute
    assert lean._queue.blocks is lean and lean.api_open == plain.api_open
    assert lean._lean_app is None  # and no server app built for it
