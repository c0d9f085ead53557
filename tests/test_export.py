"""A row as one side-by-side MP4: tile sizes, length, hold-last-frame, label strips, blind rows, sound."""

import itertools
from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest

from playground.compare.export import PARTIAL, RowExports, Tile, side_by_side
from playground.compare.kept import KeptBatches
from playground.compare.snapshot import BatchSnapshot
from playground.compare.store import BatchStore
from playground.compare.voting import Voting
from playground.errors import InputError
from playground.journal import Journal
from playground.render import ClipSpec, write_clip
from playground.results import ResultsLog
from playground.votes import VotesLog

SHAPES = [(320, 180, 24, 48), (240, 240, 24, 24), (180, 320, 30, 75), (320, 180, 24, 96)]  # w, h, fps, frames


def _clips(folder):
    return [write_clip(ClipSpec(w, h, fps, n, seed=i, prompt="x"), folder / f"clip{i}.mp4")
            for i, (w, h, fps, n) in enumerate(SHAPES)]


def _decode(path):
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
        return stream.codec_context.width, stream.codec_context.height, float(stream.average_rate), frames


def _bright_columns(strip):
    """How many columns of a label strip hold text (bright pixels on the dark strip)."""
    return int((strip.max(axis=(0, 2)) > 160).sum())


def test_four_clips_side_by_side_at_one_height_for_the_longest_clip(tmp_path):
    clips = _clips(tmp_path)
    out = side_by_side([Tile(p, f"Model {i} · seed {i} · $0.1000") for i, p in enumerate(clips)], tmp_path / "row.mp4")
    width, height, fps, frames = _decode(out)
    tile_h = 180  # the smallest clip height
    tiles = [2 * round(w * tile_h / h / 2) for w, h, _, _ in SHAPES]
    assert width == sum(tiles) and fps == 24 and len(frames) == 96  # the longest clip: 4 s at 24 fps
    strip_h = height - tile_h
    assert strip_h >= 28
    edges = np.cumsum([0, *tiles])
    for left, right in itertools.pairwise(edges):
        strip = frames[0][tile_h + 2:height - 2, left:right]
        assert np.median(strip) < 60 and _bright_columns(strip) > 20  # dark strip, white text on it
    second = slice(edges[1], edges[2])  # a 1 s clip holds its last frame to the end
    assert np.abs(frames[40][:tile_h, second].astype(int) - frames[90][:tile_h, second]).mean() < 2
    assert np.abs(frames[2][:tile_h, second].astype(int) - frames[40][:tile_h, second]).mean() > 2  # it did move
    own = _decode(clips[3])[3]  # the longest clip (already 180 high) is, frame for frame, itself from frame 0
    last = slice(edges[3], edges[4])
    for k in (0, 30, 95):
        assert np.abs(frames[k][:tile_h, last].astype(int) - own[k]).mean() < 4, k
    assert np.abs(frames[30][:tile_h, last].astype(int) - own[40]).mean() > np.abs(
        frames[30][:tile_h, last].astype(int) - own[30]).mean() + 1  # not merely similar: the same instant


def _with_sound(path, seconds=2):
    """A small clip with a 440 Hz tone (2.0 and 1.5 clips have sound)."""
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = 160, 90, "yuv420p"
        audio = container.add_stream("aac", rate=48000, layout="stereo")
        for i in range(24 * seconds):
            frame = av.VideoFrame.from_ndarray(np.full((90, 160, 3), i * 4 % 255, np.uint8), format="rgb24")
            container.mux(video.encode(frame))
        container.mux(video.encode())
        t = np.arange(48000 * seconds) / 48000
        tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for start in range(0, len(tone), 1024):
            chunk = np.ascontiguousarray(np.stack([tone[start:start + 1024]] * 2))
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = 48000
            container.mux(audio.encode(frame))
        container.mux(audio.encode())
    return path


