"""Keeping a finished result: a clip measured once (probe + signals) by the measure it is given, a measuring
failure noted on the row without a server path, and a judge's text answer kept whole with fal's reported cost."""

from __future__ import annotations

import asyncio
import errno
import math
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from playground.config import FalSettings
from playground.events import Completed
from playground.media import MediaError, Probe
from playground.outputs import Outputs, reported_cost
from playground.record import RunRecord, Status
from playground.signals import Measurement, Signals

PROBE = Probe(width=64, height=48, fps=24.0, frames=48, duration_s=2.0, has_audio=False, mean_luma=90.0, motion=3.0)
SIGNALS = Signals(flicker=0.5, sharpness=120.0, cuts="12", loudness_db=None, silence=None)


def _complete(tmp_path: Path, measure, record: RunRecord | None = None, result: dict | None = None) -> RunRecord:
    folder = tmp_path / "outputs"
    folder.mkdir(exist_ok=True)
    clip = folder / "r1.mp4"
    clip.write_bytes(b"not looked at: the measure is a stand-in")
    record = record or RunRecord(run_id="r1", endpoint_id="e", estimated_cost_usd=0.1)
    outputs = Outputs(folder, FalSettings(), lambda _: 0.01, measure)
    completed = Completed("q1", result if result is not None else {"video": {"url": clip.as_uri()}})
    asyncio.run(outputs.complete(record, completed, {}, asyncio.Event(), math.inf, ()))
    return record


def test_the_measure_given_fills_the_probe_and_the_signal_columns(tmp_path):
    async def measured(path: Path) -> Measurement:
        assert path.name == "r1.mp4"
        return Measurement(PROBE, SIGNALS)

    record = _complete(tmp_path, measured)
    assert record.status == Status.COMPLETED and (record.width, record.frames, record.motion) == (64, 48, 3.0)
    assert (record.flicker, record.sharpness, record.cuts, record.loudness_db) == (0.5, 120.0, "12", None)
    assert record.checks  # checked against what was asked, as before


@pytest.mark.parametrize("failure, words", [
    (OSError(errno.EIO, "Input/output error", "/srv/secret-data/outputs/r1.mp4"), "r1.mp4"),
    (MediaError("not a readable video: it is cut short or damaged"), "cut short"),
    (BrokenProcessPool("A process in the process pool was terminated abruptly"), "measuring process stopped"),
])
def test_a_clip_that_cannot_be_measured_is_noted_without_a_server_path(tmp_path, failure, words):
    async def measured(path: Path) -> Measurement:
        raise failure

    record = _complete(tmp_path, measured)
    assert record.status == Status.COMPLETED and record.video_path  # paid for and kept all the same
    assert "could not be read" in record.error and words in record.error and "/srv" not in record.error


def test_a_judges_answer_is_kept_whole_with_the_cost_fal_reports(tmp_path):
    async def never(path: Path) -> Measurement:
        raise AssertionError("a judge's answer has no clip to measure")

    answer = "{\"best\": 1}\n\u2028 \ud800 " + "x" * 200_000
    record = _complete(tmp_path, never, RunRecord(run_id="j1", endpoint_id="openrouter/router/video",
                                                   judged='{"batch": "b"}'),
                       {"output": answer, "usage": {"cost": 0.00123}})
    assert record.status == Status.COMPLETED and record.output_text.startswith('{"best": 1}')
    assert len(record.output_text) > 200_000 and "\ud800" not in record.output_text  # escaped, not lost
    assert record.billed_cost_usd == pytest.approx(0.00123) and not record.video_path


@pytest.mark.parametrize("result, cost", [
    ({"usage": {"cost": 0.5}}, 0.5), ({"usage": {"cost": "0.5"}}, None), ({"usage": {"cost": True}}, None),
    ({"usage": {"cost": -1}}, None), ({"usage": {"cost": float("nan")}}, None), ({"usage": {"cost": 1e9}}, None),
    ({"usage": None}, None), ({}, None),
])
def test_a_reported_cost_is_taken_only_when_it_can_be_one(result, cost):
    assert reported_cost(result) == cost
