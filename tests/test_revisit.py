"""Coming back to logged runs: restore every field, run again, promote, seed-check, fetch again from fal."""

import asyncio
import json

import pytest

from playground.checks import SeedVerdict
from playground.config import FalSettings
from playground.errors import InputError
from playground.form import arguments_from_form
from playground.history import Filters
from playground.record import RunRecord
from playground.seed_checks import SeedCheck
from playground.service import Playground
from playground.visitor import Visitor

from conftest import LITE_T2V, PRO_T2V, SERVER_KEY, Script
from test_form import full_arguments


def _drain(iterator):
    async def go():
        return [item async for item in iterator]
    return asyncio.run(go())


def _run(playground, endpoint_id, arguments, key=None):
    return _drain(playground.generate(endpoint_id, arguments, Visitor(key=key)))[-1]


def test_every_endpoint_restores_field_for_field_from_the_log(playground, catalog):
    for endpoint in catalog.values():
        arguments = full_arguments(endpoint)
        result = _run(playground, endpoint.endpoint_id, arguments)
        logged = playground.revisits.record(result.run_id)
        assert "data:" not in logged.arguments_json  # inline images are kept as files, referenced from the log
        assert playground.inputs.to_data_uris(json.loads(logged.arguments_json)) == arguments
        restored_endpoint, form = playground.revisits.restore(result.run_id)
        assert restored_endpoint is endpoint
        assert arguments_from_form(endpoint, form) == arguments, endpoint.endpoint_id


def test_run_again_sends_the_same_arguments(playground):
    first = _run(playground, LITE_T2V, {"prompt": "again", "resolution": "480p", "duration": "2", "seed": 5})
    items = _drain(playground.revisits.rerun(first.run_id, Visitor()))
    second = items[-1]
    assert isinstance(second, RunRecord) and second.run_id != first.run_id and second.seed == 5
    rows = playground.results.read().set_index("run_id")
    assert rows.loc[first.run_id, "arguments_json"] == rows.loc[second.run_id, "arguments_json"]


def test_promote_a_lite_draft_to_pro_1080p(playground, catalog):
    draft = _run(playground, LITE_T2V, {"prompt": "a draft worth keeping", "resolution": "480p", "duration": "2",
                                        "aspect_ratio": "9:21", "seed": 77})
    target, sent, changes = playground.revisits.promotion(draft.run_id, PRO_T2V, {"resolution": "1080p"})
    assert sent == {"prompt": "a draft worth keeping", "resolution": "1080p", "duration": "2", "aspect_ratio": "9:16",
                    "seed": 77}
    assert {c.field: c.why for c in changes}["aspect_ratio"].endswith("nearest allowed value")
    with pytest.raises(InputError, match="image-to-video"):
        playground.revisits.promotion(draft.run_id, "fal-ai/bytedance/seedance/v1/pro/image-to-video", {})


def test_a_random_seed_run_is_seed_checked_with_the_seed_it_got(playground):
    first = _run(playground, LITE_T2V, {"prompt": "seed check", "resolution": "480p", "duration": "2"})
    items = _drain(playground.revisits.seed_check(first.run_id, Visitor()))
    second, verdict = items[-2], items[-1]
    assert isinstance(verdict, SeedVerdict) and verdict.verdict == "identical" and verdict.frames == 48
    assert second.seed == first.seed
    stability = playground.revisits.seed_stability().set_index("endpoint")
    assert stability.loc["1.0 Lite", "identical"] == 1 and stability.loc["1.0 Lite", "checks"] == 1
    (check,) = playground.revisits.seed_checks.checks()  # one SeedCheck row, naming both runs
    assert (check.endpoint_id, check.backend, check.first_run, check.second_run, check.seed) == \
        (LITE_T2V, "offline", first.run_id, second.run_id, first.seed)
    assert (check.verdict, check.frames_equal, check.frames, check.psnr_db) == ("identical", 48, 48, None)


