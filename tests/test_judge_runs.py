"""Model judges on a comparison row, against the fake fal (issue 26, must-show 1): a 4-clip row judged per clip and
as a row, priced before and billed after; an unreadable answer is that clip's judge error with its raw text; a
judge that fails or hangs leaves the generation cells and their rows as they were; offline has no judge."""

from __future__ import annotations

import asyncio
import json
import math

import pandas as pd
import pytest

from playground.config import FalSettings
from playground.errors import InputError
from playground.record import Status
from playground.service import Playground
from playground.visitor import Visitor

from conftest import LITE_T2V, PRO_FAST_T2V, PRO_T2V, SERVER_KEY, V2_FAST_T2V
from fake_fal import Script

ENDPOINTS = [LITE_T2V, PRO_FAST_T2V, PRO_T2V, V2_FAST_T2V]
PER_CLIP, ROW = "fal-ai/video-understanding", "openrouter/router/video"
PROMPT = "A red kite over a green hill"
ME = Visitor(session="s-judge-runs-test")


def _score(value: int, reason: str = "fine") -> dict:
    return {"score": value, "reason": reason}


def clip_answer(adherence: int, sound: bool = False) -> dict:
    return {"present": ["kite"], "missing": ["hill"], "adherence": _score(adherence, "kite seen"),
            "artifacts": _score(4), "motion": _score(3), "sound": _score(3) if sound else None}


def _compare(playground: Playground, endpoints: list[str], duration: str) -> dict:
    async def run():
        spec = {"prompts": [PROMPT], "endpoints": endpoints, "seeds": [7],
                "arguments": {"resolution": "480p", "duration": duration}}
        return [answer async for answer in playground.comparisons.run(spec, ME)][-1]
    return asyncio.run(run())


def _batch(playground: Playground):
    final = _compare(playground, ENDPOINTS, "5")
    assert final["counts"]["completed"] == 4, [c["error"] for c in final["cells"]]
    snapshot = playground.comparisons.kept.get(final["batch_id"], ME).snapshot
    (row,) = snapshot.rows()
    return snapshot, row


def _judge(playground, snapshot, row, name=""):
    return asyncio.run(playground.comparisons.judging.judge(snapshot, row, name, ME))


def _judge_name(playground, endpoint_id):
    return next(n for n in playground.comparisons.judging.names()
                if playground.comparisons.judging.judges.get(n).endpoint.endpoint_id == endpoint_id)


def _verdict(playground, snapshot, row, name):
    return playground.comparisons.judging.verdicts(snapshot.batch_id)[(snapshot.batch_id, row, name)]


def _generation_rows(playground, batch_id) -> pd.DataFrame:
    rows = playground.results.read()
    return rows[rows.batch_id == batch_id].sort_values("run_id").reset_index(drop=True)


def _judge_bodies(fake_fal, endpoint_id):
    return [json.loads(s.body) for s in fake_fal.seen("POST") if s.path == f"/{endpoint_id}"]


def test_a_row_judged_per_clip_gives_four_rubrics_a_pick_and_its_cost_before_and_after(fal_playground, fake_fal):
    snapshot, row = _batch(fal_playground)
    cells = {cell.run.video_url: cell for cell in snapshot.rows()[row]}
    best = cells[next(u for u, c in cells.items() if c.endpoint_id == PRO_T2V)]
    # a model that looks: the clip of 1.0 Pro gets adherence 5, the others 2
    fake_fal.by_endpoint[PER_CLIP] = Script(answer=lambda body: json.dumps(
        clip_answer(5 if body["video_url"] == best.run.video_url else 2)), billable_units="1")
    name = _judge_name(fal_playground, PER_CLIP)
    quote = fal_playground.comparisons.judging.quote(snapshot, row, name, ME)
    blocks = sum(math.ceil(cell.run.duration_s / 5 - 1e-9) for cell in snapshot.rows()[row])
    assert quote.price.usd == pytest.approx(0.01 * blocks)  # $0.01 per 5 s of video, each clip
    assert "$" in quote.said and name in quote.said.replace("\\", "")  # (Markdown-escaped in the line)

    records = _judge(fal_playground, snapshot, row, name)
    assert [r.status for r in records] == [Status.COMPLETED] * 4, [r.error for r in records]
    bodies = _judge_bodies(fake_fal, PER_CLIP)
    assert sorted(b["video_url"] for b in bodies) == sorted(cells)  # each clip by its fal URL, once
    assert all(PROMPT in b["prompt"] and "video_urls" not in b for b in bodies)
    verdict = _verdict(fal_playground, snapshot, row, name)
    assert len(verdict.clips) == 4 and all(clip.rubric is not None for clip in verdict.clips)
    assert {clip.endpoint_id: clip.rubric.adherence.score for clip in verdict.clips} == {
        e: 5 if e == PRO_T2V else 2 for e in ENDPOINTS}
    assert verdict.pick == PRO_T2V
    assert verdict.estimated_usd == pytest.approx(quote.price.usd)
    assert verdict.billed_usd == pytest.approx(4 * 1 * 0.01)  # one billed unit per call at $0.01


