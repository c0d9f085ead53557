"""Prompt suites (playground/suites.py): the built-in suites load and probe what tiers differ on; a suite's content
hash ignores layout and changes with what it runs; malformed files are named with their key and left out; a
`/compare` names a suite instead of prompts (not both); a batch records the suite; running a suite again on more
endpoints extends its batch so only the new endpoint's cells are submitted (must-show 4, against the fake fal),
and the decision filtered to the suite covers every endpoint of it; an edited suite is a new suite."""

import asyncio
import hashlib
import json
import os

import pytest

from playground.backends.offline import OfflineBackend
from playground.compare.spec import StoredSpec, SuiteMark
from playground.errors import InputError
from playground.service import Playground
from playground.suites import BUILT_IN_DIR, SuiteError, Suites, parse_suite, read_suite_json

from conftest import LITE_T2V, PRO_FAST_T2V, PRO_T2V, V2_FAST_T2V

V2_T2V = "bytedance/seedance-2.0/text-to-video"
V15_T2V = "fal-ai/bytedance/seedance/v1.5/pro/text-to-video"
MOTION = "Motion and physics"  # built in: 4 prompts × 2 seeds, so 8 cells per endpoint
WEAKNESSES = {"motion", "faces-hands", "text", "physics", "camera", "multi-subject"}
TINY = {"name": "Tiny", "description": "one prompt, one seed", "mode": "text-to-video",
        "prompts": [{"text": "A red kite loops over a beach", "tags": ["motion"]}],
        "seeds": [5], "arguments": {"resolution": "480p", "duration": "2"}}


