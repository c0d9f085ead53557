"""Signals read from an output file itself — motion, flicker, sharpness, hard cuts, loudness, silence — with no
key and no cost: one decoding pass on the CPU, which also gives the probe the output checks read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from playground.media import STATS_SIZE, MediaError, Probe

if TYPE_CHECKING:
    import av

SHARPNESS_EVERY = 12  # frames: one frame in twelve (two a second at 24 fps) is enough to judge focus
SHARPNESS_SHORT_SIDE = 720  # sampled frames are scaled to this, so 480p, 720p and 1080p compare as seen alike
CUT_MIN_CHANGE = 12.0  # grey levels (0–255) of mean change between two frames, below which no change is a cut
CUT_OVER_NEIGHBOURS = 3.0  # a cut changes at least this many times more than the median change around it
CUT_NEIGHBOURS = 12  # frames on each side whose changes are the cut's baseline
SILENCE_BELOW_DB = -60.0  # dBFS: a window quieter than this is silent (FFmpeg silencedetect's default)
SILENCE_WINDOW_S = 0.05
LOUDNESS_FLOOR_DB = -120.0  # what digital silence (RMS 0) reads as, instead of minus infinity

DEFINITIONS = {
    "motion": "Mean absolute grey-level change (0–255) between consecutive frames, each scaled to 160×90: 0 is a "
              "frozen picture.",
    "flicker": "Mean absolute amount (grey levels, 0–255) by which a frame's mean brightness departs from the "
               "average of its two neighbours', hard cuts left out: steady fades and pans score near 0, brightness "
               "that jumps back and forth scores high.",
    "sharpness": f"Variance of the Laplacian of every {SHARPNESS_EVERY}th frame in grey, scaled so its shorter side "
                 f"is {SHARPNESS_SHORT_SIDE} pixels, averaged: higher is crisper, and a blurred picture scores lower "
                 "than its sharp original.",
    "cuts": f"Frame numbers (0-based, the first frame of the new shot) where the mean grey-level change from the "
            f"frame before (as for motion) is at least {CUT_MIN_CHANGE:g} and {CUT_OVER_NEIGHBOURS:g}× the median change of the "
            f"{CUT_NEIGHBOURS} frames on each side.",
    "loudness_db": "Root mean square of every audio sample of every channel, in dBFS (a full-scale sine reads "
                   f"−3 dBFS, digital silence {LOUDNESS_FLOOR_DB:g}); empty without audio.",
    "silence": f"Share (0–1) of the audio's duration in {SILENCE_WINDOW_S * 1000:g} ms windows whose RMS is below "
               f"{SILENCE_BELOW_DB:g} dBFS; empty without audio.",
}


@dataclass(frozen=True)
class Signals:
    """What the file shows beyond the probe (each field a results-log column of the same name; DEFINITIONS)."""

    flicker: float | None  # None: fewer than three frames
    sharpness: float | None  # None: no frame
    cuts: str  # "48", "30 71", "" for none
    loudness_db: float | None  # None: no audio stream
    silence: float | None  # None: no audio stream

    def columns(self) -> dict[str, str | float | None]:
        return asdict(self)


@dataclass(frozen=True)
class Measurement:
    """One pass over a file: the probe (as media.probe_video gives it) and the signals."""

    probe: Probe
    signals: Signals


def measure(path: str | Path) -> Measurement:
    """Probe and signals in one pass with PyAV: every frame decoded (threads) and reduced to a grey thumbnail,
    every SHARPNESS_EVERY-th frame also at a large size, and the audio decoded as float samples.

    Raises MediaError (a ValueError) when the file is not a readable video: missing, empty, not a video whatever its
    name, cut short or damaged (a packet FFmpeg reads as corrupt), or without a video stream.
    """
    import av  # PyAV loads FFmpeg: imported when a video is read, not at start-up

    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.video:
                raise MediaError("not a readable video: the file has no video stream")
            video = container.streams.video[0]
            video.thread_type = "AUTO"
            audio = container.streams.audio[0] if container.streams.audio else None
            pictures, sound = _Pictures(video.codec_context.width, video.codec_context.height), _Sound()
            for packet in container.demux(*(s for s in (video, audio) if s is not None)):
                if packet.is_corrupt:  # cut short (a partial download) or damaged; threaded decoding would not say
                    raise MediaError("not a readable video: it is cut short or damaged")
                for frame in packet.decode():
                    if isinstance(frame, av.VideoFrame):
                        pictures.add(frame)
                    elif isinstance(frame, av.AudioFrame):
                        sound.add(frame)
            fps = float(video.average_rate or video.guessed_rate or 0)
            loudness, silence = sound.loudness_and_silence() if audio is not None else (None, None)
    except av.FFmpegError as exc:
        raise MediaError(f"not a readable video: {exc.strerror or exc.__class__.__name__}") from None
    frames = len(pictures.means)
    probe = Probe(width=pictures.width, height=pictures.height, fps=round(fps, 3), frames=frames,
                  duration_s=round(frames / fps, 3) if fps else 0.0, has_audio=audio is not None,
                  mean_luma=round(sum(pictures.means) / frames, 3) if frames else 0.0,
                  motion=round(sum(pictures.changes) / (frames - 1), 4) if frames > 1 else 0.0)
    cuts = hard_cuts(pictures.changes)
    signals = Signals(flicker=flicker(pictures.means, cuts),
                      sharpness=round(float(np.mean(pictures.sharpness)), 2) if pictures.sharpness else None,
                      cuts=" ".join(map(str, cuts)), loudness_db=loudness, silence=silence)
    return Measurement(probe, signals)


@dataclass
class _Pictures:
    """What the pass keeps of the picture: per frame a thumbnail's mean and its change from the one before (the
    same arithmetic as media.probe_video), and the sampled frames' sharpness."""

    width: int
    height: int
    means: list[float] = field(default_factory=list)
    changes: list[float] = field(default_factory=list)
    sharpness: list[float] = field(default_factory=list)
    previous: np.ndarray | None = None

    def add(self, frame: av.VideoFrame) -> None:
        grey = frame.reformat(width=STATS_SIZE[0], height=STATS_SIZE[1], format="gray").to_ndarray()
        grey = grey.astype(np.float32)
        if self.previous is not None:
            self.changes.append(float(np.abs(grey - self.previous).mean()))
        if len(self.means) % SHARPNESS_EVERY == 0:
            scale = SHARPNESS_SHORT_SIDE / min(frame.width, frame.height)
            large = frame.reformat(width=round(frame.width * scale), height=round(frame.height * scale), format="gray")
            self.sharpness.append(laplacian_variance(large.to_ndarray()))
        self.means.append(float(grey.mean()))
        self.previous = grey


