"""One row of a comparison as a single side-by-side MP4, to share a result outside the app.

Tiles are scaled to one height (the smallest clip's, at most ``MAX_HEIGHT``) and keep their aspect; under each,
a label strip says what the clip is — endpoint, seed and cost, or only "Clip A" for a blind row not yet voted
on. The tiles start together at frame 0 and the video lasts as long as the longest clip, at its frame rate
and frame count; a shorter clip holds its last frame. The audio of one chosen clip (or none) goes along.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from playground.compare.cells import CellStatus
from playground.compare.grid import Labelled, shown_cells
from playground.compare.kept import KeptBatches
from playground.compare.snapshot import BatchSnapshot
from playground.compare.voting import Voting, lettered, row_key
from playground.errors import InputError
from playground.media import probe_video
from playground.visitor import Visitor

MAX_HEIGHT = 720
X264 = {"preset": "veryfast", "crf": "20"}
PARTIAL = ".partial.mp4"  # an export being written (or left by a process that died while writing it)
STALE_S = 3600


@dataclass(frozen=True)
class Tile:
    """One clip of the row: its file and the text of its label strip."""

    path: Path
    label: str


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def _scaled_frames(path: Path, width: int, height: int) -> Generator[np.ndarray, None, None]:
    """A clip's frames in order, scaled to ``width`` × ``height`` (RGB), decoded one at a time."""
    import av  # PyAV loads FFmpeg: imported when a video is read or written

    with av.open(str(path)) as container:
        for frame in container.decode(container.streams.video[0]):
            yield frame.to_ndarray(format="rgb24", width=width, height=height)


class _Held:
    """One tile's frames, followed forward: frame ``n``, or the last one once the clip has run out. Only the
    current frame is held, so a row of long clips never sits in memory whole."""

    def __init__(self, frames: Iterator[np.ndarray]):
        self.frames, self.index, self.current = frames, -1, np.zeros((0, 0, 3), np.uint8)

    def at(self, n: int) -> np.ndarray:
        while self.index < n:
            following = next(self.frames, None)
            if following is None:
                break
            self.current, self.index = following, self.index + 1
        return self.current


def _strip(text: str, width: int, height: int) -> np.ndarray:
    strip = Image.new("RGB", (width, height), (24, 24, 28))
    font = ImageFont.load_default(size=max(10, int(height * 0.45)))
    draw = ImageDraw.Draw(strip)
    while draw.textlength(text, font=font) > width - 8 and len(text) > 4:
        text = text[:-2].rstrip() + "…"
    draw.text((width / 2, height / 2), text, font=font, fill=(255, 255, 255), anchor="mm")
    return np.asarray(strip, dtype=np.uint8)


def _copy_audio(source: Path, container: Any) -> tuple[Any, Any] | None:
    """An AAC stream in ``container`` and the clip's decoded audio frames, when the clip has sound."""
    import av

    with av.open(str(source)) as clip:
        if not clip.streams.audio:
            return None
        rate = clip.streams.audio[0].codec_context.sample_rate or 48000
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=rate)
        frames = [f for frame in clip.decode(clip.streams.audio[0]) for f in resampler.resample(frame)]
    stream = container.add_stream("aac", rate=rate, layout="stereo")
    return stream, frames