def test_seed_stability_counts_each_endpoint_and_backends_verdicts(playground):
    """Checks by hand: Lite on offline 2 identical + 1 near, Lite on fal 1 different, Pro on offline 1 near and
    one verdict no check gives (counted nowhere), an endpoint no longer in the catalog by its id."""
    made = [(LITE_T2V, "offline", "identical"), (LITE_T2V, "offline", "near"), (LITE_T2V, "offline", "identical"),
            (LITE_T2V, "fal", "different"), (PRO_T2V, "offline", "near"), (PRO_T2V, "offline", "odd"),
            ("gone/endpoint", "offline", "different")]
    for i, (endpoint_id, backend, verdict) in enumerate(made):
        playground.revisits.seed_checks.record(SeedCheck(f"c{i}", "", endpoint_id, backend, "a", "b", 1, verdict))
    table = playground.revisits.seed_stability()
    assert list(table.columns) == ["endpoint", "backend", "checks", "identical", "near", "different"]
    assert table.values.tolist() == [["1.0 Lite", "fal", 1, 0, 0, 1], ["1.0 Lite", "offline", 3, 2, 1, 0],
                                     ["1.0 Pro", "offline", 1, 0, 1, 0], ["gone/endpoint", "offline", 1, 0, 0, 1]]


def test_seed_stability_of_no_checks_is_an_empty_table(playground):
    table = playground.revisits.seed_stability()
    assert table.empty and list(table.columns) == ["endpoint", "backend", "checks", "identical", "near", "different"]


def test_seed_check_needs_a_finished_run(playground):
    with pytest.raises(InputError):
        _drain(playground.revisits.seed_check("nope", Visitor()))


def test_fetch_again_saves_a_video_that_was_missing(tmp_path, catalog, fake_fal):
    playground = Playground(catalog, tmp_path / "data", server_key=SERVER_KEY, fal_settings=FalSettings(timeout_s=20))
    fake_fal.script(Script(video_missing=True, billable_units="2"))
    result = _drain(playground.generate(LITE_T2V, {"prompt": "x", "resolution": "480p", "duration": "2", "seed": 1}))[-1]
    assert result.status == "completed" and not result.video_path and "HTTP 404" in result.error
    fake_fal.jobs[result.request_id].script.video_missing = False  # the CDN has it now
    submits = len(fake_fal.seen("POST"))
    now = asyncio.run(playground.revisits.refetch(result.run_id, Visitor()))
    assert now.video_path.endswith(".mp4") and now.error == "" and now.checks
    assert len(fake_fal.seen("POST")) == submits  # no new run was submitted
    rows = playground.results.read()
    assert len(rows) == 1 and rows.iloc[0].video_path == now.video_path and rows.iloc[0].width == "160"


def test_fetch_again_is_for_fal_runs(playground):
    offline = _run(playground, LITE_T2V, {"prompt": "x", "resolution": "480p", "duration": "2"})
    with pytest.raises(InputError, match="only fal runs"):
        asyncio.run(playground.revisits.refetch(offline.run_id, Visitor()))


def test_restore_gives_a_random_seed_run_its_seed_fixed(playground):
    result = _run(playground, LITE_T2V, {"prompt": "random", "resolution": "480p", "duration": "2"})
    _, form = playground.revisits.restore(result.run_id)
    assert form["seed"] == {"value": result.seed, "random": False}


def test_a_promotion_is_fitted_priced_and_checked_before_it_is_sent(playground):
    result = _run(playground, LITE_T2V, {"prompt": "draft", "resolution": "480p", "duration": "2", "seed": 4})
    plan = playground.revisits.promotion_plan(result.run_id, "bytedance/seedance-2.0/text-to-video", "keep", "2")
    assert plan.can_promote and plan.label.startswith("Promote · $") and "duration: `2` → `4`" in plan.note
    assert "2" not in plan.durations and "4" in plan.durations and plan.resolutions[0] == "keep"
    unfit = playground.revisits.promotion_plan(result.run_id, "bytedance/seedance-2.0/fast/text-to-video", "1080p",
                                               "keep")
    assert "resolution: `1080p` → `720p`" in unfit.note  # 2.0 fast has no 1080p: the nearest is chosen


def test_the_history_page_is_short_rows(playground):
    _run(playground, LITE_T2V, {"prompt": "x" * 200, "resolution": "480p", "duration": "2", "seed": 1})
    table, number, info, ids = playground.history.page(Filters(), 1, Visitor())
    (row,) = table
    assert number == 1 and info == "page 1 of 1 · 1 run(s)" and len(ids) == 1
    assert row[1] == "1.0 Lite · T2V" and len(row[0]) == 11 and len(row[5]) == 70 and row[5].endswith("…")