def hand_hash(mode, prompts, seeds, arguments):
    """The definition, computed here: SHA-256 of the canonical JSON (sorted keys, no spaces, ASCII) of mode, the
    prompt texts and seeds (as sets: sorted) and the shared arguments; first 12 hex digits."""
    canonical = json.dumps({"arguments": arguments, "mode": mode, "prompts": sorted(prompts), "seeds": sorted(seeds)},
                           sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def write_suite(folder, slug, raw, indent=2):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.json").write_text(raw if isinstance(raw, str) else json.dumps(raw, indent=indent), "utf-8")


def offline(catalog, data_dir, suites_dir=BUILT_IN_DIR):
    return Playground(catalog, data_dir, "auto", offline=OfflineBackend(step_delay_s=0), suites_dir=suites_dir)


async def _last(playground, asked, visitor):
    answers = [answer async for answer in playground.comparisons.run(asked, visitor)]
    return answers[-1]


def submits(fake_fal, catalog, since=0):
    """The endpoint of each job the fake fal was asked to run (a POST to the endpoint's own path), from the
    ``since``-th request on."""
    return [seen.path.lstrip("/") for seen in fake_fal.seen("POST")[since:] if seen.path.lstrip("/") in catalog]


# -- the built-in suites -----------------------------------------------------------------------------------------
def test_the_built_in_suites_load_and_probe_every_weakness(catalog):
    suites = Suites(catalog)
    assert suites.problems == []
    assert len(suites.all) == len(list(BUILT_IN_DIR.glob("*.json"))) >= 2
    assert set().union(*(suite.tags for suite in suites.all)) >= WEAKNESSES
    probes = suites.get("Probes: one prompt per weakness")
    assert {tag for p in probes.prompts for tag in p.tags} == WEAKNESSES  # one prompt per weakness, each there
    for suite in suites.all:  # each runs as it is on the endpoints it suggests (or one per family): within the caps
        asked = suites.expanded({"suite": suite.name})
        assert asked["prompts"] == [p.text for p in suite.prompts] and asked["suite"]["hash"] == suite.hash
        assert len(asked["prompts"]) * len(asked["seeds"]) * len(asked["endpoints"]) <= 32
        assert suites.get(os.path.basename(suite.file).removesuffix(".json")) == suite  # by its file's name too


# -- the content hash ------------------------------------------------------------------------------------------------
def test_the_hash_is_the_content_not_the_layout(catalog, tmp_path):
    tiny = parse_suite(TINY, catalog, "tiny.json")
    assert tiny.hash == hand_hash("text-to-video", ["A red kite loops over a beach"], [5],
                                  {"resolution": "480p", "duration": "2"})
    relaid = {"seeds": [5], "arguments": {"duration": "2", "resolution": "480p"}, "mode": "text-to-video",
              "prompts": [{"tags": ["physics", "camera"], "text": "A red kite loops over a beach"}],
              "description": "said otherwise", "name": "Tiny"}  # keys reordered, new words and tags
    write_suite(tmp_path, "relaid", json.dumps(relaid, indent=None, separators=(",", ":")))
    assert Suites(catalog, tmp_path).get("Tiny").hash == tiny.hash
    two = {**TINY, "prompts": [*TINY["prompts"], {"text": "A blue kite dives", "tags": ["motion"]}], "seeds": [5, 6]}
    flipped = {**two, "prompts": two["prompts"][::-1], "seeds": [6, 5]}  # the same cells in another order
    assert parse_suite(two, catalog, "a").hash == parse_suite(flipped, catalog, "b").hash
    edits = [{"prompts": [{"text": "A red kite loops over a lake", "tags": ["motion"]}]}, {"seeds": [6]},
             {"arguments": {"resolution": "720p", "duration": "2"}},
             {"mode": "image-to-video", "arguments": {"image_url": "https://x.test/a.png"}}]
    hashes = {parse_suite({**TINY, **edit}, catalog, "edited").hash for edit in edits}
    assert len(hashes) == len(edits) and tiny.hash not in hashes


# -- malformed files ---------------------------------------------------------------------------------------------------
BAD = [  # (case, the file's text or JSON, the key the problem names, words in it)
    ("not JSON", '{"name": "x",', "line 1", "invalid JSON"),
    ("a key twice", '{"name": "a", "name": "b"}', "-", "given twice"),
    ("not an object", "[1, 2]", "-", "JSON object"),
    ("unknown key", {**TINY, "tiers": []}, "tiers", "unknown key"),
    ("no name", {k: v for k, v in TINY.items() if k != "name"}, "name", "text"),
    ("a name of two lines", {**TINY, "name": "Tiny\u2028two"}, "name", "one line"),
    ("unknown mode", {**TINY, "mode": "audio-to-video"}, "mode", "is not one of"),
    ("no prompts", {**TINY, "prompts": []}, "prompts", "1 to 8"),
    ("nine prompts", {**TINY, "prompts": [{"text": f"p{i}", "tags": ["motion"]} for i in range(9)]}, "prompts",
     "1 to 8"),
    ("a bare string prompt", {**TINY, "prompts": ["a kite"]}, "prompts[0]", '"text"'),
    *[(f"a prompt with line break U+{ord(b):04X}",
       {**TINY, "prompts": [{"text": f"a kite{b}a boat", "tags": ["motion"]}]}, "prompts[0].text", "one line")
      for b in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"],
    ("a template prompt", {**TINY, "prompts": [{"text": "a {red|blue} kite", "tags": ["motion"]}]}, "prompts[0].text",
     "{a|b}"),
    ("a blank prompt", {**TINY, "prompts": [{"text": " \u200b ", "tags": ["motion"]}]}, "prompts[0].text", "blank"),
    ("a prompt twice", {**TINY, "prompts": TINY["prompts"] * 2}, "prompts", "twice"),
    ("prompts too long", {**TINY, "prompts": [{"text": c * 100_001, "tags": ["motion"]} for c in "ab"]}, "prompts",
     "200,000"),
    ("no tags", {**TINY, "prompts": [{"text": "a kite"}]}, "prompts[0].tags", "lower case"),
    ("a tag in capitals", {**TINY, "prompts": [{"text": "a kite", "tags": ["Motion"]}]}, "prompts[0].tags", "lower"),
    ("a lone surrogate", '{"name": "x\\ud800", "mode": "text-to-video"}', "name", "surrogate"),
    ("no seeds", {**TINY, "seeds": []}, "seeds", "1 to 8"),
    ("seed true", {**TINY, "seeds": [True]}, "seeds", "whole numbers"),
    ("seed -1", {**TINY, "seeds": [-1]}, "seeds", "whole numbers"),
    ("a seed twice", {**TINY, "seeds": [3, 3]}, "seeds", "different"),
    ("prompt in arguments", {**TINY, "arguments": {"prompt": "x"}}, "arguments", "no prompt or seed"),
    ("a resolution no tier has", {**TINY, "arguments": {"resolution": "4K"}}, "arguments.resolution", "not allowed"),
    ("a field no tier has", {**TINY, "arguments": {"image_url": "https://x.test/a.png"}}, "arguments.image_url",
     "unknown field"),
    ("an endpoint of another mode", {**TINY, "endpoints": ["bytedance/seedance-2.0/image-to-video"]}, "endpoints",
     "mode"),
    ("an endpoint that is not text", {**TINY, "endpoints": [{"id": 1}]}, "endpoints", "mode"),
]


@pytest.mark.parametrize("case, raw, key, words", BAD, ids=[b[0] for b in BAD])
def test_a_malformed_suite_is_named_with_its_key_and_the_others_still_load(catalog, tmp_path, case, raw, key, words):
    write_suite(tmp_path, "bad", raw)
    write_suite(tmp_path, "good", TINY)
    suites = Suites(catalog, tmp_path)
    assert suites.names() == ["Tiny"]
    assert len(suites.problems) >= 1 and all(p.startswith(f"{tmp_path / 'bad.json'}: ") for p in suites.problems)
    assert any(p.split(": ", 2)[1] == key and words in p for p in suites.problems), suites.problems


def test_two_suites_of_one_name_keep_the_first_and_a_pipe_does_not_hang_start_up(catalog, tmp_path):
    write_suite(tmp_path, "a-first", TINY)
    write_suite(tmp_path, "b-again", {**TINY, "seeds": [9]})
    os.mkfifo(tmp_path / "c-pipe.json")
    suites = Suites(catalog, tmp_path)
    assert [s.seeds for s in suites.all] == [(5,)]
    assert any("b-again.json: name:" in p and "used by another suite" in p for p in suites.problems)
    assert any("c-pipe.json" in p for p in suites.problems)


def test_read_suite_json_refuses_nesting_too_deep():
    with pytest.raises(SuiteError) as refused:  # named with its file, not a RecursionError
        read_suite_json("[" * 100_000 + "]" * 100_000, "deep.json")
    assert "deep.json" in str(refused.value)


# -- a /compare naming a suite -----------------------------------------------------------------------------------------
ODD_NAMES = ["", *[f"Tiny{b}" for b in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"], "Tiny\ud800", "T" * 100_000]


def test_a_request_names_a_suite_or_its_own_prompts_never_both(catalog, tmp_path):
    write_suite(tmp_path / "suites", "tiny", TINY)
    playground = offline(catalog, tmp_path / "data", tmp_path / "suites")
    visitor = playground.sessions.visitor(session="me")
    for own in ({"prompts": ["x"]}, {"seeds": [1]}, {"random_seeds": 2}, {"arguments": {}},
                {"overrides": {LITE_T2V: {}}}):
        with pytest.raises(InputError) as both:
            playground.comparisons.arrange({"suite": "Tiny", "endpoints": [LITE_T2V], **own}, visitor)
        assert both.value.fields == ["suite"] and "not both" in str(both.value)
    for name in ODD_NAMES:  # read as a name, refused with the suites there are, nothing else read
        with pytest.raises(InputError) as unknown:
            playground.comparisons.arrange({"suite": name, "endpoints": [LITE_T2V]}, visitor)
        assert unknown.value.fields == ["suite"] and "['Tiny']" in str(unknown.value)
        assert len(str(unknown.value)) < 400
        view = playground.compare.suite_plan(name, [LITE_T2V], False, False, visitor)  # the tab never raises
        assert not view.can_run
    with pytest.raises(InputError) as other_mode:
        playground.comparisons.arrange({"suite": "Tiny", "endpoints": ["bytedance/seedance-2.0/image-to-video"]},
                                       visitor)
    assert other_mode.value.fields == ["endpoints"]
    with pytest.raises(InputError) as forged:  # a mark for other cells than the suite's
        playground.comparisons.arrange({"prompts": ["another kite"], "endpoints": [LITE_T2V], "seeds": [5],
                                        "arguments": TINY["arguments"],
                                        "suite": {"name": "Tiny", "hash": parse_suite(TINY, catalog, "t").hash}},
                                       visitor)
    assert forged.value.fields == ["suite"]
    assert playground.results.read().empty  # nothing ran


def test_the_batch_records_its_suite_and_the_answer_says_it(catalog, tmp_path):
    write_suite(tmp_path / "suites", "tiny", TINY)
    playground = offline(catalog, tmp_path / "data", tmp_path / "suites")
    visitor = playground.sessions.visitor(session="me")
    tiny_hash = hand_hash("text-to-video", ["A red kite loops over a beach"], [5], TINY["arguments"])
    answer = asyncio.run(_last(playground, {"suite": "tiny", "endpoints": [LITE_T2V, PRO_T2V]}, visitor))
    assert answer["suite"] == {"name": "Tiny", "hash": tiny_hash} and answer["counts"]["completed"] == 2
    kept = json.loads((tmp_path / "data" / "batches" / f"{answer['batch_id']}.json").read_text())
    assert kept["spec"]["suite"] == {"name": "Tiny", "hash": tiny_hash}
    assert playground.comparisons.kept.get(answer["batch_id"], visitor).spec.suite == SuiteMark("Tiny", tiny_hash)
    plain = asyncio.run(_last(playground, {"prompts": ["x"], "endpoints": [LITE_T2V], "seeds": [1],
                                           "arguments": TINY["arguments"]}, visitor))
    assert "suite" not in plain  # a comparison of one's own prompts is no suite's
    older = {k: v for k, v in kept["spec"].items() if k != "suite"}  # a file kept before suites existed
    assert StoredSpec.from_dict(older).suite is None
    assert StoredSpec.from_dict({**older, "suite": {"name": "Tiny", "hash": "not-a-hash"}}).suite is None


def test_an_extension_of_a_suite_batch_may_add_endpoints_only(catalog, tmp_path):
    write_suite(tmp_path / "suites", "tiny", TINY)
    playground = offline(catalog, tmp_path / "data", tmp_path / "suites")
    visitor = playground.sessions.visitor(session="me")
    first = asyncio.run(_last(playground, {"suite": "Tiny", "endpoints": [LITE_T2V]}, visitor))
    plain = {"prompts": "", "endpoints": [PRO_T2V], "arguments": TINY["arguments"], "extend": first["batch_id"]}
    arranged = playground.comparisons.arrange(plain, visitor)  # the form's "Add to the batch below", no new prompt
    assert arranged.plan.spec.suite == SuiteMark("Tiny", parse_suite(TINY, catalog, "t").hash)
    assert (len(arranged.new), len(arranged.kept)) == (1, 1)
    for more in ({"prompts": "a green kite"}, {"seeds": [6]}, {"random_seeds": 1}):
        with pytest.raises(InputError) as refused:
            playground.comparisons.arrange({**plain, **more}, visitor)
        assert refused.value.fields == ["suite"] and "endpoints only" in str(refused.value)


# -- must-show 4: extended to a 4th endpoint, only its cells are submitted --------------------------------------------
def test_a_suite_extended_to_a_fourth_endpoint_submits_only_its_cells(fal_playground, fake_fal, catalog):
    """'Motion and physics' (4 prompts × 2 seeds) on three endpoints, then Run suite again with a fourth: the fake
    fal sees the fourth's 8 submits and nothing else; the batch holds all 32 cells; the decision filtered to the
    suite covers the four endpoints, and leaves out votes on a batch of the same prompts that is not the suite's."""
    playground, visitor = fal_playground, fal_playground.sessions.visitor(session="me")
    runs = playground.comparisons.suite_runs
    three = [LITE_T2V, PRO_FAST_T2V, V2_T2V]
    first = asyncio.run(_last(playground, runs.request(MOTION, three, visitor, confirm=True), visitor))
    assert first["counts"]["completed"] == 24 and first["suite"]["name"] == MOTION
    assert sorted(submits(fake_fal, catalog)) == sorted(three * 8)

    four = [*three, V2_FAST_T2V]
    plan = playground.compare.suite_plan(MOTION, four, True, False, visitor)
    assert plan.can_run and f"Extends batch {first['batch_id']}" in plan.markdown
    assert "only 2.0 fast's 8 cells run" in plan.markdown and "its 24 finished cells are kept" in plan.markdown
    posted = len(fake_fal.seen("POST"))
    second = asyncio.run(_last(playground, runs.request(MOTION, four, visitor, confirm=True), visitor))
    assert submits(fake_fal, catalog, posted) == [V2_FAST_T2V] * 8  # nothing paid twice
    assert second["batch_id"] == first["batch_id"] and second["origins"] == {"new": 8, "reused": 0, "kept": 24}
    assert {c["endpoint_id"] for c in second["cells"]} == set(four) and second["counts"]["completed"] == 32
    assert playground.compare.suite_scope(MOTION, "") == (frozenset({first["batch_id"]}), None)

    suite = playground.comparisons.suites.get(MOTION)  # the same prompts outside the suite, voted on: not pooled
    own = {"prompts": [p.text for p in suite.prompts][:1], "endpoints": [PRO_T2V, LITE_T2V], "seeds": [7],
           "arguments": suite.arguments}
    other = asyncio.run(_last(playground, own, visitor))
    voting = playground.comparisons.voting
    for n, row in enumerate(f"{p} × {s}" for p in range(1, 5) for s in (7, 42)):
        voting.vote_by_id(first["batch_id"], row, "ABCD"[n % 4], visitor)  # each endpoint wins twice
    voting.vote_by_id(other["batch_id"], "1 × 7", "A", visitor)
    everything = playground.compare.decisions({})  # as the Decide tab asks
    scoped = playground.compare.decisions({"suite": MOTION})
    assert PRO_T2V in {p.endpoint_id for d in everything for p in d.points}
    assert {p.endpoint_id for d in scoped for p in d.points} == set(four) and sum(d.votes for d in scoped) == 8
    assert {e for d in scoped for tie_class in d.classes for e in tie_class} == set(four)
    answered = playground.api.decide(json.dumps({"suite": MOTION}))  # and as `/decide` does
    assert {e for pool in answered["pools"] for tie_class in pool["classes"] for e in tie_class} == set(four)


# -- an edited suite is a new suite -----------------------------------------------------------------------------------
def test_an_edited_suite_does_not_pool_with_or_extend_its_old_batches(catalog, tmp_path):
    suites_dir = tmp_path / "suites"
    write_suite(suites_dir, "tiny", TINY)
    before = offline(catalog, tmp_path / "data", suites_dir)
    visitor = before.sessions.visitor(session="me")
    old = asyncio.run(_last(before, before.comparisons.suite_runs.request("Tiny", [LITE_T2V], visitor), visitor))
    assert before.compare.suite_scope("Tiny", "") == (frozenset({old["batch_id"]}), None)

    write_suite(suites_dir, "tiny", {**TINY, "prompts": [{"text": "A red kite loops over a lake", "tags": ["motion"]}]})
    after = offline(catalog, tmp_path / "data", suites_dir)  # the app started again with the edited file
    assert after.compare.suite_scope("Tiny", "") == (frozenset(), None)
    request = after.comparisons.suite_runs.request("Tiny", [LITE_T2V, PRO_T2V], visitor)
    assert "extend" not in request  # a new batch: the old one ran what the suite was
    with pytest.raises(InputError) as refused:
        after.comparisons.arrange({**request, "extend": old["batch_id"]}, visitor)
    assert refused.value.fields == ["extend"] and "edited suite is a new suite" in str(refused.value)
    new = asyncio.run(_last(after, request, visitor))
    assert new["batch_id"] != old["batch_id"] and new["origins"]["new"] == 2
    assert after.compare.suite_scope("Tiny", "") == (frozenset({new["batch_id"]}), None)


def test_run_suite_extends_only_a_batch_its_endpoints_cover(catalog, tmp_path):
    """The newest batch of the suite whose endpoints are all chosen; a batch on an endpoint left out is not it."""
    write_suite(tmp_path / "suites", "tiny", TINY)
    playground = offline(catalog, tmp_path / "data", tmp_path / "suites")
    me, runs = playground.sessions.visitor(session="me"), playground.comparisons.suite_runs
    on_lite = asyncio.run(_last(playground, runs.request("Tiny", [LITE_T2V], me), me))
    on_pro = asyncio.run(_last(playground, runs.request("Tiny", [PRO_T2V], me), me))
    assert "extend" not in runs.request("Tiny", [PRO_FAST_T2V], me)
    assert runs.request("Tiny", [LITE_T2V, PRO_FAST_T2V], me)["extend"] == on_lite["batch_id"]
    assert runs.request("Tiny", [LITE_T2V, PRO_T2V], me)["extend"] == on_pro["batch_id"]  # the newest
    said = playground.compare.suite_plan("Tiny", [LITE_T2V], False, False, me).markdown
    assert f"Extends batch {on_lite['batch_id']}**: nothing new runs" in said
    with pytest.raises(InputError) as none:
        runs.request("Tiny", [], me)
    assert none.value.fields == ["endpoints"]


# -- the decision's filter ---------------------------------------------------------------------------------------------
def test_suite_scope_resolves_a_suite_and_a_tag(catalog, tmp_path):
    write_suite(tmp_path / "suites", "tiny", TINY)
    write_suite(tmp_path / "suites", "pair", {**TINY, "name": "Pair", "prompts": [
        {"text": "A glass falls and breaks", "tags": ["physics"]}, {"text": "A red kite loops", "tags": ["motion"]}]})
    scope = offline(catalog, tmp_path / "data", tmp_path / "suites").compare.suite_scope
    assert scope("", "") == (None, None)
    assert scope("Pair", "") == (frozenset(), None)  # no batch yet
    assert scope("", "motion") == (None, frozenset({"A red kite loops over a beach", "A red kite loops"}))
    assert scope("", "physics") == (None, frozenset({"A glass falls and breaks"}))
    for name, tag, field in (("Nope", "", "suite"), ("", "sound", "tag")):
        with pytest.raises(InputError) as unknown:
            scope(name, tag)
        assert unknown.value.fields == [field]


def test_the_decide_tab_offers_the_suites_and_their_tags(playground):
    choices = playground.compare.decide_choices()
    assert choices["suite"] == playground.comparisons.suites.names() and MOTION in choices["suite"]
    assert set(choices["tag"]) >= WEAKNESSES and choices["tag"] == sorted(choices["tag"])


def test_the_app_starts_without_a_suites_folder(catalog, tmp_path):
    playground = offline(catalog, tmp_path / "data", tmp_path / "none")
    assert playground.compare.suite_names("text-to-video") == [] and playground.comparisons.suites.problems == []


# -- the named API -----------------------------------------------------------------------------------------------------
def test_compare_names_a_built_in_suite_through_gradio_client(client, app_data_dir, catalog):
    """`/compare` with a suite's name runs its prompts × seeds and says which suite (and hash) in the answer and the
    kept batch; the same request with prompts of its own is refused, naming the field, and runs nothing."""
    from gradio_client.exceptions import AppError

    probes = Suites(catalog).get("Probes: one prompt per weakness")
    answer = client.predict(json.dumps({"suite": probes.name, "endpoints": [LITE_T2V]}), api_name="/compare")
    assert answer["suite"] == {"name": probes.name, "hash": probes.hash} and answer["counts"]["completed"] == 6
    assert [c["prompt"] for c in answer["cells"]] == [p.text for p in probes.prompts]
    kept = json.loads((app_data_dir / "batches" / f"{answer['batch_id']}.json").read_text())
    assert kept["spec"]["suite"] == answer["suite"]
    with pytest.raises(AppError, match="suite: give a suite or prompts, not both"):
        client.predict(json.dumps({"suite": probes.name, "endpoints": [LITE_T2V], "prompts": ["x"]}),
                       api_name="/compare")
