"""Is an output what was asked for? Size, frame rate and frame count against the request, black and frozen
clips, audio; and the seed check: are two runs with the same seed the same clip?"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from playground.media import Probe

BLACK_BELOW = 10.0  # mean grey level (0–255) under which a clip is called black
FROZEN_BELOW = 0.005  # mean grey-level change per frame under which a clip is called frozen
NEAR_PSNR_DB = 35.0  # two clips this close (mean PSNR) count as "near" when not identical


def output_flags(probe: Probe, expected: dict[str, Any]) -> list[str]:
    """Everything about an output that differs from what was asked (empty list: it is what was asked)."""
    flags = []
    if expected.get("width") and (probe.width, probe.height) != (expected["width"], expected["height"]):
        flags.append(f"size {probe.width}×{probe.height}, asked {expected['width']}×{expected['height']}")
    if expected.get("fps") and abs(probe.fps - expected["fps"]) > 0.01:
        flags.append(f"{probe.fps:g} fps, asked {expected['fps']}")
    if expected.get("frames") and probe.frames != expected["frames"]:
        flags.append(f"{probe.frames} frames, asked {expected['frames']}")
    if probe.mean_luma < BLACK_BELOW:
        flags.append("black")
    elif probe.frames > 1 and probe.motion < FROZEN_BELOW:
        flags.append("frozen")
    return flags


def check_columns(probe: Probe, expected: dict[str, Any], warnings: tuple[str, ...] = ()) -> dict[str, Any]:
    """The results-log columns for one output (``warnings``: what the backend already knows does not match,
    e.g. an input image it could not use)."""
    flags = [*warnings, *output_flags(probe, expected)]
    return {"checks": "; ".join(flags) if flags else "ok", "has_audio": "true" if probe.has_audio else "false",
            "mean_luma": probe.mean_luma, "motion": probe.motion}


@dataclass(frozen=True)
class SeedVerdict:
    """How alike two runs with the same seed came out."""

    verdict: str  # identical | near | different
    frames_equal: int
    frames: int
    psnr_db: float | None  # mean over the frames that differ; None when every frame is equal (identical) or when
    # the clips cannot be compared frame by frame (another size or frame count: different)

    def as_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "frames_equal": self.frames_equal, "frames": self.frames,
                "psnr_db": self.psnr_db}


def _frames(path: Path) -> Iterator[np.ndarray]:
    import av  # PyAV loads FFmpeg: imported when a video is read or written, not at start-up

    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            yield frame.to_ndarray(format="rgb24")


def compare_clips(first: Path, second: Path) -> SeedVerdict:
    """Frame hashes first (identical?), then PSNR (near?), frame by frame."""
    equal, total, psnrs = 0, 0, []
    a_frames, b_frames = _frames(first), _frames(second)
    for a, b in zip(a_frames, b_frames, strict=False):
        total += 1
        if a.shape != b.shape:
            return SeedVerdict("different", equal, total, None)
        if hashlib.sha1(a.tobytes()).digest() == hashlib.sha1(b.tobytes()).digest():
            equal += 1
            psnrs.append(math.inf)
            continue
        mse = float(np.mean((a.astype(np.float32) - b.astype(np.float32)) ** 2))
        psnrs.append(10 * math.log10(255 ** 2 / mse))
    leftover = sum(1 for _ in a_frames) + sum(1 for _ in b_frames)
    if leftover or not total:
        return SeedVerdict("different", equal, total + leftover, None)
    finite = [p for p in psnrs if p != math.inf]
    mean_psnr = round(sum(finite) / len(finite), 2) if finite else None
    if equal == total:
        return SeedVerdict("identical", equal, total, None)
    return SeedVerdict("near" if mean_psnr is not None and mean_psnr >= NEAR_PSNR_DB else "different", equal, total,
                       mean_psnr)
