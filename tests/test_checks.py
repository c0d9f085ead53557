"""Output checks (size, frames, black, frozen, audio) and the same-seed clip comparison."""

import av
import numpy as np
import pytest

from playground.checks import BLACK_BELOW, FROZEN_BELOW, check_columns, compare_clips, output_flags
from playground.media import probe_video
from playground.render import ClipSpec, write_clip


def clip(path, frames=24, size=(320, 180), color=None, seed=3, fixed=False, noise=0):
    """A test clip: an offline preview, or flat frames of one colour, optionally with a little noise."""
    if color is None:
        return write_clip(ClipSpec(size[0], size[1], 24, frames, seed, "check me", camera_fixed=fixed), path)
    rng = np.random.default_rng(seed)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24, options={"crf": "0" if noise else "23"})
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv444p" if noise else "yuv420p"
        for _ in range(frames):
            pixels = np.full((size[1], size[0], 3), color, np.int16)
            if noise:
                pixels += rng.integers(-noise, noise + 1, pixels.shape, dtype=np.int16)
            frame = av.VideoFrame.from_ndarray(np.clip(pixels, 0, 255).astype(np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


ASKED = {"width": 320, "height": 180, "fps": 24, "frames": 24}


@pytest.mark.parametrize("case, make, expected, flags", [
    ("offline preview", dict(), ASKED, []),
    ("offline, camera fixed", dict(fixed=True), ASKED, []),
    ("wrong size", dict(size=(256, 144)), ASKED, ["size 256×144, asked 320×180"]),
    ("wrong frame count", dict(frames=30), ASKED, ["30 frames, asked 24"]),
    ("black", dict(color=(0, 0, 0)), ASKED, ["black"]),
    ("frozen", dict(color=(120, 90, 60)), ASKED, ["frozen"]),
    ("length unknown (duration auto)", dict(frames=30), {**ASKED, "frames": None}, []),
])
def test_output_flags(tmp_path, case, make, expected, flags):
    probe = probe_video(clip(tmp_path / "c.mp4", **make))
    assert output_flags(probe, expected) == flags
    columns = check_columns(probe, expected)
    assert columns["checks"] == ("; ".join(flags) or "ok") and columns["has_audio"] == "false"


def test_thresholds_sit_between_real_and_broken_clips(tmp_path):
    still = probe_video(clip(tmp_path / "still.mp4", fixed=True))
    assert still.motion > FROZEN_BELOW * 2 and still.mean_luma > BLACK_BELOW * 2


@pytest.mark.parametrize("second, verdict", [
    (dict(), "identical"),
    (dict(noise=2), "near"),
    (dict(seed=99), "different"),
    (dict(frames=20), "different"),
    (dict(size=(256, 144)), "different"),
])
def test_compare_clips(tmp_path, second, verdict):
    base = dict(color=(120, 90, 60), noise=0)
    first = clip(tmp_path / "a.mp4", **base)
    other = clip(tmp_path / "b.mp4", **{**base, **second}) if "seed" not in second else clip(tmp_path / "b.mp4", seed=99)
    assert compare_clips(first, other).verdict == verdict
