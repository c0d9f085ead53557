"""Comparisons in the core: adapting shared settings fairly, refusing bad specs, planning, and running cells."""

import asyncio
import time

import pytest

from playground.backends.offline import OfflineBackend
from playground.compare import adapt, one_per_family, parse_spec, plan, union_endpoint
from playground.compare.grid import clip_key
from playground.compare.present import plan_markdown
from playground.config import FalSettings, Limits, PublicMode
from playground.errors import InputError
from playground.service import Playground
from playground.visitor import Visitor

from conftest import LITE_T2V, PRO_FAST_T2V, PRO_T2V, SERVER_KEY, V2_FAST_T2V, Script

V2_T2V = "bytedance/seedance-2.0/text-to-video"
LITE_R2V = "fal-ai/bytedance/seedance/v1/lite/reference-to-video"
V2_R2V = "bytedance/seedance-2.0/reference-to-video"
FOUR = [LITE_T2V, PRO_T2V, PRO_FAST_T2V, V2_T2V]


# (endpoint, asked, expected sent value for that field (None = dropped), words in the reason)
ADAPT = [
    (V2_FAST_T2V, {"resolution": "1080p"}, "720p", "nearest"),
    (V2_T2V, {"duration": "2"}, "4", "nearest"),
    (V2_T2V, {"duration": "15"}, "15", None),
    (LITE_T2V, {"duration": "15"}, "12", "nearest"),
    (LITE_T2V, {"duration": "auto"}, "5", "default"),
    (PRO_T2V, {"aspect_ratio": "9:21"}, "9:16", "nearest"),
    (PRO_T2V, {"aspect_ratio": "auto"}, "16:9", "default"),
    (V2_T2V, {"aspect_ratio": "9:21"}, "9:16", "nearest"),
    (V2_T2V, {"camera_fixed": True}, None, "dropped"),
    (V2_FAST_T2V, {"num_frames": 121}, None, "dropped"),
    (LITE_T2V, {"num_frames": 400}, 289, "maximum"),
    (LITE_T2V, {"generate_audio": True}, None, "dropped"),
    (LITE_T2V, {"resolution": "1080p"}, "1080p", None),
]


@pytest.mark.parametrize("endpoint_id, asked, sent, why", ADAPT)
def test_adapt(catalog, endpoint_id, asked, sent, why):
    (name, value), = asked.items()
    arguments, changes = adapt(catalog[endpoint_id], asked)
    assert arguments.get(name) == sent
    if why is None:
        assert changes == []
    else:
        (change,) = changes
        assert (change.field, change.asked, change.sent) == (name, value, sent) and why in change.why


def test_reference_images_reach_lite_under_its_own_name(catalog):
    urls = ["https://example.com/a.png"]
    arguments, changes = adapt(catalog[LITE_R2V], {"image_urls": urls})
    assert arguments == {"reference_image_urls": urls} and "reference_image_urls" in changes[0].why
    assert adapt(catalog[V2_R2V], {"image_urls": urls}) == ({"image_urls": urls}, [])


def test_overrides_win_and_are_listed(catalog):
    arguments, changes = adapt(catalog[V2_T2V], {"resolution": "1080p"}, {"resolution": "480p"})
    assert arguments == {"resolution": "480p"}
    assert changes[-1].as_dict() == {"field": "resolution", "asked": "1080p", "sent": "480p",
                                     "why": "per-endpoint override"}


def test_fairness_report_pro_fast_vs_2_0_fast(catalog):
    """1080p and 2 s asked of Pro Fast and 2.0 fast: 2.0 fast gets 720p and 4 s, and no camera_fixed."""
    spec = parse_spec({"prompts": ["a boat"], "endpoints": [PRO_FAST_T2V, V2_FAST_T2V], "seeds": [7],
                       "arguments": {"resolution": "1080p", "duration": "2", "camera_fixed": True}}, catalog, 32)
    planned = plan(spec, catalog)
    pro_fast, fast = (cell.fairness() for cell in planned.cells)
    assert pro_fast.changed == () and pro_fast.sent["resolution"] == "1080p"
    changed = {c.field: (c.asked, c.sent) for c in fast.changed}
    assert changed == {"resolution": ("1080p", "720p"), "duration": ("2", "4"), "camera_fixed": (True, None)}
    assert fast.sent == {"prompt": "a boat", "resolution": "720p", "duration": "4", "seed": 7}
    assert all(any(w.startswith(f"{name}:") for w in planned.warnings) for name in changed)
    assert any(w.startswith("output:") for w in planned.warnings)


