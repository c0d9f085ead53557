"""One row of a comparison as a single side-by-side MP4, to share a result outside the app.

Tiles are scaled to one height (the smallest clip's, at most ``MAX_HEIGHT``) and keep their aspect; under each,
a label strip says what the clip is — endpoint, seed and cost, or only "Clip A" for a blind row not yet voted
on. The tiles start together at frame 0 and the video lasts as long as the longest clip, at its frame rate
and frame count; a shorter clip holds its last frame. The audio of one chosen clip (or none) goes along.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from playground.compare.grid import rows, shown_cells
from playground.compare.store import BatchStore
from playground.compare.voting import Voting, kept_batch, lettered, row_key
from playground.errors import InputError
from playground.record import Status
from playground.visitor import Visitor

MAX_HEIGHT = 720
X264 = {"preset": "veryfast", "crf": "20"}


@dataclass(frozen=True)
class Tile:
    """One clip of the row: its file and the text of its label strip."""

    path: Path
    label: str


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def _decoded(path: Path, height: int) -> tuple[list[np.ndarray], float]:
    """Every frame of a clip scaled to ``height`` (RGB), and its frame rate."""
    import av  # PyAV loads FFmpeg: imported when a video is read or written

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate or stream.guessed_rate or 24)
        width = _even(stream.codec_context.width * height / stream.codec_context.height)
        frames = [frame.to_ndarray(format="rgb24", width=width, height=height) for frame in container.decode(stream)]
    if not frames:
        raise InputError([("row", f"{path.name} has no frames")])
    return frames, rate


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
    heights = []
    for tile in tiles:
        with av.open(str(tile.path)) as container:
            heights.append(container.streams.video[0].codec_context.height)
    height = _even(min(min(heights), MAX_HEIGHT))
    decoded = [_decoded(tile.path, height) for tile in tiles]
    longest = max(range(len(decoded)), key=lambda i: len(decoded[i][0]) / decoded[i][1])
    rate = decoded[longest][1]
    count = len(decoded[longest][0])
    strip_h = _even(max(28, height // 12))
    strips = [_strip(tile.label, frames[0].shape[1], strip_h) for tile, (frames, _) in zip(tiles, decoded, strict=True)]
    width = sum(frames[0].shape[1] for frames, _ in decoded)
    out.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(out), "w", container_options={"movflags": "+faststart"}) as container:
        video = container.add_stream("libx264", rate=Fraction(rate).limit_denominator(1001), options=X264)
        video.width, video.height, video.pix_fmt = width, height + strip_h, "yuv420p"
        audio = _copy_audio(tiles[audio_from].path, container) if audio_from is not None else None
        for i in range(count):
            seconds = i / rate
            columns = [np.vstack([frames[min(len(frames) - 1, int(seconds * own_rate + 1e-6))], strip])
                       for (frames, own_rate), strip in zip(decoded, strips, strict=True)]
            frame = av.VideoFrame.from_ndarray(np.hstack(columns), format="rgb24")
            for packet in video.encode(frame):
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
    return out


class RowExports:
    """A row of a batch — the one on the page, or one kept on disk (`/export_row`) — as a side-by-side MP4."""

    def __init__(self, store: BatchStore, voting: Voting, directory: Path):
        self.store, self.voting, self.directory = store, voting, directory

    def for_page(self, snapshot: dict[str, Any] | None, row: str, blind: bool, audio: str | None) -> Path:
        """The row as the page shows it: blind letters (no names) until it has a vote; ``audio`` a label or None."""
        if not snapshot or not snapshot.get("done") or row not in rows(snapshot):
            raise InputError([("row", "choose a row of a finished comparison")])
        revealed = self.voting.revealed(snapshot)
        return self._write(snapshot, row, shown_cells(snapshot, row, blind, revealed), blind and row not in revealed,
                           audio)

    def by_id(self, batch_id: str, row: str, audio: str | None, visitor: Visitor) -> Path:
        """`/export_row`: a kept batch of the caller's, clips lettered as `/compare` listed them, names shown."""
        snapshot = kept_batch(self.store, batch_id, visitor)["snapshot"]
        key = row_key(snapshot, row)
        return self._write(snapshot, key, lettered(snapshot, key), False, (audio or "").strip().upper() or None)

    def _write(self, snapshot: dict[str, Any], row: str, labelled: list[tuple[str, dict[str, Any]]], hidden: bool,
               audio: str | None) -> Path:
        finished = [(label, cell) for label, cell in labelled
                    if cell["status"] == Status.COMPLETED and cell.get("video_path") and Path(cell["video_path"]).is_file()]
        if not finished:
            raise InputError([("row", "this row has no finished clip on disk to export")])
        labels = [label for label, _ in finished]
        if audio not in (None, "", "NONE", "none") and audio not in labels:
            raise InputError([("audio", f"the sound of one of {labels}, or none")])
        tiles = [Tile(Path(cell["video_path"]), label if hidden else
                      f"{cell['label']} · seed {cell['seed']} · ${cell['estimated_cost_usd'] or 0:.4f}")
                 for label, cell in finished]
        sound = labels.index(audio) if audio in labels else None
        name = f"{snapshot['batch_id']}-{row}-{'blind' if hidden else 'named'}-{'silent' if sound is None else sound}"
        return side_by_side(tiles, self.directory / f"{name}.mp4", sound)
