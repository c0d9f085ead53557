"""Signals measured on clips made here with known properties: stillness, a hard cut, flashing, blur, silence, a
tone of known level; the probe as media.probe_video gives it; files that are not videos."""

import math

import av
import numpy as np
import pytest
from PIL import Image, ImageFilter

from playground.media import MediaError, probe_video
from playground.signals import DEFINITIONS, Measurement, Signals, measure

SIZE = (320, 180)
RATE = 48000


def write(path, pictures, sound=None, layout="mono"):
    """An H.264 MP4 of the pictures (RGB arrays, 24 fps, lossless so a still stays still) with AAC sound from float
    samples (rows: channels), as fal's outputs are made."""
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=24, options={"crf": "0", "preset": "veryfast"})
        video.width, video.height, video.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        audio = container.add_stream("aac", rate=RATE, layout=layout) if sound is not None else None
        for picture in pictures:
            for packet in video.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        if audio is not None:
            for start in range(0, sound.shape[1], 1024):
                frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(sound[:, start:start + 1024], np.float32),
                                                   format="fltp", layout=layout)
                frame.sample_rate, frame.pts = RATE, start
                for packet in audio.encode(frame):
                    container.mux(packet)
            for packet in audio.encode():
                container.mux(packet)
    return path


def texture(seed, blur=0.0, width=SIZE[0] * 2):
    """A detailed picture (coloured noise, optionally smoothed), twice as wide as a frame so a camera can pan."""
    noise = np.random.default_rng(seed).integers(0, 256, (SIZE[1], width, 3), dtype=np.uint8)
    image = Image.fromarray(noise)
    return np.asarray(image.filter(ImageFilter.GaussianBlur(blur)) if blur else image)


def scene(seed, width=SIZE[0] * 2):
    """A shot: large soft shapes of varied colour and brightness (coarse noise, enlarged), as real scenes have, twice
    as wide as a frame so a camera can pan."""
    coarse = np.random.default_rng(seed).integers(0, 256, (6, 12, 3), dtype=np.uint8)
    return np.asarray(Image.fromarray(coarse).resize((width, SIZE[1]), Image.Resampling.BICUBIC))


def flat(level):
    return np.full((SIZE[1], SIZE[0], 3), level, np.uint8)


def pan(picture, frames, step=2, start=0):
    """A camera moving right over the picture, ``step`` pixels a frame."""
    return [picture[:, start + i * step:start + i * step + SIZE[0]] for i in range(frames)]


CLIPS = {  # name → the clip's pictures, by construction
    "still": lambda: [texture(1)[:, :SIZE[0]]] * 48,
    "smooth pan": lambda: pan(scene(2), 96),
    "cut at 48": lambda: pan(scene(3), 48) + pan(scene(4), 48),
    "cut at 48, still shots": lambda: [scene(5)[:, :SIZE[0]]] * 48 + [scene(6)[:, :SIZE[0]]] * 48,
    "cuts at 30 and 71": lambda: pan(scene(7), 30) + pan(scene(8), 41, step=3) + pan(scene(9), 25),
    "flashing": lambda: [flat(40 if i % 2 else 200) for i in range(48)],
    "sharp": lambda: pan(texture(10), 24),
    "blurred": lambda: pan(texture(10, blur=2.5), 24),
}


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> dict[str, Measurement]:
    folder = tmp_path_factory.mktemp("clips")
    return {name: measure(write(folder / f"{i}.mp4", make())) for i, (name, make) in enumerate(CLIPS.items())}


@pytest.mark.parametrize("clip, cuts", [
    ("still", []), ("smooth pan", []), ("flashing", []),  # flashing every frame: no change stands out
    ("cut at 48", [48]), ("cut at 48, still shots", [48]), ("cuts at 30 and 71", [30, 71]),
])
def test_hard_cuts_are_found_where_the_shot_changes(measured, clip, cuts):
    found = [int(n) for n in measured[clip].signals.cuts.split()]
    assert len(found) == len(cuts) and all(abs(f - c) <= 1 for f, c in zip(found, cuts, strict=True)), found


def test_a_still_clip_has_no_motion_and_no_flicker(measured):
    still = measured["still"]
    assert still.probe.motion < 0.05 and still.signals.flicker < 0.05
    assert measured["smooth pan"].probe.motion > 0.5  # the camera moves: its low flicker below means something


def test_flashing_flickers_far_more_than_still_or_panning(measured):
    """Frames alternate between grey 40 and 200: each frame's mean is 160 levels from its neighbours' average in
    RGB (at least 137 in limited-range luma, 219/255 of it)."""
    flicker = {name: measured[name].signals.flicker for name in ("still", "smooth pan", "flashing")}
    assert flicker["flashing"] > 130
    assert flicker["still"] < 0.05 and flicker["smooth pan"] < 1.0


def test_a_cut_is_not_counted_as_flicker(measured):
    assert measured["cut at 48, still shots"].signals.flicker < 0.05  # two still shots and one cut between them