def test_a_fair_plan_has_no_warnings(catalog):
    spec = parse_spec({"prompts": ["x"], "endpoints": [LITE_T2V, PRO_T2V], "seeds": [1],
                       "arguments": {"resolution": "480p", "duration": "3", "aspect_ratio": "1:1"}}, catalog, 32)
    assert plan(spec, catalog).warnings == ()


def test_plan_costs_and_order(catalog):
    spec = parse_spec({"prompts": ["a", "b"], "endpoints": FOUR, "seeds": [3, 9],
                       "arguments": {"resolution": "480p", "duration": "4"}}, catalog, 32)
    planned = plan(spec, catalog)
    assert len(planned.cells) == 16
    assert [(c.prompt_index, c.seed, c.endpoint.endpoint_id) for c in planned.cells[:5]] == [
        (0, 3, LITE_T2V), (0, 3, PRO_T2V), (0, 3, PRO_FAST_T2V), (0, 3, V2_T2V), (0, 9, LITE_T2V)]
    assert planned.total_usd == pytest.approx(sum(c.estimate.usd for c in planned.cells))


# (case, spec, field named in the error)
BAD_SPECS = [
    ("no prompts", {"prompts": [], "endpoints": FOUR, "seeds": [1]}, "prompts"),
    ("blank prompts", {"prompts": "  \n ", "endpoints": FOUR, "seeds": [1]}, "prompts"),
    ("too many prompts", {"prompts": [str(i) for i in range(9)], "endpoints": FOUR, "seeds": [1]}, "prompts"),
    ("unknown endpoint", {"prompts": ["x"], "endpoints": ["fal-ai/nope"], "seeds": [1]}, "endpoints"),
    ("mixed modes", {"prompts": ["x"], "endpoints": [LITE_T2V, "bytedance/seedance-2.0/image-to-video"],
                     "seeds": [1]}, "endpoints"),
    ("no seeds", {"prompts": ["x"], "endpoints": FOUR}, "seeds"),
    ("random seed -1", {"prompts": ["x"], "endpoints": FOUR, "seeds": [-1]}, "seeds"),
    ("seed as text", {"prompts": ["x"], "endpoints": FOUR, "seeds": ["7"]}, "seeds"),
    ("zero random seeds", {"prompts": ["x"], "endpoints": FOUR, "random_seeds": 0}, "random_seeds"),
    ("prompt in arguments", {"prompts": ["x"], "endpoints": FOUR, "seeds": [1], "arguments": {"prompt": "y"}},
     "prompt"),
    ("override for another endpoint", {"prompts": ["x"], "endpoints": [LITE_T2V], "seeds": [1],
                                       "overrides": {PRO_T2V: {"resolution": "480p"}}}, "overrides"),
    ("unknown key", {"prompts": ["x"], "endpoints": FOUR, "seeds": [1], "budget": 3}, "budget"),
    ("over the cell cap", {"prompts": ["a", "b", "c"], "endpoints": FOUR, "seeds": [1, 2, 3]}, "cells"),
    ("template over the cell cap", {"prompts": "{a|b|c} boat", "endpoints": FOUR, "seeds": [1, 2, 3]}, "cells"),
    ("not an object", ["x"], "spec"),
]


def plan_text(playground, asked, visitor):
    """The plan the Compare tab shows for a `/compare` request (``Comparisons.preview_form`` shows it for a form)."""
    paid = playground.launcher.backend_for(visitor.key).paid
    return plan_markdown(playground.comparisons.arrange(asked, visitor), playground.limits.max_batch_usd, paid)


def test_the_plan_shows_and_counts_a_templates_variants(playground):
    text = plan_text(playground, {"prompts": "{dusk|dawn} over {the *sea*|a city}", "endpoints": [LITE_T2V, PRO_T2V],
                                  "seeds": [1]}, playground.sessions.visitor())
    assert "8 cells" in text and "4 prompt(s) × 2 endpoint(s) × 1 seed(s)" in text
    for n, prompt in enumerate(["dusk over the \\*sea\\*", "dusk over a city", "dawn over the \\*sea\\*",
                                "dawn over a city"], 1):
        assert f"{n}. {prompt}" in text  # shown as typed: no Markdown of its own


