"""Shared fixtures: offline env set before gradio is imported, an isolated data dir, an in-process app."""

import os

os.environ.update({"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_OFFLINE": "1",
                   "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
os.environ.pop("FAL_KEY", None)

import base64  # noqa: E402
import io  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from playground.backends.offline import OfflineBackend  # noqa: E402
from playground.catalog import load_catalog  # noqa: E402
from playground.service import Playground  # noqa: E402

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
