"""Save a result video locally (fal's URLs expire): streamed to a part file, size-capped, then renamed.

The download uses its own HTTP client without credentials: a result URL is public, and a key must never
travel to a media host.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import httpx

from playground.errors import DownloadError, disk_problem

CHUNK = 1 << 16


def download_client(timeout_s: float) -> httpx.AsyncClient:
    """A client for result videos: no credentials, redirects followed, connection failures retried."""
    return httpx.AsyncClient(timeout=httpx.Timeout(timeout_s, connect=min(15.0, timeout_s)), follow_redirects=True,
                             max_redirects=5, transport=httpx.AsyncHTTPTransport(retries=2))


async def download(url: str, dest: Path, max_bytes: int, timeout_s: float,
                   client: httpx.AsyncClient | None = None) -> int:
    """Write ``url`` to ``dest`` and return its size; DownloadError (and no file) when that fails.

    Pass a long-lived ``client`` to keep connections to the media host open between downloads.
    """
    part = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:12]}.part")  # its own: replicas share the folder
    cap = f"{max_bytes / (1024 * 1024):.1f} MB cap"
    try:
        async with contextlib.AsyncExitStack() as stack:
            if client is None:
                client = await stack.enter_async_context(download_client(timeout_s))
            async with client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise DownloadError(f"the video URL answered HTTP {response.status_code}")
                declared = int(response.headers.get("content-length") or 0)
                if declared > max_bytes:
                    raise DownloadError(f"the video is {declared / (1024 * 1024):.1f} MB, over the {cap}")
                size = 0
                dest.parent.mkdir(parents=True, exist_ok=True)
                with open(part, "wb") as handle:
                    async for chunk in response.aiter_bytes(CHUNK):
                        size += len(chunk)
                        if size > max_bytes:
                            raise DownloadError(f"the video is over the {cap}")
                        handle.write(chunk)
                    handle.flush()
                    os.fsync(handle.fileno())
        if size == 0:
            raise DownloadError("the video URL returned an empty file")
        os.replace(part, dest)
        return size
    except httpx.HTTPError as exc:
        raise DownloadError(f"could not fetch the video ({exc.__class__.__name__}: {str(exc)[:120]})") from exc
    except OSError as exc:  # the result is paid for and still at its URL: say why it is not here, plainly
        raise DownloadError(f"it could not be written here: {disk_problem(exc)}") from exc
    finally:
        part.unlink(missing_ok=True)