@pytest.mark.parametrize("case, spec, field", BAD_SPECS, ids=[b[0] for b in BAD_SPECS])
def test_bad_specs_name_the_field(catalog, case, spec, field):
    with pytest.raises(InputError) as err:
        parse_spec(spec, catalog, max_cells=32)
    assert field in err.value.fields


def test_a_cell_that_cannot_be_sent_is_reported_per_endpoint(catalog):
    spec = parse_spec({"prompts": ["x"], "endpoints": [LITE_T2V, V2_FAST_T2V], "seeds": [1],
                       "overrides": {V2_FAST_T2V: {"bitrate_mode": "ultra"}}}, catalog, 32)
    with pytest.raises(InputError) as err:
        plan(spec, catalog)
    assert err.value.fields == ["bitrate_mode (2.0 fast)"]


def test_random_seeds_are_drawn_once(catalog):
    spec = parse_spec({"prompts": ["x"], "endpoints": FOUR, "random_seeds": 3}, catalog, 32)
    assert len(set(spec.seeds)) == 3 and all(0 <= s < 2**31 for s in spec.seeds)


def test_defaults_are_one_per_family(catalog):
    v15 = "fal-ai/bytedance/seedance/v1.5/pro/text-to-video"
    assert one_per_family(catalog, "text-to-video") == [LITE_T2V, PRO_T2V, PRO_FAST_T2V, v15, V2_T2V]  # 1.5 Pro joins
    assert one_per_family(catalog, "reference-to-video") == [LITE_R2V, V2_R2V]


def test_shared_form_is_the_union_of_the_mode(catalog):
    form = union_endpoint(catalog, "text-to-video")
    fields = {f.name: f for f in form.fields}
    assert "prompt" not in fields and "seed" not in fields
    assert fields["resolution"].enum == ("480p", "720p", "1080p")
    assert fields["duration"].enum[:3] == ("auto", "2", "3") and fields["duration"].enum[-1] == "15"
    assert "not sent to" in fields["camera_fixed"].description and "2.0" in fields["camera_fixed"].description
    reference = {f.name for f in union_endpoint(catalog, "reference-to-video").fields}
    assert "image_urls" in reference and "reference_image_urls" not in reference


async def _run(playground, spec, key=None, visitor=None):
    snapshots = [snapshot async for snapshot in playground.comparisons.run(spec, visitor or Visitor(key=key))]
    return snapshots[-1], snapshots


def test_one_failing_cell_does_not_stop_the_others(tmp_path, catalog, fake_fal):
    playground = Playground(catalog, tmp_path / "data", server_key=SERVER_KEY, fal_settings=FalSettings(timeout_s=20))
    fake_fal.by_endpoint[PRO_T2V] = Script(error=("CUDA error: out of memory", "runner_disconnected"))
    spec = {"prompts": ["x"], "endpoints": FOUR, "seeds": [5], "arguments": {"resolution": "480p", "duration": "4"}}
    final, snapshots = asyncio.run(_run(playground, spec))
    statuses = {c["endpoint_id"]: c["status"] for c in final["cells"]}
    assert statuses == {LITE_T2V: "completed", PRO_T2V: "failed", PRO_FAST_T2V: "completed", V2_T2V: "completed"}
    failed = next(c for c in final["cells"] if c["status"] == "failed")
    assert "CUDA error" in failed["error"] and failed["request_id"]
    rows = playground.results.read()
    assert len(rows) == 4 and set(rows.batch_id) == {final["batch_id"]}
    assert final["spent_usd"] == pytest.approx(sum(c["estimated_cost_usd"] for c in final["cells"]
                                                   if c["status"] == "completed"))
    assert len(snapshots) > 2  # the grid hears about cells as they finish, not only at the end


def test_over_the_cap_is_refused_unless_confirmed(tmp_path, catalog, fake_fal):
    playground = Playground(catalog, tmp_path / "data", server_key=SERVER_KEY, limits=Limits(max_batch_usd=0.5))
    spec = {"prompts": ["x"], "endpoints": [PRO_T2V, V2_T2V], "seeds": [1, 2],
            "arguments": {"resolution": "1080p", "duration": "5"}}
    with pytest.raises(InputError) as err:
        asyncio.run(_run(playground, spec))
    assert err.value.fields == ["confirm"] and "$0.50 cap" in str(err.value)
    assert fake_fal.requests == [] and not (tmp_path / "data" / "results.csv").exists()
    final, _ = asyncio.run(_run(playground, {**spec, "confirm": True}))
    assert final["counts"]["completed"] == 4