def side_by_side(tiles: list[Tile], out: Path, audio_from: int | None = None) -> Path:
    """Write the row to ``out``; ``audio_from`` is the index of the tile whose sound goes along (None: silent)."""
    import av

    if len(tiles) < 1:
        raise InputError([("row", "this row has no finished clip to export")])
    probes = [probe_video(tile.path) for tile in tiles]  # exact frame counts and rates, frame by frame
    if any(probe.frames == 0 or not probe.fps for probe in probes):
        raise InputError([("row", "a clip of this row has no frames")])
    height = _even(min(min(probe.height for probe in probes), MAX_HEIGHT))
    widths = [_even(probe.width * height / probe.height) for probe in probes]
    longest = max(probes, key=lambda probe: probe.frames / probe.fps)
    strip_h = _even(max(28, height // 12))
    strips = [_strip(tile.label, width, strip_h) for tile, width in zip(tiles, widths, strict=True)]
    followed = [_scaled_frames(tile.path, width, height) for tile, width in zip(tiles, widths, strict=True)]
    held = [_Held(frames) for frames in followed]
    out.parent.mkdir(parents=True, exist_ok=True)
    _forget_stale(out.parent)
    # written under a name of its own, then renamed: two exports of one row at once each give a whole file, and an
    # export stopped mid-way (kill -9) leaves no truncated file under the final name
    partial = out.with_name(f".{out.stem}.{uuid.uuid4().hex[:8]}{PARTIAL}")
    try:
        with av.open(str(partial), "w", format="mp4", container_options={"movflags": "+faststart"}) as container:
            video = container.add_stream("libx264", rate=Fraction(longest.fps).limit_denominator(1001), options=X264)
            video.width, video.height, video.pix_fmt = sum(widths), height + strip_h, "yuv420p"
            audio = _copy_audio(tiles[audio_from].path, container) if audio_from is not None else None
            for i in range(longest.frames):
                seconds = i / longest.fps
                columns = [np.vstack([tile.at(int(seconds * probe.fps + 1e-6)), strip])
                           for tile, probe, strip in zip(held, probes, strips, strict=True)]
                for packet in video.encode(av.VideoFrame.from_ndarray(np.hstack(columns), format="rgb24")):
                    container.mux(packet)
            for packet in video.encode():
                container.mux(packet)
            if audio is not None:
                stream, frames = audio
                for audio_frame in frames:
                    audio_frame.pts = None
                    for packet in stream.encode(audio_frame):
                        container.mux(packet)
                for packet in stream.encode():
                    container.mux(packet)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
        for frames in followed:
            frames.close()  # each closes its file, even when the export stopped early
    return out


def _forget_stale(directory: Path) -> None:
    """Partial exports left by a process that died mid-export, an hour or more ago (none is still being written)."""
    for stale in directory.glob(f".*{PARTIAL}"):
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > STALE_S:
                stale.unlink()


class RowExports:
    """A row of a batch — the one on the page, or one kept on disk (`/export_row`) — as a side-by-side MP4."""

    def __init__(self, kept: KeptBatches, voting: Voting, directory: Path):
        self.kept, self.voting, self.directory = kept, voting, directory

    def for_page(self, snapshot: BatchSnapshot | None, row: str, blind: bool, audio: str | None, judge: str = "") -> Path:
        """The row as the page shows it: blind letters (no names) until it has a vote; ``audio`` a label or None."""
        if snapshot is None or not snapshot.done or row not in snapshot.rows():
            raise InputError([("row", "choose a row of a finished comparison")])
        revealed = self.voting.revealed(snapshot, judge)
        return self._write(snapshot, row, shown_cells(snapshot, row, blind, revealed), blind and row not in revealed,
                           audio)

    def by_id(self, batch_id: str, row: str, audio: str | None, visitor: Visitor) -> Path:
        """`/export_row`: a kept batch of the caller's, clips lettered as `/compare` listed them, names shown."""
        snapshot = self.kept.get(batch_id, visitor).snapshot
        key = row_key(snapshot, row)
        return self._write(snapshot, key, lettered(snapshot, key), False, (audio or "").strip().upper() or None)

    def _write(self, snapshot: BatchSnapshot, row: str, labelled: Labelled, hidden: bool, audio: str | None) -> Path:
        finished = [(label, cell) for label, cell in labelled
                    if cell.status is CellStatus.COMPLETED and cell.run.video_path and Path(cell.run.video_path).is_file()]
        if not finished:
            raise InputError([("row", "this row has no finished clip on disk to export")])
        labels = [label for label, _ in finished]
        if audio not in (None, "", "NONE", "none") and audio not in labels:
            raise InputError([("audio", f"the sound of one of {labels}, or none")])
        tiles = [Tile(Path(cell.run.video_path), label if hidden else
                      f"{cell.label} · seed {cell.seed} · ${cell.run.estimated_cost_usd or 0:.4f}")
                 for label, cell in finished]
        sound = labels.index(audio) if audio in labels else None
        name = f"{snapshot.batch_id}-{row}-{'blind' if hidden else 'named'}-{'silent' if sound is None else sound}"
        return side_by_side(tiles, self.directory / f"{name}.mp4", sound)