def test_the_sound_of_the_chosen_clip_goes_along_or_none(tmp_path):
    loud, quiet = _with_sound(tmp_path / "loud.mp4"), _clips(tmp_path)[0]
    tiles = [Tile(quiet, "silent one"), Tile(loud, "with sound")]
    for chosen, streams in ((None, 0), (1, 1)):
        out = side_by_side(tiles, tmp_path / f"row-{chosen}.mp4", chosen)
        with av.open(str(out)) as container:
            assert len(container.streams.audio) == streams
            if streams:
                samples = np.concatenate([f.to_ndarray().ravel() for f in container.decode(audio=0)])
                assert np.abs(samples).max() > 0.1  # the tone, not silence


def _snapshot(clips):
    cells = [{"cell": i, "row": "p1-s7", "row_label": "prompt 1 · seed 7", "prompt": "x", "seed": 7, "status": "completed",
              "endpoint_id": f"model-{i}", "label": f"Model Number {i}", "estimated_cost_usd": 0.25,
              "video_path": str(path)} for i, path in enumerate(clips)]
    return BatchSnapshot.from_dict({"batch_id": "0123456789ab", "done": True, "backend": "offline", "cells": cells})


def test_a_blind_row_not_yet_voted_shows_letters_only(tmp_path):
    clips = _clips(tmp_path)[:2]
    votes = VotesLog(tmp_path / "votes.csv")
    kept = KeptBatches(BatchStore(tmp_path / "batches"), ResultsLog(tmp_path / "results.csv"), Journal(tmp_path / "j"))
    exports = RowExports(kept, Voting(votes, kept), tmp_path / "exports")
    snapshot = _snapshot(clips)
    named = _decode(exports.for_page(snapshot, "p1-s7", False, None))[3][0]
    blind = _decode(exports.for_page(snapshot, "p1-s7", True, None))[3][0]
    strip = slice(180 + 2, None)
    named_text = _bright_columns(named[strip, :320])
    blind_text = _bright_columns(blind[strip, :320])
    assert 0 < blind_text < named_text / 2  # "Clip A" only, where the named strip reads its endpoint, seed, cost
    with pytest.raises(InputError, match="audio"):
        exports.for_page(snapshot, "p1-s7", False, "Model Number 9")
    with pytest.raises(InputError, match="row"):
        exports.for_page(replace(snapshot, done=False), "p1-s7", False, None)


def test_two_identical_exports_at_once_each_give_a_whole_file(tmp_path):
    """Two callers export the same row at the same moment (same final name): each gets a whole MP4, never one
    written over by the other mid-way."""
    from concurrent.futures import ThreadPoolExecutor

    clips = _clips(tmp_path)
    tiles = [Tile(p, f"Model {i}") for i, p in enumerate(clips)]
    out = tmp_path / "exports" / "row.mp4"
    with ThreadPoolExecutor(2) as pool:
        paths = list(pool.map(lambda _: side_by_side(tiles, out), range(2)))
    assert paths == [out, out] and len(_decode(out)[3]) == 96
    assert not list(out.parent.glob(f"*{PARTIAL}"))  # no partial left behind


def test_an_export_stopped_mid_way_leaves_nothing_under_the_final_name(tmp_path):
    """kill -9 in the middle of an export (a child process exporting long clips): the final name never holds a
    truncated file."""
    import signal
    import subprocess
    import sys
    import time

    clips = [write_clip(ClipSpec(640, 360, 24, 24 * 20, seed=i, prompt="x"), tmp_path / f"long{i}.mp4") for i in range(2)]
    out = tmp_path / "exports" / "row.mp4"
    code = ("import sys; from pathlib import Path; from playground.compare.export import Tile, side_by_side; "
            "side_by_side([Tile(Path(p), 'x') for p in sys.argv[2:]], Path(sys.argv[1]))")
    child = subprocess.Popen([sys.executable, "-c", code, str(out), *map(str, clips)], cwd=Path(__file__).parent.parent)
    deadline = time.monotonic() + 60
    while not list(out.parent.glob(f"*{PARTIAL}")) and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    assert child.poll() is None, "the export finished before it could be stopped"
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    assert not out.exists()
    assert side_by_side([Tile(p, "x") for p in clips], out) == out and len(_decode(out)[3]) == 480  # a new one works