def test_the_cap_does_not_apply_offline(playground):
    playground.limits = Limits(max_batch_usd=0.01)
    final, _ = asyncio.run(_run(playground, {"prompts": ["x"], "endpoints": [LITE_T2V], "seeds": [1],
                                            "arguments": {"resolution": "480p", "duration": "2"}}))
    assert final["counts"]["completed"] == 1 and final["spent_usd"] == 0


def test_cancelling_some_cells(tmp_path, catalog, fake_fal):
    playground = Playground(catalog, tmp_path / "data", server_key=SERVER_KEY, fal_settings=FalSettings(timeout_s=30))
    fake_fal.by_endpoint[PRO_T2V] = Script(hold=True)
    spec = {"prompts": ["x"], "endpoints": [LITE_T2V, PRO_T2V], "seeds": [5],
            "arguments": {"resolution": "480p", "duration": "2"}}

    async def go():
        final, asked = None, False
        async for snapshot in playground.comparisons.run(spec):
            pro = next(c for c in snapshot["cells"] if c["endpoint_id"] == PRO_T2V)
            if pro["status"] == "running" and not asked:
                asked = True
                said = playground.comparisons.cancel(snapshot["batch_id"], [clip_key(snapshot["batch_id"], pro["cell"])])
                assert said.startswith("Cancelling: 1 started cell(s) told to stop at fal.ai") and "not run" not in said
            final = snapshot
        return final

    final = asyncio.run(go())
    assert {c["endpoint_id"]: c["status"] for c in final["cells"]} == {LITE_T2V: "completed", PRO_T2V: "cancelled"}
    assert len(fake_fal.seen("PUT", "/cancel")) == 1
    assert playground.comparisons.cancel(final["batch_id"]) == "No comparison of yours is running."


def test_cancel_all_shows_at_once_even_while_fal_takes_its_time_to_answer(tmp_path, catalog, fake_fal):
    """Cancel all: the very next snapshot says "cancelling" for started cells and "cancelled" for waiting ones,
    although fal holds the cancel unanswered for seconds (it used to show nothing for 22-25 s)."""
    playground = Playground(catalog, tmp_path / "data", server_key=SERVER_KEY, limits=Limits(batch_concurrency=1),
                            fal_settings=FalSettings(timeout_s=30, cancel_timeout_s=4))
    fake_fal.default = Script(hold=True, hang=("cancel",))
    spec = {"prompts": ["x"], "endpoints": [LITE_T2V, PRO_T2V], "seeds": [5],
            "arguments": {"resolution": "480p", "duration": "2"}}

    async def go():
        seen, asked = [], None
        async for snapshot in playground.comparisons.run(spec):
            statuses = [c["status"] for c in snapshot["cells"]]
            if asked is not None:
                seen.append((time.monotonic() - asked, statuses))
            elif "running" in statuses:
                asked = time.monotonic()
                said = playground.comparisons.cancel(snapshot["batch_id"])
                assert "1 started cell(s) told to stop" in said and "1 cell(s) that had not started" in said
        return seen

    seen = asyncio.run(go())
    assert sorted(seen[0][1]) == ["cancelled", "cancelling"] and seen[0][0] < 1.5  # at once, not when fal answers
    assert sorted(seen[-1][1]) == ["cancelled", "cancelled"]
    assert len(fake_fal.seen("POST", LITE_T2V)) + len(fake_fal.seen("POST", PRO_T2V)) == 1  # the waiting one never ran


def test_offline_says_when_a_batch_would_pass_the_cap_on_fal(playground):
    planned = playground.comparisons.arrange({"prompts": ["x"], "endpoints": [LITE_T2V, PRO_T2V], "seeds": [1, 2],
                                              "arguments": {"resolution": "1080p", "duration": "12"}},
                                             playground.sessions.visitor())
    assert "would be above the $1.00 batch cap" in plan_markdown(planned, 1.0, paid=False)
    assert "would be above" not in plan_markdown(planned, 100.0, paid=False)


