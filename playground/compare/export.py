"""One row of a comparison as a single side-by-side MP4, to share a result outside the app.

Tiles are scaled to one height (the smallest clip's, at most ``MAX_HEIGHT``) and keep their aspect; under each,
a label strip says what the clip is — endpoint, seed and cost, or only "Clip A" for a blind row not yet voted
on. The tiles start together at frame 0 and the video lasts as long as the longest clip, at its frame rate
and frame count; a shorter clip holds its last frame. The audio of one chosen clip (or none) goes along.

The picture is made where ffmpeg makes it: one libavfilter graph (PyAV's ``av.filter.Graph``) decodes each clip
(``movie``), scales it, holds its last frame (``tpad``), brings it to the row's rate (``fps``) and places it above
its label (``xstack``), so Python only hands finished frames to x264 and no frame passes through numpy. The labels
are drawn once with Pillow (this FFmpeg has no ``drawtext``) and enter the graph as one still frame.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from playground.compare.cells import CellStatus
from playground.compare.grid import Labelled, shown_cells
from playground.compare.kept import KeptBatches
from playground.compare.snapshot import BatchSnapshot
from playground.compare.voting import Voting, lettered, row_key
from playground.errors import InputError
from playground.record import RunRecord
from playground.visitor import Visitor

if TYPE_CHECKING:  # PyAV itself is imported when a video is written
    from av.container import OutputContainer
    from av.filter import Graph

MAX_HEIGHT = 720
X264 = {"preset": "veryfast", "crf": "20"}
PARTIAL = ".partial.mp4"  # an export being written (or left by a process that died while writing it)
STALE_S = 3600


@dataclass(frozen=True)
class Shape:
    """What the layout needs of a clip: its size, frame rate and frame count."""

    width: int
    height: int
    fps: float
    frames: int

    @classmethod
    def of(cls, run: RunRecord) -> Shape | None:
        """As the run's record holds them (measured once when the clip was saved), or None if it lacks one."""
        if run.width and run.height and run.fps and run.frames:
            return cls(run.width, run.height, run.fps, run.frames)
        return None


@dataclass(frozen=True)
class Tile:
    """One clip of the row: its file, the text of its label strip, and its shape when already known."""

    path: Path
    label: str
    shape: Shape | None = None


def header_shape(path: Path) -> Shape:
    """A clip's shape from its container's header (the frame count from its index, else its packets): nothing is
    decoded, for a clip whose record lacks its shape."""
    import av  # PyAV loads FFmpeg: imported when a video is read or written

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or 0
            frames = stream.frames or sum(1 for packet in container.demux(stream) if packet.size)
            return Shape(stream.codec_context.width, stream.codec_context.height, float(rate), frames)
    except (av.FFmpegError, IndexError):
        raise InputError([("row", f"a clip of this row is not a readable video ({path.name})")]) from None


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


