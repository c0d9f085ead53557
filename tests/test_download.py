"""Saving result videos: streamed to disk, size-capped, and no half-written file ever left behind."""

import asyncio

import pytest

from playground.download import download
from playground.errors import DownloadError

from conftest import LITE_T2V, Script


def _job_video_url(fake_fal, script=None):
    import fal_client

    fake_fal.script(script or Script(queue_s=0, run_s=0))

    async def finished():
        handle = await fal_client.AsyncClient(key="k:s").submit(LITE_T2V, {"prompt": "x"})
        return (await handle.get())["video"]["url"]

    return asyncio.run(finished())


def test_download_writes_the_exact_bytes(tmp_path, fake_fal):
    url = _job_video_url(fake_fal)
    size = asyncio.run(download(url, tmp_path / "v.mp4", 10_000_000, 10))
    assert (tmp_path / "v.mp4").read_bytes() == fake_fal.video and size == len(fake_fal.video)
    assert not fake_fal.seen("GET", "/files/")[0].authorization  # no key travels to a media host


@pytest.mark.parametrize("case, script, cap, words", [
    ("404", Script(queue_s=0, run_s=0, video_missing=True), 10_000_000, "HTTP 404"),
    ("over the cap", Script(queue_s=0, run_s=0), 1000, "cap"),
])
def test_download_failures_leave_nothing(tmp_path, fake_fal, case, script, cap, words):
    url = _job_video_url(fake_fal, script)
    with pytest.raises(DownloadError, match=words):
        asyncio.run(download(url, tmp_path / "v.mp4", cap, 10))
    assert list(tmp_path.iterdir()) == []


def test_unreachable_host(tmp_path):
    from app_process import free_port

    with pytest.raises(DownloadError, match="could not fetch"):
        asyncio.run(download(f"https://127.0.0.1:{free_port()}/v.mp4", tmp_path / "v.mp4", 1000, 5))
    assert list(tmp_path.iterdir()) == []