def test_a_clip_at_another_rate_shows_the_frame_of_that_instant_then_holds_its_last(tmp_path):
    """The 30 fps clip (75 frames, 2.5 s) in a 24 fps row: row frame n shows clip frame ⌊n × 30 / 24⌋ (the frame
    on screen at n / 24 s), and from 2.5 s on its last frame, 74."""
    clips = _clips(tmp_path)
    out = side_by_side([Tile(p, "x") for p in clips], tmp_path / "row.mp4")
    frames, tile_h = _decode(out)[3], 180
    width = 2 * round(180 * tile_h / 320 / 2)  # 102
    left = 2 * round(320 * tile_h / 180 / 2) + 2 * round(240 * tile_h / 240 / 2)  # after the 320 and 180 wide tiles
    with av.open(str(clips[2])) as container:
        own = [f.to_ndarray(format="rgb24", width=width, height=tile_h) for f in container.decode(video=0)]
    for n, expected in ((0, 0), (8, 10), (20, 25), (45, 56), (59, 73), (70, 74), (95, 74)):
        tile = frames[n][:tile_h, left:left + width].astype(int)
        nearest = min(range(len(own)), key=lambda k: np.abs(tile - own[k]).mean())
        assert nearest == expected, (n, nearest)


def test_header_shape_reads_size_rate_and_frames_without_decoding(tmp_path):
    from playground.compare.export import Shape, header_shape

    for path, (w, h, fps, n) in zip(_clips(tmp_path), SHAPES, strict=True):
        assert header_shape(path) == Shape(w, h, float(fps), n)


def test_the_cells_own_shapes_are_used_and_a_clip_without_one_is_read_from_its_header(tmp_path, monkeypatch):
    """Each cell's run already holds its clip's size, rate and frame count (measured when it was saved): the export
    reads no clip to learn them. A cell without them (an older record) has its clip's header read, once."""
    import playground.compare.export as export

    clips = _clips(tmp_path)[:2]
    snapshot = _snapshot(clips)
    asked = []
    monkeypatch.setattr(export, "header_shape", lambda path: asked.append(path) or export.Shape(320, 180, 24.0, 48))
    measured = [dict(width=w, height=h, fps=float(fps), frames=n) for w, h, fps, n in SHAPES[:2]]
    cells = [replace(cell, run=replace(cell.run, **shape)) for cell, shape in zip(snapshot.cells, measured, strict=True)]
    kept = KeptBatches(BatchStore(tmp_path / "batches"), ResultsLog(tmp_path / "results.csv"), Journal(tmp_path / "j"))
    exports = RowExports(kept, Voting(VotesLog(tmp_path / "votes.csv"), kept), tmp_path / "exports")
    width, height, _, frames = _decode(exports.for_page(replace(snapshot, cells=cells), "p1-s7", False, None))
    assert asked == [] and (width, len(frames)) == (320 + 180, 48)
    cells[1] = replace(cells[1], run=replace(cells[1].run, frames=None))
    exports.for_page(replace(snapshot, cells=cells), "p1-s7", False, None)
    assert asked == [clips[1]]


@pytest.mark.parametrize("shape", [None, (320, 180, 24.0, 48)])
def test_a_file_that_is_not_a_video_is_refused_with_its_name_and_nothing_is_written(tmp_path, shape):
    from playground.compare.export import Shape

    bogus = tmp_path / "notes.mp4"
    bogus.write_text("not a video at all")
    good = _clips(tmp_path)[0]
    out = tmp_path / "exports" / "row.mp4"
    with pytest.raises(InputError, match="notes.mp4"):
        side_by_side([Tile(good, "a"), Tile(bogus, "b", Shape(*shape) if shape else None)], out)
    assert not out.exists() and not list(tmp_path.glob(f"**/*{PARTIAL}"))
