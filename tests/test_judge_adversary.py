"""Issue 26's judges and signals attacked from outside (core and gradio_client level, on the fake fal): hostile judge
answers (markup, 1 MB, lone surrogates, every line break, not an object), the caps in public mode, a blind row judged
through the API and seen by someone who has not voted, clips whose fal URL expired, several judges and attempts on a
row, a failed cell, an extended batch, odd clips measured (and their worker killed), and the Leaderboard's judges."""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from playground.service import Playground
from playground.visitor import Visitor

from conftest import LITE_T2V, PRO_FAST_T2V, PRO_T2V, V2_FAST_T2V
from fake_fal import Script

PER_CLIP, ROW = "fal-ai/video-understanding", "openrouter/router/video"
ENDPOINTS = [LITE_T2V, PRO_FAST_T2V, PRO_T2V, V2_FAST_T2V]
ME = Visitor(session="s-judge-adversary")
XSS = '<img src=x onerror=alert(1)></details><script>alert(2)</script>'
EVERY_LINE_BREAK = ("\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _score(value: int, reason: str = "fine") -> dict:
    return {"score": value, "reason": reason}


def clip_answer(adherence: int = 4, reason: str = "fine", present=("kite",), missing=("hill",)) -> dict:
    return {"present": list(present), "missing": list(missing), "adherence": _score(adherence, reason),
            "artifacts": _score(4), "motion": _score(3), "sound": None}


def _compare(playground: Playground, endpoints: list[str], visitor: Visitor = ME, seeds=(7,), extend: str = "",
             prompt: str = "A red kite over a green hill") -> dict:
    async def run():
        spec = {"prompts": [prompt], "endpoints": endpoints, "seeds": list(seeds),
                "arguments": {"resolution": "480p", "duration": "2"}}
        if extend:
            spec["extend"] = extend
        return [answer async for answer in playground.comparisons.run(spec, visitor)][-1]
    return asyncio.run(run())


def _batch(playground: Playground, endpoints=ENDPOINTS, visitor: Visitor = ME):
    final = _compare(playground, endpoints, visitor)
    snapshot = playground.comparisons.kept.get(final["batch_id"], visitor).snapshot
    (row,) = snapshot.rows()
    return snapshot, row


def _judge_name(playground, endpoint_id: str) -> str:
    judging = playground.comparisons.judging
    return next(n for n in judging.names() if judging.judges.get(n).endpoint.endpoint_id == endpoint_id)


def _judge(playground, snapshot, row, name, visitor: Visitor = ME):
    return asyncio.run(playground.comparisons.judging.judge(snapshot, row, name, visitor))


def _verdict(playground, snapshot, row, name):
    return playground.comparisons.judging.verdicts(snapshot.batch_id)[(snapshot.batch_id, row, name)]


def _grid(playground, snapshot, row, judge="someone", blind=False) -> str:
    return playground.comparisons.view(snapshot, blind, lambda path: path, row, judge).grid


def _judge_rows(playground):
    rows = playground.results.read()
    return rows[rows.judged != ""]


def _judge_bodies(fake_fal, endpoint_id):
    return [json.loads(s.body) for s in fake_fal.seen("POST") if s.path == f"/{endpoint_id}"]


# -- hostile answers ---------------------------------------------------------------------------------------------
HOSTILE = [  # (case, the answer text as the model gives it, whether it must read as a rubric)
    ("markup in reasons and elements", json.dumps(clip_answer(4, XSS, present=[XSS], missing=["</details>"])), True),
    ("1 MB answer", "x" * 1_000_000, False),
    ("1 MB of markup", XSS * (1_000_000 // len(XSS)), False),
    ("lone surrogate escaped in JSON", json.dumps(clip_answer(4, "bad \ud800 text")), True),
    ("lone surrogate as a character", "not json \ud800 " + XSS, False),
    ("every line break in a reason", json.dumps(clip_answer(4, "a".join(EVERY_LINE_BREAK))), True),
    ("a JSON array", json.dumps([clip_answer(4)]), False),
    ("null", "null", False),
    ("numbers as strings", json.dumps({**clip_answer(4), "adherence": {"score": "4", "reason": "r"}}), False),
    ("a fence that does not close", "```json\n" + json.dumps(clip_answer(4)), False),
    ("empty", "", False),
    ("NUL, bare CR and quotes", 'a "quoted"\x00 answer\rwith, commas\r\n"', False),
    ("a reason with NUL and a bare CR", json.dumps(clip_answer(4, 'say "hi"\x00\rthen, go')), True),
]


@pytest.mark.parametrize("case, answer, readable", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_answer_is_escaped_on_the_page_and_kept_whole_in_the_log(tmp_path, catalog, fal_playground,
                                                                          fake_fal, case, answer, readable):
    snapshot, row = _batch(fal_playground, ENDPOINTS[:2])
    fake_fal.by_endpoint[PER_CLIP] = Script(output=answer)
    name = _judge_name(fal_playground, PER_CLIP)
    records = _judge(fal_playground, snapshot, row, name)
    assert [r.status.value for r in records] == ["completed", "completed"], [r.error for r in records]
    verdict = _verdict(fal_playground, snapshot, row, name)
    assert all((clip.rubric is not None) is readable for clip in verdict.clips), [c.problem for c in verdict.clips]
    if not readable:
        assert all(clip.problem for clip in verdict.clips) and verdict.pick is None
    grid = _grid(fal_playground, snapshot, row)
    grid.encode("utf-8")  # a page can carry it (no lone surrogate)
    for hostile in ("<img", "<script", "onerror=alert(1)>"):
        assert hostile not in grid, case
    assert grid.count("<details>") == grid.count("</details>")  # no answer closes the page's own blocks
    for line_break in ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"):
        assert all(line_break not in c.rubric.adherence.reason for c in verdict.clips if c.rubric)
    stored = answer.encode("utf-8", "backslashreplace").decode("utf-8")  # surrogates escaped, nothing else changed
    fresh = Playground(catalog, fal_playground.data_dir, "offline")  # read back from the CSV on disk
    logged = _judge_rows(fresh)
    assert len(logged) == 2 and (logged.output_text == stored).all(), case
    assert fresh.results.set_aside_note() == ""  # nothing set aside



def _row_answer(clips, best=1, reason="r") -> str:
    return json.dumps({"clips": clips, "best": best, "reason": reason})


ROW_HOSTILE = [  # (case, the whole-row judge's answer for a row of two clips)
    ("a clip missing", _row_answer([{"clip": 1, **clip_answer()}])),
    ("a clip judged twice", _row_answer([{"clip": 1, **clip_answer()}, {"clip": 1, **clip_answer()}])),
    ("clips as an object", json.dumps({"clips": {"1": clip_answer()}, "best": 1, "reason": "r"})),
    ("best as a string", _row_answer([{"clip": n, **clip_answer()} for n in (1, 2)], best="1")),
    ("best out of range", _row_answer([{"clip": n, **clip_answer()} for n in (1, 2)], best=3)),
    ("clip numbers as strings", _row_answer([{"clip": str(n), **clip_answer()} for n in (1, 2)])),
    ("markup in the reason and the frame", _row_answer([{"clip": 1, **clip_answer()}], reason=XSS) + XSS),
    ("a JSON array", json.dumps([{"clip": 1, **clip_answer()}])),
]


@pytest.mark.parametrize("case, answer", ROW_HOSTILE, ids=[h[0] for h in ROW_HOSTILE])
def test_a_whole_row_answer_of_the_wrong_shape_is_no_verdict_and_is_kept_whole(fal_playground, fake_fal, case,
                                                                               answer):
    snapshot, row = _batch(fal_playground, ENDPOINTS[:2])
    fake_fal.by_endpoint[ROW] = Script(output=answer)
    name = _judge_name(fal_playground, ROW)
    (record,) = _judge(fal_playground, snapshot, row, name)
    assert record.status.value == "completed", record.error
    verdict = _verdict(fal_playground, snapshot, row, name)
    assert verdict.pick is None and all(c.rubric is None and c.raw == answer for c in verdict.clips), case
    grid = _grid(fal_playground, snapshot, row)
    assert "<img" not in grid and "<script" not in grid and grid.count("<details>") == grid.count("</details>")
    assert "no pick" in grid
    assert _judge_rows(fal_playground).output_text.tolist() == [answer]

# -- caps in public mode ------------------------------------------------------------------------------------------
def _public(catalog, data, **caps) -> Playground:
    from playground.config import FalSettings, PublicMode

    from conftest import SERVER_KEY
    public = PublicMode(**{"on": True, "share_server_key": True, "session_cap_usd": 5.0, "daily_cap_usd": 10.0,
                           "session_concurrency": 2, **caps})
    return Playground(catalog, data, "auto", server_key=SERVER_KEY, public=public,
                      fal_settings=FalSettings(timeout_s=20, cancel_timeout_s=5))


def _made_in_private(tmp_path, catalog, endpoints=ENDPOINTS):
    """A finished row made without caps; the same data directory then served in public mode."""
    from playground.config import FalSettings

    from conftest import SERVER_KEY
    private = Playground(catalog, tmp_path / "data", "auto", server_key=SERVER_KEY,
                         fal_settings=FalSettings(timeout_s=20, cancel_timeout_s=5))
    return _batch(private, endpoints)


def test_a_judge_over_the_visitors_cap_is_refused_before_anything_is_sent(tmp_path, catalog, fake_fal):
    from playground.errors import LimitError

    snapshot, row = _made_in_private(tmp_path, catalog)
    public = _public(catalog, tmp_path / "data", session_cap_usd=0.005, session_concurrency=10)
    name = _judge_name(public, PER_CLIP)
    fake_fal.requests.clear()
    with pytest.raises(LimitError, match="per-visitor cap"):
        _judge(public, snapshot, row, name)
    assert _judge_bodies(fake_fal, PER_CLIP) == [] and fake_fal.seen("POST", "storage") == []
    assert _judge_rows(public).empty and public.journal.pending() == []


def test_a_row_whose_third_call_passes_the_cap_is_refused_whole_and_nothing_runs(tmp_path, catalog, fake_fal):
    """Four 2 s clips at $0.01 each under a $0.025 cap: the row ($0.04) does not fit, so no call is made (not two
    calls made and the other two refused, which would leave a row half judged and paid for)."""
    from playground.errors import LimitError

    snapshot, row = _made_in_private(tmp_path, catalog)
    public = _public(catalog, tmp_path / "data", session_cap_usd=0.025, session_concurrency=10)
    name = _judge_name(public, PER_CLIP)
    fake_fal.requests.clear()
    with pytest.raises(LimitError) as refused:
        _judge(public, snapshot, row, name)
    assert "$0.0400" in str(refused.value) and "per-visitor cap" in str(refused.value)
    assert _judge_bodies(fake_fal, PER_CLIP) == [] and public.journal.pending() == []
    assert _judge_rows(public).empty


def test_a_four_clip_row_is_judged_within_the_default_two_runs_at_once(tmp_path, catalog, fake_fal):
    """Public mode lets a visitor run two at once: the row's four calls wait their turn, as a comparison's cells
    do, instead of the third being refused."""
    snapshot, row = _made_in_private(tmp_path, catalog)
    public = _public(catalog, tmp_path / "data")
    fake_fal.by_endpoint[PER_CLIP] = Script(output=json.dumps(clip_answer(4)))
    name = _judge_name(public, PER_CLIP)
    records = _judge(public, snapshot, row, name)
    assert [r.status.value for r in records] == ["completed"] * 4, [r.error for r in records]
    assert _verdict(public, snapshot, row, name).pick == "tie"



def test_a_row_whose_third_call_cannot_start_calls_off_the_first_two_and_says_so(tmp_path, catalog, fake_fal,
                                                                                   monkeypatch):
    """Whatever stops a later call of a row (here the launcher refusing the third of four, as a cap crossed by
    another replica between two calls would), the calls already started are called off and followed to their rows
    before the refusal is said; none is left running on fal, the admission is given back, and the verdict the row
    had stays."""
    from playground.errors import LimitError

    snapshot, row = _made_in_private(tmp_path, catalog)
    public = _public(catalog, tmp_path / "data", session_concurrency=10)
    name = _judge_name(public, PER_CLIP)
    fake_fal.by_endpoint[PER_CLIP] = _looking(snapshot, PRO_T2V)
    _judge(public, snapshot, row, name)  # a first verdict
    fake_fal.by_endpoint[PER_CLIP] = Script(hold=True, output=json.dumps(clip_answer(1)))
    started = public.launcher.start_judge
    calls = []

    def third_refused(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise LimitError("the demo's shared key would pass its $10.00 daily cap")
        return started(*args, **kwargs)
    monkeypatch.setattr(public.launcher, "start_judge", third_refused)
    with pytest.raises(LimitError) as refused:
        _judge(public, snapshot, row, name)
    said = str(refused.value)
    assert "daily cap" in said and "2 call(s) already started were called off" in said, said
    assert public.journal.pending() == []  # each ended as its row
    statuses = _judge_rows(public).status.tolist()
    assert statuses.count("completed") == 4 and statuses.count("cancelled") == 2, statuses
    assert all(job.cancelled or job.phase(__import__("time").monotonic())[0] == "done"
               for job in fake_fal.jobs.values())  # nothing left running on fal
    assert public.launcher.guard.admissions.tally(ME.limited_as, __import__("time").time()).in_flight == 0
    verdict = _verdict(public, snapshot, row, name)
    assert verdict.pick == PRO_T2V and not any(c.pending for c in verdict.clips)  # the called-off one counts not

# -- a blind row --------------------------------------------------------------------------------------------------
def test_a_row_judged_through_the_api_stays_blind_on_the_page_for_whoever_has_not_voted(fal_app, catalog, fake_fal):
    from gradio_client import Client

    url, data_dir = fal_app
    client = Client(url, verbose=False)
    spec = {"prompts": ["a blind kite"], "endpoints": [LITE_T2V, PRO_FAST_T2V, PRO_T2V], "seeds": [83],
            "arguments": {"resolution": "480p", "duration": "2"}}
    batch = client.predict(json.dumps(spec), api_name="/compare")
    pro_url = next(c["video_url"] for c in batch["cells"] if c["endpoint_id"] == PRO_T2V)
    reason = "the kite of PRO_MARKER is the only sharp one"
    fake_fal.by_endpoint[PER_CLIP] = Script(answer=lambda body: json.dumps(
        clip_answer(5 if body["video_url"] == pro_url else 2, reason)))
    judged = client.predict(batch["batch_id"], "1 × 83", "", api_name="/judge")
    assert judged["pick"] == PRO_T2V

    page = Playground(catalog, data_dir, "offline")  # the page, as another process reads the same data
    snapshot = page.comparisons.kept.get(batch["batch_id"], Visitor()).snapshot
    (row,) = snapshot.rows()
    stranger = page.comparisons.view(snapshot, True, lambda path: path, row, "hf:stranger")
    grid = stranger.grid
    for leak in ("PRO_MARKER", "picks", "5/5", "2/5", judged["judge"], *ENDPOINTS[:3], "1.0 Pro", "Lite",
                 "judge-verdict"):
        assert leak not in grid, leak
    assert "1 verdict(s) on this row: shown once you vote" in grid
    for leak in (PRO_T2V, "Pro", "Lite"):  # the vote line and the row line name no endpoint
        assert all(leak not in choice for choice in stranger.vote_choices), stranger.vote_choices
        assert all(leak not in label for label, _ in stranger.vote_rows)
    assert "Pro" not in stranger.outcome and "Lite" not in stranger.outcome

    page.comparisons.voting.vote(snapshot, row, stranger.vote_choices[0], True, "hf:stranger")
    voted = page.comparisons.view(snapshot, True, lambda path: path, row, "hf:stranger").grid
    assert "PRO_MARKER" in voted and "picks " in voted and "5.0/5" not in grid


# -- expired fal URLs ----------------------------------------------------------------------------------------------
def _expire(fake_fal, snapshot) -> None:
    """fal forgets the row's clips: their URLs answer 404 from now on."""
    import dataclasses

    for cell in snapshot.cells:
        job = fake_fal.jobs[cell.run.video_url.rsplit("/", 1)[-1].removesuffix(".mp4")]
        job.script = dataclasses.replace(job.script, video_missing=True)


def test_an_expired_clip_url_is_judged_from_the_local_copy_uploaded_to_fal_storage(fal_playground, fake_fal):
    from pathlib import Path

    snapshot, row = _batch(fal_playground, ENDPOINTS[:2])
    _expire(fake_fal, snapshot)
    fake_fal.by_endpoint[PER_CLIP] = Script(output=json.dumps(clip_answer(4)))
    name = _judge_name(fal_playground, PER_CLIP)
    records = _judge(fal_playground, snapshot, row, name)
    assert [r.status.value for r in records] == ["completed"] * 2, [r.error for r in records]
    sent = sorted(body["video_url"] for body in _judge_bodies(fake_fal, PER_CLIP))
    stored = {f"{fake_fal.base_url}/files/{name}": data for name, data in fake_fal.uploads.items()}
    assert len(sent) == 2 and set(sent) <= set(stored)  # each judge call names the clip's upload in fal storage
    local = {cell.run.video_url: Path(cell.run.video_path).read_bytes() for cell in snapshot.cells}
    assert {stored[url] for url in sent} == set(local.values())  # what was uploaded is the saved clip, byte for byte
    # (the fake serves every generation the same bytes, so the two clips share one upload: uploads are per content)
    logged = _judge_rows(fal_playground)
    assert sorted(json.loads(a)["video_url"] for a in logged.arguments_json) == sent  # the log names the upload
    assert not logged.arguments_json.str.contains("base64").any()  # the clip is not copied into the log


def test_an_expired_clip_with_no_local_copy_is_refused_with_a_clear_message_and_nothing_sent(fal_playground,
                                                                                             fake_fal):
    from pathlib import Path

    from playground.errors import InputError

    snapshot, row = _batch(fal_playground, ENDPOINTS[:2])
    _expire(fake_fal, snapshot)
    Path(snapshot.cells[1].run.video_path).unlink()
    name = _judge_name(fal_playground, PER_CLIP)
    before = len(fake_fal.requests)
    with pytest.raises(InputError, match="expired and the app has no local copy"):
        _judge(fal_playground, snapshot, row, name)
    assert [s for s in fake_fal.requests[before:] if s.method != "GET"] == []  # only the URL checks: nothing sent
    assert _judge_rows(fal_playground).empty


# -- several judges and attempts, a failed cell, an extended batch -------------------------------------------------
def _looking(snapshot, favourite: str, reason: str = "fine"):
    """A per-clip judge that gives ``favourite``'s clip adherence 5 and every other clip 2."""
    urls = {cell.run.video_url: cell.endpoint_id for cell in snapshot.cells}
    return Script(answer=lambda body: json.dumps(clip_answer(5 if urls[body["video_url"]] == favourite else 2,
                                                             reason)))


def _row_judge(snapshot, favourite: str, reason: str):
    """A whole-row judge that picks ``favourite``'s clip by the number it was given."""
    urls = {cell.run.video_url: cell.endpoint_id for cell in snapshot.cells}

    def answer(body: dict) -> str:
        makers = [urls[url] for url in body["video_urls"]]
        clips = [{"clip": n, **clip_answer(5 if maker == favourite else 2)} for n, maker in enumerate(makers, 1)]
        return json.dumps({"clips": clips, "best": makers.index(favourite) + 1, "reason": reason})
    return Script(answer=answer)


def test_two_judges_on_one_row_each_keep_their_own_verdict_and_the_newest_attempt_counts(fal_playground, fake_fal):
    from playground.compare.verdicts import model_votes

    snapshot, row = _batch(fal_playground, ENDPOINTS[:3])
    per_clip, whole = _judge_name(fal_playground, PER_CLIP), _judge_name(fal_playground, ROW)
    fake_fal.by_endpoint[PER_CLIP] = _looking(snapshot, PRO_T2V)
    fake_fal.by_endpoint[ROW] = _row_judge(snapshot, LITE_T2V, "XSS " + XSS)
    _judge(fal_playground, snapshot, row, per_clip)
    _judge(fal_playground, snapshot, row, whole)
    assert _verdict(fal_playground, snapshot, row, per_clip).pick == PRO_T2V
    assert _verdict(fal_playground, snapshot, row, whole).pick == LITE_T2V
    grid = _grid(fal_playground, snapshot, row)
    assert grid.count('class="judge-verdict"') == 6 and "<img" not in grid and "<script" not in grid
    assert "its reason: “XSS &lt;img" in grid

    fake_fal.by_endpoint[PER_CLIP] = _looking(snapshot, PRO_FAST_T2V)  # the same judge again: it changed its mind
    _judge(fal_playground, snapshot, row, per_clip)
    assert _verdict(fal_playground, snapshot, row, per_clip).pick == PRO_FAST_T2V
    votes = model_votes(fal_playground.results.read())
    assert sorted(zip(votes.judge, votes.winner, strict=True)) == sorted([(per_clip, PRO_FAST_T2V), (whole, LITE_T2V)])
    assert len(_judge_rows(fal_playground)) == 3 + 1 + 3  # every attempt stays in the log

    fake_fal.by_endpoint[PER_CLIP] = Script(submit_fault_always=(500, {"detail": "down"}, {}))  # a third, failed
    _judge(fal_playground, snapshot, row, per_clip)
    newest = _verdict(fal_playground, snapshot, row, per_clip)
    assert newest.pick is None and all(c.problem for c in newest.clips)  # the newest attempt is what counts...
    votes = model_votes(fal_playground.results.read())
    assert list(votes.judge) == [whole]  # ...so that judge has no pick on the row now


def test_a_row_with_a_failed_cell_is_judged_on_its_finished_clips_and_picks_among_them(fal_playground, fake_fal):
    fake_fal.by_endpoint[PRO_T2V] = Script(error=("CUDA error: out of memory", "runner_disconnected"))
    final = _compare(fal_playground, ENDPOINTS[:3])
    snapshot = fal_playground.comparisons.kept.get(final["batch_id"], ME).snapshot
    (row,) = snapshot.rows()
    failed = next(cell for cell in snapshot.cells if cell.endpoint_id == PRO_T2V)
    assert failed.status.value == "failed"
    fake_fal.by_endpoint[PER_CLIP] = _looking(snapshot, PRO_FAST_T2V)
    name = _judge_name(fal_playground, PER_CLIP)
    quote = fal_playground.comparisons.judging.quote(snapshot, row, name, ME)
    assert len(quote.cells) == 2 and quote.price.usd == pytest.approx(0.02)
    records = _judge(fal_playground, snapshot, row, name)
    assert len(records) == 2 and len(_judge_bodies(fake_fal, PER_CLIP)) == 2
    verdict = _verdict(fal_playground, snapshot, row, name)
    assert {c.endpoint_id for c in verdict.clips} == {LITE_T2V, PRO_FAST_T2V} and verdict.pick == PRO_FAST_T2V
    grid = _grid(fal_playground, snapshot, row)
    assert grid.count('class="judge-verdict"') == 2 and grid.count('<div class="cmp-judge" hidden>') == 1
    assert "judged 2 of this row&#x27;s 3 clips (not 1.0 Pro)" in grid  # its pick is among the finished two


def test_an_extended_row_keeps_its_verdict_on_the_clips_judged_and_says_the_new_one_was_not(fal_playground,
                                                                                           fake_fal):
    first = _compare(fal_playground, ENDPOINTS[:2])
    snapshot = fal_playground.comparisons.kept.get(first["batch_id"], ME).snapshot
    (row,) = snapshot.rows()
    fake_fal.by_endpoint[PER_CLIP] = _looking(snapshot, LITE_T2V)
    name = _judge_name(fal_playground, PER_CLIP)
    _judge(fal_playground, snapshot, row, name)
    grown = _compare(fal_playground, ENDPOINTS[:3], extend=first["batch_id"])
    assert grown["batch_id"] == first["batch_id"]
    extended = fal_playground.comparisons.kept.get(first["batch_id"], ME).snapshot
    assert len(extended.rows()[row]) == 3
    verdict = _verdict(fal_playground, extended, row, name)
    assert verdict.pick == LITE_T2V and len(verdict.clips) == 2
    grid = _grid(fal_playground, extended, row)
    assert grid.count('class="judge-verdict"') == 2  # under the two clips it judged, none under the new one
    assert "judged 2 of this row&#x27;s 3 clips (not 1.0 Pro)" in grid  # the row's line: its pick is among two

    fake_fal.by_endpoint[PER_CLIP] = _looking(extended, PRO_T2V)
    _judge(fal_playground, extended, row, name)  # judged again: now the whole row
    verdict = _verdict(fal_playground, extended, row, name)
    assert verdict.pick == PRO_T2V and len(verdict.clips) == 3
    assert "judged 2 of" not in _grid(fal_playground, extended, row)


# -- signals on odd clips ------------------------------------------------------------------------------------------
def _write_clip(path, pictures, fps: int = 24, tone=None):
    """An H.264 MP4 of ``pictures`` (grey levels or HxWx3 arrays); ``tone``: (left, right) amplitudes of a 440 Hz
    sine in a stereo AAC track one second long."""
    import av
    import numpy as np

    with av.open(str(path), "w") as container:
        first = pictures[0] if not isinstance(pictures[0], int) else np.full((96, 160, 3), pictures[0], np.uint8)
        video = container.add_stream("libx264", rate=fps)
        video.height, video.width = first.shape[:2]
        video.pix_fmt = "yuv420p"
        sound = container.add_stream("aac", rate=48000, layout="stereo") if tone else None
        for picture in pictures:
            array = np.full(first.shape, picture, np.uint8) if isinstance(picture, int) else picture
            for packet in video.encode(av.VideoFrame.from_ndarray(array, format="rgb24")):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        if sound is not None:
            t = np.arange(48000) / 48000
            samples = np.stack([amplitude * np.sin(2 * np.pi * 440 * t) for amplitude in tone]).astype(np.float32)
            for start in range(0, samples.shape[1], 1024):
                frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, start:start + 1024]),
                                                   format="fltp", layout="stereo")
                frame.sample_rate, frame.pts = 48000, start
                for packet in sound.encode(frame):
                    container.mux(packet)
            for packet in sound.encode():
                container.mux(packet)
    return path


def test_a_cut_on_the_last_frame_and_one_right_after_the_first_are_found(tmp_path):
    from playground.signals import measure

    last = measure(_write_clip(tmp_path / "last.mp4", [100] * 23 + [240]))
    assert last.signals.cuts == "23" and last.signals.flicker == pytest.approx(0, abs=0.5)
    first = measure(_write_clip(tmp_path / "first.mp4", [240] + [100] * 23))
    assert first.signals.cuts == "1"  # frame 0 starts the clip, it cannot start a new shot; frame 1 does
    assert first.signals.flicker == pytest.approx(0, abs=0.5)


def test_a_one_frame_clip_and_a_two_frame_4k_clip_measure_without_fault(tmp_path):
    import numpy as np

    from playground.signals import measure

    one = measure(_write_clip(tmp_path / "one.mp4", [128]))
    assert one.probe.frames == 1 and one.probe.motion == 0 and one.signals.flicker is None
    assert one.signals.cuts == "" and one.signals.sharpness is not None
    stripes = np.zeros((2160, 3840, 3), np.uint8)
    stripes[:, ::8] = 255  # a crisp picture
    big = measure(_write_clip(tmp_path / "4k.mp4", [stripes, stripes]))
    assert (big.probe.width, big.probe.height, big.probe.frames) == (3840, 2160, 2)
    assert big.signals.flicker is None and big.signals.sharpness > 100


def test_sound_in_one_channel_is_counted_over_both(tmp_path):
    """A 0.5-amplitude sine in the left channel, silence in the right: the RMS over every sample of both channels is
    0.5 / √2 / √2 = 0.25, 20·log10(0.25) = −12.04 dBFS; no 50 ms window is silent."""
    from playground.signals import measure

    measured = measure(_write_clip(tmp_path / "left.mp4", [100] * 24, tone=(0.5, 0.0)))
    assert measured.probe.has_audio
    assert measured.signals.loudness_db == pytest.approx(-12.04, abs=0.5)
    assert measured.signals.silence == pytest.approx(0, abs=0.05)


CORRUPT = [("garbage", b"\x00\x01not a video at all" * 100), ("empty", b""), ("text", b"<html>404</html>"),
           ("cut in half", None)]


@pytest.mark.parametrize("case, data", CORRUPT, ids=[c[0] for c in CORRUPT])
def test_signals_of_a_run_whose_clip_was_corrupted_say_so_clearly(playground, case, data):
    from pathlib import Path

    from playground.errors import PlaygroundError

    async def made():
        return [item async for item in playground.generate(LITE_T2V, {"prompt": "a lake", "resolution": "480p",
                                                                      "duration": "2", "seed": 3})][-1]
    run = asyncio.run(made())
    video = Path(run.video_path)
    whole = video.read_bytes()
    video.write_bytes(whole[:len(whole) // 2] if data is None else data)
    playground.results.update("run_id", run.run_id, {"sharpness": "", "flicker": ""})  # as if logged before signals
    with pytest.raises(PlaygroundError) as refused:
        asyncio.run(asyncio.wait_for(playground.api.signals(run.run_id, Visitor()), 60))
    said = str(refused.value)
    assert "could not be measured" in said and str(video) not in said and str(playground.data_dir) not in said


def test_signals_never_open_a_pipe_left_where_the_clip_was(playground):
    import os
    from pathlib import Path

    async def made():
        return [item async for item in playground.generate(LITE_T2V, {"prompt": "a lake", "resolution": "480p",
                                                                      "duration": "2", "seed": 4})][-1]
    run = asyncio.run(made())
    Path(run.video_path).unlink()
    os.mkfifo(run.video_path)
    playground.results.update("run_id", run.run_id, {"sharpness": ""})
    answer = asyncio.run(asyncio.wait_for(playground.api.signals(run.run_id, Visitor()), 30))
    assert answer["sharpness"] is None and not answer["measured_now"]


def test_a_measuring_worker_killed_mid_run_is_replaced_and_the_run_keeps_its_signals(tmp_path, catalog, fake_fal):
    import os
    import signal

    from playground.config import FalSettings
    from playground.offload import Offload

    from conftest import SERVER_KEY
    from fake_fal import tiny_mp4

    offload = Offload()
    playground = Playground(catalog, tmp_path / "data", "auto", server_key=SERVER_KEY, offload=offload,
                            fal_settings=FalSettings(timeout_s=60))
    small, fake_fal.video = fake_fal.video, tiny_mp4(1280, 720, 72)  # a clip that takes a moment to decode
    killed: list[int] = []

    async def run_and_kill():
        watch = playground.launcher.start(LITE_T2V, {"prompt": "a lake", "resolution": "480p", "duration": "2"})
        while not watch._task.done():  # the worker is started for this run's clip: kill it as it measures
            pool = offload._pool
            workers = list(pool._processes.values()) if pool is not None and pool._processes else []
            if workers and not killed:
                killed.append(workers[0].pid)
                os.kill(workers[0].pid, signal.SIGKILL)
            await asyncio.sleep(0.005)
        return await watch.outcome(), await offload.run(os.getpid)
    try:
        record, worker = asyncio.run(run_and_kill())
    finally:
        fake_fal.video = small
        offload.close()
    assert killed and worker != killed[0]
    assert record.status.value == "completed" and record.error == "", record.error
    assert record.sharpness is not None and record.flicker is not None and record.frames == 72
    logged = playground.results.read()
    assert logged.sharpness.iloc[0] != "" and logged.frames.iloc[0] == "72"


def test_signals_through_the_api_on_a_corrupted_clip_answer_a_clear_message(client, app_data_dir):
    from pathlib import Path

    from gradio_client.exceptions import AppError

    from playground.store.open import open_store

    _, run = client.predict(LITE_T2V, json.dumps({"prompt": "a pond", "resolution": "480p", "duration": "2",
                                                  "seed": 9}), api_name="/generate")
    logged = open_store(app_data_dir).runs
    path = Path(logged.read().set_index("run_id").loc[run["run_id"], "video_path"])
    path.write_bytes(b"\x00garbage" * 64)
    logged.update("run_id", run["run_id"], {"sharpness": ""})
    with pytest.raises(AppError, match="could not be measured"):
        client.predict(run["run_id"], api_name="/signals")
    assert client.predict(LITE_T2V, json.dumps({"prompt": "still up"}), api_name="/estimate")  # the app goes on


# -- the Leaderboard's judges --------------------------------------------------------------------------------------
def _judge_row_in_log(playground, snapshot, row, judge: str, best) -> None:
    """A whole-row judge's finished run, as the results log keeps it (a crafted instructions version, or a log edited
    by hand, can carry any name)."""
    from playground.compare.grid import blind_order
    from playground.compare.verdicts import WHOLE_ROW, Subject
    from playground.record import RunRecord, Status, now_iso

    cells = [cell for _, cell in blind_order(snapshot.batch_id, row, snapshot.rows()[row])]
    subject = Subject(snapshot.batch_id, row, judge, f"a{len(judge) % 97}x{best}", WHOLE_ROW,
                      tuple(c.index for c in cells), tuple(c.credited for c in cells), (False,) * len(cells),
                      snapshot.backend, cells[0].prompt, cells[0].seed)
    answer = {"clips": [{"clip": n, **clip_answer(3)} for n in range(1, len(cells) + 1)], "best": best,
              "reason": "r"}
    playground.results.add(RunRecord(run_id=f"j{abs(hash((judge, best))) % 10**12}", created_at=now_iso(),
                                     backend="fal", endpoint_id=ROW, status=Status.COMPLETED, judged=subject.text(),
                                     output_text=json.dumps(answer), estimated_cost_usd=0.001))


ODD_NAMES = [("markup", "**bold** <img src=x onerror=alert(1)> [link](javascript:alert(1)) `code` # h"),
             ("100k characters", "j" * 100_000), ("line breaks", "a".join(EVERY_LINE_BREAK)),
             ("lone surrogate", "bad \ud800 judge")]


@pytest.mark.parametrize("case, judge", ODD_NAMES, ids=[n[0] for n in ODD_NAMES])
def test_a_judge_with_an_odd_name_is_shown_as_plain_bounded_text(fal_playground, fake_fal, case, judge):
    snapshot, row = _batch(fal_playground, ENDPOINTS[:2])
    _judge_row_in_log(fal_playground, snapshot, row, judge, 1)
    fal_playground.comparisons.voting.vote(snapshot, row, snapshot.rows()[row][0].label, False, "Ada")
    view = fal_playground.compare.leaderboard("fal")
    legend = view.judges.note
    legend.encode("utf-8")
    assert legend.count("\n") == 0 and len(legend) < 1000, case  # one line, the name cut
    for raw in ("<img", "**bold", "[link]", "(javascript", "`code"):  # each markup character backslash-escaped
        assert not re.search(r"(?<!\\)" + re.escape(raw), legend), raw
    assert not any(line_break in legend for line_break in EVERY_LINE_BREAK)
    assert list(view.judges.agreement.judge) == ["judge 1"]
    grid = _grid(fal_playground, snapshot, row)
    grid.encode("utf-8")
    assert "<img" not in grid and grid.count("judge-verdict") >= 2


def test_a_judge_whose_picks_are_all_none_is_rated_without_fault(fal_playground, fake_fal):
    from playground.compare.verdicts import model_votes

    for seed in (1, 2, 3):
        final = _compare(fal_playground, ENDPOINTS[:2], seeds=(seed,))
        snapshot = fal_playground.comparisons.kept.get(final["batch_id"], ME).snapshot
        (row,) = snapshot.rows()
        _judge_row_in_log(fal_playground, snapshot, row, "grumpy judge", "none")
        fal_playground.comparisons.voting.vote(snapshot, row, snapshot.rows()[row][0].label, False, "Ada")
    votes = model_votes(fal_playground.results.read())
    assert list(votes.winner) == ["none"] * 3
    view = fal_playground.compare.leaderboard("fal")
    agreement = view.judges.agreement.iloc[0]
    assert int(agreement["rows"]) == 3 and int(agreement["agreed"]) == 0  # Ada picked a clip each time
    assert "grumpy judge" in view.judges.note


def test_no_path_makes_a_judge_on_the_offline_preview(tmp_path, catalog, playground, fake_fal):
    from playground.errors import InputError

    final = _compare(playground, ENDPOINTS[:2])  # clips of the offline preview
    snapshot = playground.comparisons.kept.get(final["batch_id"], ME).snapshot
    (row,) = snapshot.rows()
    name = _judge_name(playground, PER_CLIP)
    with pytest.raises(InputError, match="No judge"):  # offline: no judge at all
        _judge(playground, snapshot, row, name)
    with pytest.raises(InputError, match="has no judge"):  # nor through the launcher directly
        playground.launcher.start_judge(PER_CLIP, "judge", {"video_url": "x", "prompt": "p"}, 0.01, "{}", "p", ME)
    keyed = Visitor(session="s-offline-clips", key="visitor-key:0123456789abcdef")
    with pytest.raises(InputError, match="synthetic"):  # a fal key does not make synthetic clips worth judging
        _judge(playground, snapshot, row, name, keyed)
    public = _public(catalog, tmp_path / "public", share_server_key=False)  # public, no key of one's own
    own = _compare(public, ENDPOINTS[:2])
    mine = public.comparisons.kept.get(own["batch_id"], ME).snapshot
    with pytest.raises(InputError, match="No judge"):
        _judge(public, mine, next(iter(mine.rows())), name)
    assert _judge_rows(playground).empty and _judge_rows(public).empty
    assert fake_fal.seen("POST") == []
    assert playground.compare.leaderboard("offline").judges.agreement.empty