def test_a_blind_row_shows_letters_and_bare_statuses_only(playground):
    from playground.compare.present import cancel_choices, status_rows
    from playground.compare.snapshot import BatchSnapshot

    snapshot = BatchSnapshot.from_dict({"batch_id": "b1", "cells": [
        {"cell": i, "row": "p1-s1", "row_label": "prompt 1 · seed 1", "label": label, "status": "running",
         "position": 2, "last_log": f"offline preview of {label}", "estimated_cost_usd": 0.5, "error": f"{label} x",
         "endpoint_id": label} for i, label in enumerate(["1.0 Lite", "2.0"])]})
    table = status_rows(snapshot, True, set())
    assert [row[1] for row in table] == ["Clip A", "Clip B"] and all(row[3:] == [""] * 5 for row in table)
    assert not any("Lite" in str(row) or "2.0" in str(row) for row in table)
    choices = cancel_choices(snapshot, True, set())
    assert [label for label, _ in choices] == ["prompt 1 · seed 1 · Clip A", "prompt 1 · seed 1 · Clip B"]
    assert all(len(value) == 16 and not value.isdigit() for _, value in choices)


def test_the_plan_counts_new_reused_and_skipped_cells_and_prices_only_the_new(playground):
    """An extension adds a prompt variant and a seed: the batch's own cells are skipped, the rest priced; a fresh
    spec asking to reuse finds the extended batch's runs (same visitor), a drawn seed never."""
    visitor = playground.sessions.visitor(session="me")
    base = {"prompts": ["a kite at dusk"], "endpoints": [LITE_T2V, PRO_T2V], "seeds": [1],
            "arguments": {"resolution": "480p", "duration": "2"}}
    first, _ = asyncio.run(_run(playground, base, visitor=visitor))
    grown = {**base, "prompts": ["a kite at dusk", "a kite at dawn"], "seeds": [1, 2], "extend": first["batch_id"]}
    arranged = playground.comparisons.arrange(grown, visitor)
    assert (len(arranged.new), len(arranged.kept), len(arranged.reused)) == (6, 2, 0)
    assert arranged.plan.cells[0].prompt == "a kite at dusk"  # the batch's prompt keeps its number (its rows stay)
    text = plan_text(playground, grown, visitor)
    assert "**6 new**" in text and "**2 skipped**" in text and f"${arranged.new_usd:.4f} for the 6 new" in text
    assert arranged.new_usd == pytest.approx(sum(c.estimate.usd for c in arranged.plan.cells[2:]))
    again = plan_text(playground, {**base, "reuse": True}, visitor)
    assert "**0 new**" in again and "**2 reused**" in again and "$0.0000" in again
    teammate = playground.sessions.visitor(session="you")  # a private deployment is one workspace: theirs too
    assert "**2 reused**" in plan_text(playground, {**base, "reuse": True}, teammate)
    public = Playground(playground.catalog, playground.data_dir, "auto", offline=OfflineBackend(step_delay_s=0),
                        public=PublicMode(on=True))  # each visitor their own: another session reuses nothing
    assert "**0 reused**" in plan_text(public, {**base, "reuse": True}, public.sessions.visitor(session="you"))
    assert "**2 reused**" in plan_text(public, {**base, "reuse": True}, public.sessions.visitor(session="me"))
    with pytest.raises(InputError, match="shared settings"):
        playground.comparisons.arrange({**grown, "arguments": {"resolution": "720p"}}, visitor)


def test_the_last_snapshot_comes_when_the_batch_ends_not_after_a_fixed_wait(playground, monkeypatch):
    """Snapshots are coalesced over COALESCE_S while cells report; the batch ending cuts that wait short (it used to
    sleep it out after the change before the last)."""
    from playground.compare import comparisons

    monkeypatch.setattr(comparisons, "COALESCE_S", 30.0)  # a wait no run of two short offline cells comes near

    async def run():
        spec = {"prompts": ["a quick boat"], "endpoints": [LITE_T2V, PRO_FAST_T2V], "seeds": [3],
                "arguments": {"resolution": "480p", "duration": "2"}}
        return [answer async for answer in playground.comparisons.run(spec)]

    started = time.monotonic()
    answers = asyncio.run(run())
    assert answers[-1]["done"] and answers[-1]["counts"]["completed"] == 2
    assert time.monotonic() - started < 20  # not 30 s or more
