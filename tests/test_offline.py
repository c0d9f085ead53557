"""The offline preview backend through the service: events, exact clips, labels, camera, cross-fade, logging."""

import asyncio

import av
import numpy as np

from playground.events import Completed, InProgress, Queued, Submitted
from playground.record import RunRecord
from playground.visitor import Visitor

from conftest import LITE_I2V, LITE_T2V, data_uri, image_bytes


def _run(playground, endpoint_id, arguments):
    async def go():
        return [event async for event in playground.generate(endpoint_id, arguments)]
    return asyncio.run(go())


def _frames(path):
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def test_event_sequence_and_logged_row(playground):
    events = _run(playground, LITE_T2V, {"prompt": "x", "resolution": "480p", "duration": "2"})
    kinds = [type(e) for e in events]
    assert kinds[0] is Submitted and Queued in kinds and InProgress in kinds
    assert kinds[-2:] == [Completed, RunRecord]
    result = events[-1]
    assert isinstance(result.seed, int) and result.seed >= 0  # a random seed is chosen and returned
    row = playground.api.history(1, Visitor())[0]
    assert row["status"] == "completed" and row["seed"] == str(result.seed) and row["frames"] == "48"


def test_label_band_is_on_every_frame(playground):
    result = _run(playground, LITE_T2V, {"prompt": "x", "resolution": "480p", "duration": "2", "seed": 1})[-1]
    for frame in _frames(result.video_path)[::12]:
        band = frame[5:25, :, :].reshape(-1, 3).astype(int)
        yellow = (band[:, 0] > 180) & (band[:, 1] > 150) & (band[:, 2] < 90)
        assert yellow.sum() > 200


def test_camera_fixed_holds_still_and_pan_moves(playground):
    base = {"prompt": "x", "resolution": "480p", "duration": "2", "seed": 5}
    fixed = _frames(_run(playground, LITE_T2V, {**base, "camera_fixed": True})[-1].video_path)
    moving = _frames(_run(playground, LITE_T2V, base)[-1].video_path)
    middle = slice(60, 400)
    fixed_change = np.abs(fixed[0][middle].astype(int) - fixed[-1][middle].astype(int)).mean()
    moving_change = np.abs(moving[0][middle].astype(int) - moving[-1][middle].astype(int)).mean()
    assert fixed_change < 1.5 < moving_change


def test_cross_fade_to_end_image(playground):
    red, blue = data_uri(image_bytes(320, 180, color=(220, 20, 20))), data_uri(image_bytes(320, 180, color=(20, 20, 220)))
    result = _run(playground, LITE_I2V, {"prompt": "x", "image_url": red, "end_image_url": blue, "resolution": "480p",
                                          "duration": "2", "seed": 2})[-1]
    frames = _frames(result.video_path)
    first, last = frames[0][200:300, 300:500].mean(axis=(0, 1)), frames[-1][200:300, 300:500].mean(axis=(0, 1))
    assert first[0] > 150 > first[2] and last[2] > 150 > last[0]


def _sound(path):
    """(seconds of sound, loudest sample) of a clip's audio track, or None when it has none."""
    with av.open(str(path)) as c:
        if not c.streams.audio:
            return None
        samples = np.concatenate([f.to_ndarray().ravel() for f in c.decode(audio=0)])
        return len(samples) / c.streams.audio[0].codec_context.sample_rate, float(np.abs(samples).max())


def test_endpoints_that_make_sound_get_a_synthetic_tone_as_long_as_the_picture(playground):
    """1.5 Pro and 2.0 return sound unless generate_audio is off; the preview stands in a plain beep for it."""
    v2 = "bytedance/seedance-2.0/text-to-video"
    asked = {"prompt": "x", "resolution": "480p", "duration": "4", "seed": 3}
    pictures = []
    for endpoint_id, arguments, heard in ((v2, asked, True), (v2, {**asked, "generate_audio": False}, False),
                                          (LITE_T2V, {**asked, "duration": "2"}, False)):
        result = _run(playground, endpoint_id, arguments)[-1]
        sound = _sound(result.video_path)
        assert (sound is not None) == heard == result.has_audio, endpoint_id
        if heard:
            seconds, loudest = sound
            assert abs(seconds - result.frames / result.fps) < 0.05 and loudest > 0.1
        pictures.append(_frames(result.video_path)[::24])
    assert all(np.array_equal(a, b) for a, b in zip(*pictures[:2], strict=True))  # sound or not, the same picture
