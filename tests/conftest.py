"""Shared fixtures: offline env and the fake fal server set up before gradio or fal_client is imported,
isolated data dirs, and in-process apps (offline, and fal with a server key pointed at the fake)."""

import os
import sys
import tempfile

from fake_fal import FakeFal, Script  # noqa: F401  (Script is re-exported for the tests)

os.environ.update({"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_OFFLINE": "1",
                   "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
for name in ("FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET", "PLAYGROUND_BACKEND"):
    os.environ.pop(name, None)
FAKE = FakeFal(tempfile.mkdtemp(prefix="fake-fal-")).start()
os.environ.update(FAKE.env())  # fal_client reads FAL_QUEUE_RUN_HOST when imported, httpx reads SSL_CERT_FILE

import fal_client.client  # noqa: E402

fal_client.client.REST_URL = fal_client.client.CDN_URL = FAKE.base_url  # storage hosts are constants in fal-client

import base64  # noqa: E402
import io  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from playground.backends.offline import OfflineBackend  # noqa: E402
from playground.catalog import load_catalog  # noqa: E402
from playground.config import FalSettings  # noqa: E402
from playground.service import Playground  # noqa: E402

SERVER_KEY = "srv-0f1e2d3c:4b5a69788796a5b4c3d2e1f0"  # the operator's FAL_KEY in tests (fake fal accepts any)

LITE_T2V = "fal-ai/bytedance/seedance/v1/lite/text-to-video"
LITE_I2V = "fal-ai/bytedance/seedance/v1/lite/image-to-video"
PRO_T2V = "fal-ai/bytedance/seedance/v1/pro/text-to-video"
PRO_FAST_T2V = "fal-ai/bytedance/seedance/v1/pro/fast/text-to-video"
PRO_FAST_I2V = "fal-ai/bytedance/seedance/v1/pro/fast/image-to-video"
V2_I2V = "bytedance/seedance-2.0/image-to-video"
V2_R2V = "bytedance/seedance-2.0/reference-to-video"
V2_FAST_T2V = "bytedance/seedance-2.0/fast/text-to-video"


def image_bytes(width: int, height: int, fmt: str = "PNG", color=(200, 40, 40), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color).save(buffer, format=fmt)
    return buffer.getvalue()


def data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture
def playground(tmp_path, catalog):
    """A Playground on a fresh data dir with a quick offline backend."""
    return Playground(catalog, tmp_path / "data", "auto", offline=OfflineBackend(step_delay_s=0))


@pytest.fixture(scope="session")
def app_data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("app") / "data"


@pytest.fixture(scope="session")
def app_url(app_data_dir, catalog):
    """The real app, launched in-process on loopback, over its own data dir."""
    from playground.ui import build_app, launch_options

    playground = Playground(catalog, app_data_dir, "auto")
    demo = build_app(playground)
    demo.queue(default_concurrency_limit=8)
    options = launch_options(playground)
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True, **options)
    yield url.rstrip("/") + "/"
    demo.close()


@pytest.fixture(scope="session")
def client(app_url):
    from gradio_client import Client

    return Client(app_url, verbose=False)


@pytest.fixture
def fake_fal():
    """The fake fal server, reset to well-behaved default jobs for this test."""
    FAKE.reset()
    yield FAKE
    FAKE.release()


@pytest.fixture
def fal_playground(tmp_path, catalog, fake_fal):
    """A Playground on a fresh data dir running on the fake fal with the server key (short timeout)."""
    return Playground(catalog, tmp_path / "data", "auto", server_key=SERVER_KEY,
                      fal_settings=FalSettings(timeout_s=20, cancel_timeout_s=5))


@pytest.fixture(scope="session")
def fal_app(tmp_path_factory, catalog):
    """The real app in-process with a server key, talking to the fake fal: (url, data dir)."""
    from playground.ui import build_app, launch_options

    data_dir = tmp_path_factory.mktemp("fal-app") / "data"
    playground = Playground(catalog, data_dir, "auto", server_key=SERVER_KEY, fal_settings=FalSettings(timeout_s=60))
    demo = build_app(playground)
    demo.queue(default_concurrency_limit=8)
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True,
                            **launch_options(playground))
    yield url.rstrip("/") + "/", data_dir
    demo.close()


@pytest.fixture(scope="module")
def browser():
    """Debian Chromium for one module's browser tests (each test opens its own pages: its own visitors). Module
    scope on purpose: Playwright's sync API keeps an event loop running, and asyncio.run() elsewhere would fail."""
    from playwright.sync_api import sync_playwright

    from browser_kit import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


# Run alone, after the rest (scripts/test.sh): what a person sees in Chromium (clips kept in sync within 0.1 s,
# playback clocks) and answers timed under load would measure the other test workers instead of the app.
SERIAL_MODULES = {"test_api_template"}


def pytest_collection_modifyitems(items):
    for item in items:
        name = item.module.__name__.rsplit(".", 1)[-1]
        if name.startswith("test_browser") or name in SERIAL_MODULES:
            item.add_marker(pytest.mark.serial)


def pytest_terminal_summary(terminalreporter):
    """Say how many cases the reliability matrix holds and how many of them passed (with test workers, the modules
    ran elsewhere: they are imported here only to read their counts)."""
    import importlib

    names = ("test_reliability", "test_reliability_public")
    passed = [r for r in terminalreporter.stats.get("passed", [])
              if r.nodeid.split("::")[0].rsplit("/", 1)[-1] in {f"{name}.py" for name in names}]
    ran = {r.nodeid.split("::")[0].rsplit("/", 1)[-1][:-3] for r in passed}
    modules = [sys.modules.get(name) or importlib.import_module(name) for name in names if name in ran]
    if not modules:
        return
    counts = ", ".join(f"{name}: {count}" for module in modules for name, count in module.COUNTS.items())
    terminalreporter.write_line(f"reliability matrix — {counts}; {len(passed)} test(s) passed")