def test_a_row_judged_in_one_call_gives_four_rubrics_and_the_judges_pick(fal_playground, fake_fal):
    snapshot, row = _batch(fal_playground)
    answer = {"clips": [{"clip": n, **clip_answer(n)} for n in (1, 2, 3, 4)], "best": 3, "reason": "clearest kite"}
    fake_fal.by_endpoint[ROW] = Script(output=json.dumps(answer))
    name = _judge_name(fal_playground, ROW)
    records = _judge(fal_playground, snapshot, row, name)
    assert [r.status for r in records] == [Status.COMPLETED]
    (body,) = _judge_bodies(fake_fal, ROW)
    urls = body["video_urls"]
    assert len(urls) == 4 and body["model"] and body["system_prompt"] and PROMPT in body["prompt"]
    maker = {cell.run.video_url: cell.endpoint_id for cell in snapshot.rows()[row]}
    verdict = _verdict(fal_playground, snapshot, row, name)
    assert verdict.pick == maker[urls[2]]  # "best": 3 is the third video the judge was given
    assert {c.endpoint_id: c.rubric.adherence.score for c in verdict.clips} == {maker[u]: n for n, u in
                                                                                enumerate(urls, 1)}
    assert verdict.why == "clearest kite" and verdict.estimated_usd > 0


def test_an_unreadable_answer_is_that_clips_judge_error_with_the_raw_text(fal_playground, fake_fal):
    snapshot, row = _batch(fal_playground)
    cells = snapshot.rows()[row]
    odd = cells[1].run.video_url
    raw = "Sure! I'd give this one a 4 out of 5. {adherence: 4}"
    fake_fal.by_endpoint[PER_CLIP] = Script(answer=lambda body: raw if body["video_url"] == odd else json.dumps(
        clip_answer(4)))
    name = _judge_name(fal_playground, PER_CLIP)
    _judge(fal_playground, snapshot, row, name)
    verdict = _verdict(fal_playground, snapshot, row, name)
    broken = [c for c in verdict.clips if c.rubric is None]
    assert [c.endpoint_id for c in broken] == [cells[1].endpoint_id]
    assert broken[0].raw == raw and broken[0].problem  # kept exactly as it came, and said why
    assert sum(c.rubric is not None for c in verdict.clips) == 3
    assert verdict.pick is None  # no pick made up over a clip the judge did not say anything readable about


