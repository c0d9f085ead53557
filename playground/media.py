"""Media inputs and outputs: data URIs, image checks (size, format, corruption, bombs), video probing."""

from __future__ import annotations

import base64
import binascii
import io
import mimetypes
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_INPUT_BYTES = 30 * 1024 * 1024  # fal's documented per-image limit
MAX_IMAGE_PIXELS = 64_000_000  # far above any model input; stops decompression bombs before decoding
_DATA_URI = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(;[\w.+-]+=[^;,]*)*)(?P<b64>;base64)?,(?P<data>.*)$", re.S)


class MediaError(ValueError):
    """A media input is unusable; the message is written for the user (the caller adds the field name)."""


@dataclass(frozen=True)
class Probe:
    """What a video file really is, read back with PyAV."""

    width: int
    height: int
    fps: float
    frames: int
    duration_s: float
    has_audio: bool
    mean_luma: float = 0.0  # 0–255, over every frame (a black clip is near 0)
    motion: float = 0.0  # mean absolute grey-level change between consecutive frames (a frozen clip is 0)


def is_data_uri(value: str) -> bool:
    return value.startswith("data:")


def is_http_url(value: str) -> bool:
    """An absolute http(s) URL with a host (whether the host may be fetched is another question)."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not re.search(r"\s", value)


def decode_data_uri(value: str) -> tuple[str, bytes]:
    """(mime type, bytes) of a data URI, refusing anything over the input size limit."""
    match = _DATA_URI.match(value)
    if not match:
        raise MediaError("not a valid data URI")
    if len(match["data"]) > MAX_INPUT_BYTES * 4 // 3 + 4:
        raise MediaError(f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
    try:
        data = base64.b64decode(match["data"], validate=True) if match["b64"] else match["data"].encode()
    except (binascii.Error, ValueError):
        raise MediaError("data URI is not valid base64") from None
    if len(data) > MAX_INPUT_BYTES:
        raise MediaError(f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
    return (match["mime"] or "text/plain").lower(), data


def encode_data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def open_checked_image(data: bytes, formats: tuple[str, ...]) -> Image.Image:
    """A fully decoded RGB image, or MediaError for non-images, truncation, bombs and other formats."""
    if len(data) > MAX_INPUT_BYTES:
        raise MediaError(f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise MediaError(f"{image.width}×{image.height} pixels is too large (decompression bomb?)")
            if image.format not in formats:
                raise MediaError(f"{image.format} images are not accepted here; use {', '.join(formats)}")
            image.load()
        except MediaError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise MediaError("image is too large (decompression bomb?)") from None
        except UnidentifiedImageError:
            raise MediaError("not a readable image: its content is not in any image format, whatever its name "
                             "says") from None
        except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt
            raise MediaError("not a readable image: it is damaged or cut short "
                             f"({str(exc)[:80] or exc.__class__.__name__})") from None
    return ImageOps.exif_transpose(image).convert("RGB")  # upright, as the photo is shown


EXIF_ORIENTATION = 0x0112
SIDEWAYS = (5, 6, 7, 8)  # EXIF orientations shown turned by 90°: a portrait phone photo stored landscape


def image_shape(value: str) -> tuple[int, int] | None:
    """(width, height) as the image is shown (EXIF orientation applied), read from its header without decoding
    it; None when it cannot be read locally."""
    try:
        source = io.BytesIO(decode_data_uri(value)[1]) if is_data_uri(value) else Path(value)
        if isinstance(source, Path) and not source.is_file():
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(source) as image:
                width, height = image.size
                turned = image.getexif().get(EXIF_ORIENTATION) in SIDEWAYS
                return (height, width) if turned else (width, height)
    except (MediaError, OSError, ValueError):
        return None


def file_to_data_uri(path: str | Path) -> str:
    """Inline an uploaded file, refusing files over the input limit before reading them."""
    path = Path(path)
    if path.stat().st_size > MAX_INPUT_BYTES:
        raise MediaError(f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return encode_data_uri(path.read_bytes(), mime)


STATS_SIZE = (160, 90)  # frames are scaled down to this for brightness and motion: cheap, and enough


def probe_video(source: str | Path | io.BytesIO) -> Probe:
    """Size, frame rate, frame count, duration, brightness and motion as PyAV reads them (every frame decoded)."""
    import av  # PyAV loads FFmpeg: imported when a video is read or written, not at start-up

    with av.open(source if isinstance(source, io.BytesIO) else str(source), mode="r") as container:
        stream = container.streams.video[0]
        frames, luma, change, previous = 0, 0.0, 0.0, None
        for frame in container.decode(stream):
            grey = frame.reformat(width=STATS_SIZE[0], height=STATS_SIZE[1], format="gray").to_ndarray()
            grey = grey.astype(np.float32)
            luma += float(grey.mean())
            if previous is not None:
                change += float(np.abs(grey - previous).mean())
            previous, frames = grey, frames + 1
        fps = float(stream.average_rate or stream.guessed_rate or 0)
        has_audio = bool(container.streams.audio)
        return Probe(width=stream.codec_context.width, height=stream.codec_context.height, fps=round(fps, 3),
                     frames=frames, duration_s=round(frames / fps, 3) if fps else 0.0, has_audio=has_audio,
                     mean_luma=round(luma / frames, 3) if frames else 0.0,
                     motion=round(change / (frames - 1), 4) if frames > 1 else 0.0)


def data_uri_video_seconds(value: str) -> float | None:
    """Length of a video given as a data URI, for 2.0 reference pricing; None when unknown."""
    if not is_data_uri(value):
        return None
    import av

    try:
        return probe_video(io.BytesIO(decode_data_uri(value)[1])).duration_s
    except (MediaError, av.FFmpegError, IndexError):
        return None