def test_blur_lowers_sharpness(measured):
    sharp, blurred = measured["sharp"].signals.sharpness, measured["blurred"].signals.sharpness
    assert blurred < sharp / 4  # a 2.5 px Gaussian removes nearly all pixel-level detail of noise
    assert measured["flashing"].signals.sharpness < 1  # flat grey frames have no edges at all


def sine(amplitude, seconds=2.0, channels=1, hertz=440.0):
    t = np.arange(round(seconds * RATE)) / RATE
    return np.repeat((amplitude * np.sin(2 * np.pi * hertz * t))[None, :], channels, axis=0)


def db(rms):
    return 20 * math.log10(rms)


AUDIO = [  # name, samples, layout, expected loudness (dBFS of the RMS; a sine of amplitude A has RMS A/√2), silence
    ("digital silence", np.zeros((1, 2 * RATE)), "mono", None, 1.0),
    ("tone, amplitude 0.5", sine(0.5), "mono", db(0.5 / math.sqrt(2)), 0.0),  # −9.03
    ("stereo tone, amplitude 0.25", sine(0.25, channels=2), "stereo", db(0.25 / math.sqrt(2)), 0.0),  # −15.05
    # half the time a tone, half silence: half the mean power, 3.01 dB less; half the windows silent
    ("1 s tone then 1 s silence", np.concatenate([sine(0.5, 1.0), np.zeros((1, RATE))], axis=1), "mono",
     db(0.5 / math.sqrt(2)) - 10 * math.log10(2), 0.5),
    ("faint tone, −70 dBFS", sine(math.sqrt(2) * 10 ** (-70 / 20)), "mono", -70.0, 1.0),  # under the −60 threshold
    ("quiet tone, −50 dBFS", sine(math.sqrt(2) * 10 ** (-50 / 20)), "mono", -50.0, 0.0),  # over it
]


@pytest.mark.parametrize("name, samples, layout, loudness, silence", AUDIO, ids=[a[0] for a in AUDIO])
def test_loudness_and_silence_of_known_sound(tmp_path, name, samples, layout, loudness, silence):
    signals = measure(write(tmp_path / "clip.mp4", [flat(128)] * 24, samples, layout)).signals
    if loudness is None:
        assert signals.loudness_db < -90
    else:
        assert signals.loudness_db == pytest.approx(loudness, abs=0.5)
    assert signals.silence == pytest.approx(silence, abs=0.05)


def test_without_audio_loudness_and_silence_are_empty(measured):
    signals = measured["still"].signals
    assert (signals.loudness_db, signals.silence) == (None, None)
    assert measured["still"].probe.has_audio is False


def test_the_columns_are_the_five_signals_by_name():
    signals = Signals(flicker=0.5, sharpness=120.0, cuts="48", loudness_db=-20.0, silence=0.25)
    assert signals.columns() == {"flicker": 0.5, "sharpness": 120.0, "cuts": "48", "loudness_db": -20.0,
                                 "silence": 0.25}
    assert set(signals.columns()) <= set(DEFINITIONS)


@pytest.mark.parametrize("clip", ["still", "cut at 48", "flashing"])
def test_the_probe_is_what_probe_video_reads(tmp_path, clip):
    path = write(tmp_path / "clip.mp4", CLIPS[clip](), sine(0.3, 1.5))
    ours, theirs = measure(path).probe, probe_video(path)
    for name in ("width", "height", "fps", "frames", "duration_s", "has_audio"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.frames == len(CLIPS[clip]())  # exact, as written
    assert ours.mean_luma == pytest.approx(theirs.mean_luma, abs=0.001)
    assert ours.motion == pytest.approx(theirs.motion, abs=0.0001)


def truncated(path):
    data = write(path, CLIPS["smooth pan"](), sine(0.3, 4.0)).read_bytes()
    path.write_bytes(data[: len(data) // 2])


ODD = [  # a file that is not a readable video → MediaError (a ValueError), quickly
    ("empty", lambda p: p.write_bytes(b"")),
    ("text named .mp4", lambda p: p.write_text("hello, I am not a video\n")),
    ("truncated to half", truncated),
    ("only the first 100 bytes", lambda p: (truncated(p), p.write_bytes(p.read_bytes()[:100]))),
    ("sound only", lambda p: p.write_bytes(sound_only(p))),
    ("missing", lambda p: p.unlink(missing_ok=True)),
]


def sound_only(path):
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=RATE, layout="mono")
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        frame.sample_rate, frame.pts = RATE, 0
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    return path.read_bytes()


@pytest.mark.timeout(60)  # never a hang
@pytest.mark.parametrize("name, make", ODD, ids=[o[0] for o in ODD])
def test_a_file_that_is_not_a_readable_video_raises_media_error(tmp_path, name, make):
    path = tmp_path / "clip.mp4"
    make(path)
    with pytest.raises(MediaError, match="not a readable video"):
        measure(path)


def test_every_signal_has_a_one_sentence_definition():
    assert set(Signals.__dataclass_fields__) | {"motion"} == set(DEFINITIONS)
    assert all(text.count(". ") == 0 and text.endswith(".") for text in DEFINITIONS.values())