@pytest.mark.parametrize("case, script, timeout_s", [
    ("5xx", Script(submit_fault_always=(500, {"detail": "internal error"}, {})), 20),
    ("hang", Script(hold=True), 3),
])
def test_a_judge_that_fails_or_hangs_is_a_judge_error_and_the_generation_cells_are_untouched(
        tmp_path, catalog, fake_fal, case, script, timeout_s):
    playground = Playground(catalog, tmp_path / "data", "auto", server_key=SERVER_KEY,
                            fal_settings=FalSettings(timeout_s=timeout_s, cancel_timeout_s=2))
    snapshot, row = _batch(playground)
    before = _generation_rows(playground, snapshot.batch_id)
    fake_fal.by_endpoint[PER_CLIP] = script
    name = _judge_name(playground, PER_CLIP)
    records = _judge(playground, snapshot, row, name)
    assert all(r.status in (Status.FAILED, Status.TIMED_OUT) for r in records), case
    verdict = _verdict(playground, snapshot, row, name)
    assert all(c.rubric is None and c.problem for c in verdict.clips) and verdict.pick is None
    pd.testing.assert_frame_equal(_generation_rows(playground, snapshot.batch_id), before)
    again = playground.comparisons.kept.get(snapshot.batch_id, ME).snapshot
    assert [c.status for c in again.cells] == [c.status for c in snapshot.cells]


def test_the_offline_backend_has_no_judge_and_says_why(playground):
    final = _compare(playground, ENDPOINTS[:2], "2")
    snapshot = playground.comparisons.kept.get(final["batch_id"], ME).snapshot
    (row,) = snapshot.rows()
    quote = playground.comparisons.judging.quote(snapshot, row, "", ME)
    assert quote.price is None and "No judge" in quote.said and "fal key" in quote.said
    with pytest.raises(InputError, match="judge"):
        _judge(playground, snapshot, row)
    assert (playground.results.read().judged == "").all()  # nothing was run or logged


def test_judge_calls_in_flight_when_the_app_stops_are_recovered_into_a_verdict(tmp_path, catalog, fake_fal):
    data = tmp_path / "data"
    playground = Playground(catalog, data, "auto", server_key=SERVER_KEY, fal_settings=FalSettings(timeout_s=30))
    snapshot, row = _batch(playground)
    fake_fal.by_endpoint[PER_CLIP] = Script(hold=True, output=json.dumps(clip_answer(4)))
    name = _judge_name(playground, PER_CLIP)

    async def start_then_stop():
        await playground.comparisons.judging.start(snapshot, row, name, ME)
        for _ in range(200):  # every call journaled with fal's request id
            pending = playground.journal.pending()
            if len(pending) == 4 and all(entry["request_id"] for entry in pending):
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the judge calls were not all submitted")
    asyncio.run(start_then_stop())  # leaving the loop is the app stopping under its runs
    assert (playground.results.read().judged == "").all()  # no judge row was written by the stopped process
    fake_fal.release()
    fresh = Playground(catalog, data, "auto", server_key=SERVER_KEY, fal_settings=FalSettings(timeout_s=30))
    recovered = asyncio.run(fresh.recover())
    assert len(recovered) == 4 and {r.status for r in recovered} == {Status.COMPLETED}
    verdict = _verdict(fresh, snapshot, row, name)
    assert [c.rubric.adherence.score for c in verdict.clips] == [4, 4, 4, 4] and verdict.pick == "tie"
    assert len(_judge_bodies(fake_fal, PER_CLIP)) == 4  # nothing was sent twice


def test_a_judges_picks_stand_beside_peoples_votes_on_the_leaderboard(fal_playground, fake_fal):
    snapshot, row = _batch(fal_playground)
    pro = next(cell for cell in snapshot.rows()[row] if cell.endpoint_id == PRO_T2V)
    fake_fal.by_endpoint[PER_CLIP] = Script(answer=lambda body: json.dumps(
        clip_answer(5 if body["video_url"] == pro.run.video_url else 2)))
    _judge(fal_playground, snapshot, row, _judge_name(fal_playground, PER_CLIP))
    fal_playground.comparisons.voting.vote(snapshot, row, pro.label, False, "Ada")  # a person agrees
    view = fal_playground.compare.leaderboard("fal")
    agreement = view.judges.agreement
    assert len(agreement) == 1 and int(agreement.iloc[0]["agreed"]) == 1 and int(agreement.iloc[0]["rows"]) == 1
    assert set(view.table.endpoint_id) == set(ENDPOINTS) and int(view.table.votes.max()) == 1  # people's: one vote
    assert not view.signals.empty and set(view.signals.endpoint_id) == set(ENDPOINTS)