class _Sound:
    """The audio as float samples, one row per channel (FFmpeg's resampler converts whatever the decoder gives)."""

    def __init__(self) -> None:
        import av

        self.resampler = av.AudioResampler(format="fltp")  # the stream's own layout and rate
        self.chunks: list[np.ndarray] = []
        self.rate = 0

    def add(self, frame: av.AudioFrame | None) -> None:
        """One decoded frame (None: the end, to flush the resampler)."""
        for converted in self.resampler.resample(frame):
            self.chunks.append(converted.to_ndarray())
            self.rate = converted.sample_rate

    def loudness_and_silence(self) -> tuple[float, float]:
        """(loudness_db, silence) of everything added; a stream that gave no samples reads as silent."""
        self.add(None)
        if not self.chunks:
            return LOUDNESS_FLOOR_DB, 1.0
        samples = np.concatenate(self.chunks, axis=1).astype(np.float64)
        power = (samples**2).mean(axis=0)  # mean over channels, per sample
        starts = np.arange(0, power.size, max(1, round(self.rate * SILENCE_WINDOW_S)))
        lengths = np.diff(np.append(starts, power.size))
        window_db = _db(np.add.reduceat(power, starts) / lengths)
        silent = float(lengths[window_db < SILENCE_BELOW_DB].sum() / power.size)
        return round(float(_db(np.array([power.mean()]))[0]), 2), round(silent, 4)


def _db(power: np.ndarray) -> np.ndarray:
    """Mean power → dBFS of its RMS, with digital silence at LOUDNESS_FLOOR_DB."""
    decibels: np.ndarray = 10 * np.log10(np.maximum(power, 10 ** (LOUDNESS_FLOOR_DB / 10)))
    return decibels


def laplacian_variance(grey: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian: large where edges are crisp, small where they are smeared."""
    g = grey.astype(np.float32)
    laplacian = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4 * g[1:-1, 1:-1]
    return float(laplacian.var()) if laplacian.size else 0.0


def hard_cuts(changes: list[float]) -> list[int]:
    """The frames that start a new shot (``changes[k]``: mean change from frame k to k + 1). A change counts when
    it is large and stands out from the changes around it, so steady motion, however fast, is no cut, and a clip
    that flashes every frame has none either."""
    found = []
    for k, change in enumerate(changes):
        if change < CUT_MIN_CHANGE:
            continue
        around = changes[max(0, k - CUT_NEIGHBOURS):k] + changes[k + 1:k + 1 + CUT_NEIGHBOURS]
        if not around or change >= CUT_OVER_NEIGHBOURS * float(np.median(around)):
            found.append(k + 1)
    return found


def flicker(means: list[float], cuts: list[int]) -> float | None:
    """Mean absolute departure of each frame's mean brightness from the average of its neighbours' (DEFINITIONS),
    leaving out the two frames beside each cut, whose departure is the cut's."""
    if len(means) < 3:
        return None
    m = np.asarray(means, dtype=np.float64)
    departure = np.abs(m[1:-1] - (m[:-2] + m[2:]) / 2)  # departure[j] is frame j + 1's
    keep = np.ones(departure.size, dtype=bool)
    for cut in cuts:
        keep[max(0, cut - 2):cut] = False  # frames cut - 1 and cut
    return round(float(departure[keep].mean()), 3) if keep.any() else None