@dataclass(frozen=True)
class Layout:
    """Where everything goes: one tile height, each tile's width, the label strip's height, the row's rate and
    length (the longest clip's)."""

    height: int
    widths: list[int]
    strip_h: int
    rate: Fraction
    frames: int

    @classmethod
    def of(cls, shapes: list[Shape]) -> Layout:
        if any(shape.frames <= 0 or shape.fps <= 0 or shape.width <= 0 or shape.height <= 0 for shape in shapes):
            raise InputError([("row", "a clip of this row has no frames")])
        height = _even(min(min(shape.height for shape in shapes), MAX_HEIGHT))
        longest = max(shapes, key=lambda shape: shape.frames / shape.fps)
        return cls(height, [_even(shape.width * height / shape.height) for shape in shapes],
                   _even(max(28, height // 12)), Fraction(longest.fps).limit_denominator(1001), longest.frames)


def _strip(text: str, width: int, height: int) -> np.ndarray:
    strip = Image.new("RGB", (width, height), (24, 24, 28))
    font = ImageFont.load_default(size=max(10, int(height * 0.45)))
    draw = ImageDraw.Draw(strip)
    while draw.textlength(text, font=font) > width - 8 and len(text) > 4:
        text = text[:-2].rstrip() + "…"
    draw.text((width / 2, height / 2), text, font=font, fill=(255, 255, 255), anchor="mm")
    return np.asarray(strip, dtype=np.uint8)


def _row_graph(tiles: list[Tile], layout: Layout) -> Graph:
    """The configured graph whose one sink gives the row's frames (yuv420p, at ``layout.rate``, without end: the last
    frames held); the label band already pushed."""
    import av

    graph = av.filter.Graph()
    lefts = np.cumsum([0, *layout.widths])
    places = [f"{left}_0" for left in lefts[:-1]] + [f"0_{layout.height}"]  # the tiles in a line, the band below
    stack = graph.add("xstack", inputs=str(len(tiles) + 1), layout="|".join(places))
    for index, (tile, width) in enumerate(zip(tiles, layout.widths, strict=True)):
        try:  # an absolute path: never read as another protocol; options as a dictionary: nothing to escape
            source = graph.add("movie", filename=str(tile.path.resolve()), dec_threads="0")
        except av.FFmpegError:
            raise InputError([("row", f"a clip of this row is not a readable video ({tile.path.name})")]) from None
        chain = [source, graph.add("setpts", expr="PTS-STARTPTS"),  # every tile starts at frame 0
                 graph.add("scale", w=str(width), h=str(layout.height)), graph.add("format", pix_fmts="yuv420p"),
                 graph.add("tpad", stop="-1", stop_mode="clone"),  # a clip that has run out holds its last frame
                 graph.add("fps", fps=str(layout.rate), round="up")]  # row frame n: the clip at n ÷ rate seconds
        graph.link_nodes(*chain)
        chain[-1].link_to(stack, 0, index)
    band = graph.add_buffer(width=int(lefts[-1]), height=layout.strip_h, format=av.VideoFormat("yuv420p"),
                            time_base=1 / layout.rate)
    band.link_to(stack, 0, len(tiles))
    sink = graph.add("buffersink")
    stack.link_to(sink)
    graph.configure()
    strips = [_strip(tile.label, width, layout.strip_h) for tile, width in zip(tiles, layout.widths, strict=True)]
    labels = av.VideoFrame.from_ndarray(np.hstack(strips), format="rgb24").reformat(format="yuv420p")
    labels.pts, labels.time_base = 0, 1 / layout.rate
    band.push(labels)
    band.push(None)  # one frame, held by xstack for the whole row
    return graph


def _add_sound(source: Path, container: OutputContainer) -> None:
    """The clip's sound as AAC in ``container``, when it has any: decoded, resampled and written a frame at a time,
    before the picture (its few packets wait in the muxer's interleaving queue for the video's)."""
    import av

    with av.open(str(source)) as clip:
        if not clip.streams.audio:
            return
        rate = clip.streams.audio[0].codec_context.sample_rate or 48000
        stream = container.add_stream("aac", rate=rate, layout="stereo")
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=rate)
        for frame in clip.decode(clip.streams.audio[0]):
            for resampled in resampler.resample(frame):
                resampled.pts = None
                container.mux(stream.encode(resampled))
        for resampled in resampler.resample(None):
            resampled.pts = None
            container.mux(stream.encode(resampled))
        container.mux(stream.encode(None))


def side_by_side(tiles: list[Tile], out: Path, audio_from: int | None = None) -> Path:
    """Write the row to ``out``; ``audio_from`` is the index of the tile whose sound goes along (None: silent)."""
    import av

    if len(tiles) < 1:
        raise InputError([("row", "this row has no finished clip to export")])
    layout = Layout.of([tile.shape or header_shape(tile.path) for tile in tiles])
    graph = _row_graph(tiles, layout)
    out.parent.mkdir(parents=True, exist_ok=True)
    _forget_stale(out.parent)
    # written under a name of its own, then renamed: two exports of one row at once each give a whole file, and an
    # export stopped mid-way (kill -9) leaves no truncated file under the final name
    partial = out.with_name(f".{out.stem}.{uuid.uuid4().hex[:8]}{PARTIAL}")
    try:
        with av.open(str(partial), "w", format="mp4", container_options={"movflags": "+faststart"}) as container:
            video = container.add_stream("libx264", rate=layout.rate, options=X264)
            video.width, video.height, video.pix_fmt = sum(layout.widths), layout.height + layout.strip_h, "yuv420p"
            video.codec_context.thread_count, video.codec_context.thread_type = 0, "AUTO"  # x264's frame threads
            if audio_from is not None:
                _add_sound(tiles[audio_from].path, container)
            for index in range(layout.frames):
                try:
                    frame = graph.vpull()
                except EOFError:
                    raise InputError([("row", "a clip of this row has no frames")]) from None
                frame.pts, frame.time_base = index, 1 / layout.rate
                container.mux(video.encode(frame))
            container.mux(video.encode(None))
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
        del graph  # closes every clip's file, even when the export stopped early
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
                      f"{cell.label} · seed {cell.seed} · ${cell.run.estimated_cost_usd or 0:.4f}",
                      Shape.of(cell.run))  # the cell's own measurements: the clips are not read twice
                 for label, cell in finished]
        sound = labels.index(audio) if audio in labels else None
        name = f"{snapshot.batch_id}-{row}-{'blind' if hidden else 'named'}-{'silent' if sound is None else sound}"
        return side_by_side(tiles, self.directory / f"{name}.mp4", sound)
