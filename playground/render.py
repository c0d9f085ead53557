"""Synthetic preview clips: honest stand-ins for model output, clearly labelled, deterministic per seed.

A clip is a still (the input image, or a seed-coloured field carrying the prompt) seen through a camera
that pans in a seed-chosen direction (or holds still when the camera is fixed), cross-fading to the end
image when one is given. Every frame carries the "OFFLINE PREVIEW — not model output" band and a
frame counter, so nobody mistakes it for a real result.
"""

from __future__ import annotations

import math
import random
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

LABEL_LEFT, LABEL_RIGHT = "OFFLINE PREVIEW", "not model output"
# rc-lookahead 0: with x264's threaded lookahead, identical input was seen to encode to slightly different frames
X264_OPTIONS = {"preset": "veryfast", "crf": "23", "rc-lookahead": "0"}
PAN_MARGIN = 0.12  # the canvas is this much larger than the frame, so the camera has room to move


@dataclass(frozen=True)
class ClipSpec:
    """Everything that determines a preview clip; equal specs give identical frames."""

    width: int
    height: int
    fps: int
    frames: int
    seed: int
    prompt: str
    camera_fixed: bool = False
    start_image: Image.Image | None = None
    end_image: Image.Image | None = None
    caption: str = ""
    sound: bool = False  # the endpoint would make sound: a plain synthetic tone stands in for it


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(10, size))


def _seed_field(spec: ClipSpec, size: tuple[int, int], rng: random.Random) -> Image.Image:
    """A seed-coloured gradient with a few soft shapes and the prompt, for text-to-video."""
    w, h = size
    c1 = np.array([rng.randrange(30, 200) for _ in range(3)], np.float32)
    c2 = np.array([rng.randrange(30, 200) for _ in range(3)], np.float32)
    angle = rng.uniform(0, math.tau)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (xs / w * math.cos(angle) + ys / h * math.sin(angle))
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    field = Image.fromarray((c1 * (1 - t[..., None]) + c2 * t[..., None]).astype(np.uint8))
    draw = ImageDraw.Draw(field)
    for _ in range(6):
        r = rng.randrange(h // 12, h // 4)
        x, y = rng.randrange(w), rng.randrange(h)
        draw.ellipse((x - r, y - r, x + r, y + r), outline=tuple(rng.randrange(120, 255) for _ in range(3)), width=max(2, h // 200))
    font = _font(h // 18)
    lines = textwrap.wrap(spec.prompt, width=max(16, int(w / (h / 18) * 1.6)))[:5]
    draw.multiline_text((w / 2, h / 2), "\n".join(lines), font=font, fill="white", anchor="mm", align="center",
                        stroke_width=max(1, h // 300), stroke_fill="black")
    return field


def _canvas(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(ImageOps.fit(image.convert("RGB"), size, Image.Resampling.BICUBIC), dtype=np.uint8)


def _label_band(width: int, height: int) -> np.ndarray:
    band = Image.new("RGB", (width, height), (0, 0, 0))
    draw = ImageDraw.Draw(band)
    size = int(height * 0.55)
    font = _font(size)
    left_w = draw.textlength(LABEL_LEFT + " ", font=font)
    dash_w = size
    right_w = draw.textlength(" " + LABEL_RIGHT, font=font)
    x = (width - (left_w + dash_w + right_w)) / 2
    draw.text((x, height / 2), LABEL_LEFT + " ", font=font, fill=(255, 214, 0), anchor="lm")
    mid = height // 2
    draw.line((x + left_w, mid, x + left_w + dash_w, mid), fill=(255, 214, 0), width=max(2, height // 14))  # the em dash
    draw.text((x + left_w + dash_w, height / 2), " " + LABEL_RIGHT, font=font, fill=(255, 214, 0), anchor="lm")
    return np.asarray(band, dtype=np.uint8)


def _footer(spec: ClipSpec, index: int, width: int, height: int,
            font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> np.ndarray:
    strip = Image.new("RGB", (width, height), (0, 0, 0))
    text = f"{spec.caption}  ·  frame {index + 1}/{spec.frames}  ·  {index / spec.fps:05.2f} s"
    ImageDraw.Draw(strip).text((width / 2, height / 2), text, font=font, fill="white", anchor="mm")
    return np.asarray(strip, dtype=np.uint8)


def _camera_path(spec: ClipSpec, rng: random.Random, margin: tuple[int, int]) -> list[tuple[int, int]]:
    """Top-left crop offsets per frame: a seed-chosen straight pan with ease in and out, or none."""
    mx, my = margin
    if spec.camera_fixed:
        return [(mx // 2, my // 2)] * spec.frames
    angle = rng.uniform(0, math.tau)
    start = (mx / 2 - math.cos(angle) * mx / 2, my / 2 - math.sin(angle) * my / 2)
    end = (mx / 2 + math.cos(angle) * mx / 2, my / 2 + math.sin(angle) * my / 2)
    path = []
    for i in range(spec.frames):
        t = i / max(1, spec.frames - 1)
        e = t * t * (3 - 2 * t)
        path.append((round(start[0] + (end[0] - start[0]) * e), round(start[1] + (end[1] - start[1]) * e)))
    return [(min(max(x, 0), mx), min(max(y, 0), my)) for x, y in path]


def frames(spec: ClipSpec) -> Iterator[np.ndarray]:
    """Yield the clip's RGB frames as arrays (deterministic for equal specs)."""
    rng = random.Random(spec.seed)
    cw, ch = round(spec.width * (1 + PAN_MARGIN)), round(spec.height * (1 + PAN_MARGIN))
    start = _canvas(spec.start_image, (cw, ch)) if spec.start_image else np.asarray(_seed_field(spec, (cw, ch), rng))
    end = _canvas(spec.end_image, (cw, ch)) if spec.end_image else None
    path = _camera_path(spec, rng, (cw - spec.width, ch - spec.height))
    band_h = max(16, spec.height // 14)
    band = _label_band(spec.width, band_h)
    footer_h = max(14, spec.height // 22)
    footer_font = _font(int(footer_h * 0.6))
    for i, (x, y) in enumerate(path):
        frame = np.array(start[y:y + spec.height, x:x + spec.width])
        if end is not None:
            t = i / max(1, spec.frames - 1)
            a = round(256 * t * t * (3 - 2 * t))
            other = end[y:y + spec.height, x:x + spec.width].astype(np.uint16)
            frame = ((frame.astype(np.uint16) * (256 - a) + other * a) >> 8).astype(np.uint8)
        frame[:band_h] = band
        frame[-footer_h:] = _footer(spec, i, spec.width, footer_h, footer_font)
        yield frame


def write_clip(spec: ClipSpec, path: Path) -> Path:
    """Encode the clip as H.264 MP4 (yuv420p, exact size, exact frame count, constant frame rate).

    Deterministic: equal specs give identical decoded frames (see X264_OPTIONS).
    """
    import av  # PyAV loads FFmpeg: imported when a video is read or written, not at start-up

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", container_options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=spec.fps, options=X264_OPTIONS)
        stream.width, stream.height, stream.pix_fmt = spec.width, spec.height, "yuv420p"
        sound = container.add_stream("aac", rate=AUDIO_RATE, layout="mono") if spec.sound else None  # before any mux
        for array in frames(spec):
            for packet in stream.encode(av.VideoFrame.from_ndarray(array, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        if sound is not None:
            _write_tone(container, sound, spec)
    return path


AUDIO_RATE = 48000


def tone(spec: ClipSpec) -> np.ndarray:
    """The preview's sound: a seed-pitched beep at every whole second over silence, plainly not a soundtrack,
    as long as the picture (mono float32 samples at AUDIO_RATE)."""
    count = round(spec.frames / spec.fps * AUDIO_RATE)
    t = np.arange(count, dtype=np.float32) / AUDIO_RATE
    pitch = 220.0 * 2 ** (random.Random(spec.seed).randrange(12) / 12)
    gate = ((t % 1.0) < 0.25).astype(np.float32)
    return (0.25 * gate * np.sin(2 * np.pi * pitch * t)).astype(np.float32)


def _write_tone(container: Any, stream: Any, spec: ClipSpec) -> None:
    import av

    samples = tone(spec)
    for start in range(0, len(samples), 1024):
        chunk = np.ascontiguousarray(samples[None, start:start + 1024])
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
        frame.sample_rate, frame.pts = AUDIO_RATE, start
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
