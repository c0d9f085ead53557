"""The judges as data: their names (model and instructions' version in them), the default, the price of judging a
row (fal's $0.01 per 5 s of video per clip; the router's tokens at the data's prices, by hand), the request bodies
(the fake fal's own check accepts them) and malformed facts files refused naming the file and the field."""

import json
import math
import re
import shutil

import pytest

from playground.errors import CatalogError, InputError
from playground.judging.instructions import load_instructions
from playground.judging.judges import JUDGES_DIR, Clip, load_judges, price, requests

from fake_fal import judge_input_problems

UNDERSTANDING = "fal-ai/video-understanding"
ROUTER = "openrouter/router/video"
URLS = [f"https://v3.fal.media/files/clip-{n}.mp4" for n in range(1, 5)]
TINY = {"version": "tiny 1", "system": "Judge.", "clip": "{prompt} {sound}", "row": "{count} clips: {prompt}\n{sound}",
        "sound_with": "S", "sound_without": "N", "sound_line": "{clip}{sound}"}


@pytest.fixture
def judges():
    return load_judges()


@pytest.fixture
def tiny(tmp_path):
    """The shipped judges told tiny instructions, so a prompt's tokens can be counted by hand."""
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY), encoding="utf-8")
    return load_judges(instructions=path)


def test_names_carry_the_model_and_the_instructions_version(judges):
    tag = load_instructions().tag
    assert re.fullmatch(r"rubric 1#[0-9a-f]{6}", tag)
    assert judges.names() == [f"fal video-understanding · {tag}",
                              f"OpenRouter video (fal) · google/gemini-2.5-flash · {tag}",
                              f"OpenRouter video (fal) · google/gemini-2.5-pro · {tag}"]
    default = judges.get("")
    assert default.name == judges.names()[0] and default.endpoint.endpoint_id == UNDERSTANDING and default.model == ""
    assert judges.get(judges.names()[2]).model == "google/gemini-2.5-pro"


def test_other_instructions_are_other_judges(judges, tiny):
    assert tiny.names()[0].endswith(f"· {tiny.instructions.tag}") and tiny.instructions.tag.startswith("tiny 1#")
    with pytest.raises(InputError) as refused:
        tiny.get(judges.names()[0])  # a verdict's judge under instructions no longer in force
    assert refused.value.fields == ["judge"]


@pytest.mark.parametrize("name", ["nobody", "fal video-understanding", "fal video-understanding · rubric 1",
                                  "x" * 100_000, "\ud800", "OpenRouter video (fal)\n"])
def test_an_unknown_judge_is_refused_naming_the_known_ones(judges, name):
    with pytest.raises(InputError) as refused:
        judges.get(name)
    (field, message), = refused.value.problems
    assert field == "judge" and all(known in message for known in judges.names()) and len(message) < 1_000


def test_the_endpoints_facts(judges):
    understanding, router = judges.endpoint(UNDERSTANDING), judges.endpoint(ROUTER)
    assert (understanding.scope, understanding.video_field, understanding.system_field) == ("clip", "video_url", "")
    assert (router.scope, router.video_field, router.system_field, router.model_field) == \
        ("row", "video_urls", "system_prompt", "model")
    flash = router.models[0]  # the reference's and Google's figures
    assert (flash.model_id, flash.usd_per_million_input_tokens, flash.usd_per_million_output_tokens,
            flash.video_tokens_per_second, flash.confidence) == ("google/gemini-2.5-flash", 0.30, 2.50, 263, "estimated")
    assert judges.unit_price(UNDERSTANDING) == 0.01 and judges.unit_price(ROUTER) is None
    assert judges.endpoint("fal-ai/nothing") is None and judges.unit_price("fal-ai/nothing") is None


def clips(*seconds, audio=False):
    return [Clip(URLS[i % 4], s, audio) for i, s in enumerate(seconds)]


@pytest.mark.parametrize("seconds, usd", [
    ((5,), 0.01),  # fal: $0.01 per 5 s of video
    ((5, 5, 5, 5), 0.04),  # a row of four clips: four calls
    ((7,), 0.02),  # 7 s = one block and a partial one, rounded up
    ((5.04,), 0.02),  # 121 frames at 24 fps
    ((5.0000001,), 0.01),  # a probe's float noise is not a second block
    ((0.5,), 0.01),
    ((10,), 0.02),
    ((4, 7, 12), 0.01 + 0.02 + 0.03),
])
def test_video_understanding_costs_a_cent_per_started_five_seconds(judges, seconds, usd):
    quoted = price(judges.get(""), clips(*seconds), "a kite")
    assert quoted.usd == pytest.approx(usd) and quoted.formula.endswith(f"= ${usd:.4f}")
    assert "partial block counted whole" in quoted.notes[0]


def test_the_rounding_is_data(tmp_path):
    root = tmp_path / "judges"
    shutil.copytree(JUDGES_DIR, root)
    facts = json.loads((root / "video-understanding.json").read_text(encoding="utf-8"))
    facts["pricing"]["rounding"] = "fraction"
    (root / "video-understanding.json").write_text(json.dumps(facts), encoding="utf-8")
    assert price(load_judges(root).get(""), clips(7), "a kite").usd == pytest.approx(7 / 5 * 0.01)


def test_the_router_price_by_hand(tiny):
    row = [Clip(URLS[0], 5, True), Clip(URLS[1], 7, False)]
    # text: "Judge." (6 bytes) + "2 clips: a kite\n1S\n2N" (21 bytes) = 27 bytes / 4 per token → 7 tokens
    # video: (5 + 7) s × 263 = 3,156 tokens; audio: 5 s × 32 = 160 tokens (only clip 1 has sound)
    # output: 2 clips × 250 + 60 per call (+ reasoning: Flash 0, Pro 1,000)
    flash = (7 + 3156) * 0.30 / 1e6 + 160 * 1.00 / 1e6 + 560 * 2.50 / 1e6
    pro = (7 + 3156) * 1.25 / 1e6 + 160 * 1.25 / 1e6 + 1560 * 10.0 / 1e6
    assert flash == pytest.approx(0.0025089) and pro == pytest.approx(0.01975375)
    quoted = price(tiny.get(tiny.names()[1]), row, "a kite")
    assert quoted.usd == pytest.approx(flash)
    assert quoted.formula == ("(7 text + 3,156 video tokens) × $0.3/M + 160 audio tokens × $1/M + 560 output tokens "
                              "× $2.5/M = $0.0025")
    assert any("estimated" in note for note in quoted.notes) and any("usage.cost" in note for note in quoted.notes)
    assert price(tiny.get(tiny.names()[2]), row, "a kite").usd == pytest.approx(pro)
    # a 5.04 s clip is six started seconds of frames; a prompt of 100,000 "é" is 200,000 bytes of text
    longer = price(tiny.get(tiny.names()[1]), [Clip(URLS[0], 5.04, False)], "é" * 100_000)
    text = math.ceil((6 + len("1 clips: \n1N") + 200_000) / 4)
    assert longer.usd == pytest.approx(((text + 6 * 263) * 0.30 + (250 + 60) * 2.50) / 1e6)


@pytest.mark.parametrize("row, words", [
    ([], "no clips to judge"),
    ([Clip(URLS[0], 5, False), Clip(URLS[1], 0.0, False)], "clip 2's length is unknown"),
    ([Clip(URLS[0], float("nan"), False)], "clip 1's length is unknown"),
    ([Clip(URLS[0], float("inf"), False)], "clip 1's length is unknown"),
    ([Clip(URLS[0], -5, False)], "clip 1's length is unknown"),
    ([Clip("", 5, False)], "clip 1 has no URL"),
])
def test_a_row_that_cannot_be_judged_or_priced(judges, row, words):
    for name in judges.names():
        for call in (price, requests):
            with pytest.raises(InputError) as refused:
                call(judges.get(name), row, "a kite")
            assert words in str(refused.value)


HOSTILE = 'a kite {prompt} "over"\u2028the {sea}\n' + "x" * 100_000


def test_per_clip_bodies(judges):
    row = [Clip(URLS[0], 5, True), Clip(URLS[1], 5, False), Clip(URLS[2], 7, True)]
    judge = judges.get("")
    bodies = requests(judge, row, HOSTILE)
    assert [body["video_url"] for body in bodies] == URLS[:3]  # one call per clip, in order
    assert [body["prompt"] for body in bodies] == [judge.instructions.clip_prompt(HOSTILE, c.has_audio) for c in row]
    for body in bodies:
        assert set(body) == {"video_url", "prompt", "detailed_analysis"} and body["detailed_analysis"] is False
        assert judge_input_problems(UNDERSTANDING, body) == []
        assert HOSTILE in body["prompt"] and json.loads(json.dumps(body)) == body


def test_a_row_body(judges):
    row = [Clip(URLS[3], 5, False), Clip(URLS[0], 10, True)]
    judge = judges.get(judges.names()[1])
    (body,) = requests(judge, row, HOSTILE)
    assert body == {"video_urls": [URLS[3], URLS[0]], "prompt": judge.instructions.row_prompt(HOSTILE, 2, [False, True]),
                    "system_prompt": judge.instructions.system, "model": "google/gemini-2.5-flash"}
    assert judge_input_problems(ROUTER, body) == []
    assert "seedance" not in json.dumps(body).lower()  # the judge sees clips 1..N, never which endpoint made them


def rewrite(root, name, change):
    path = root / name
    facts = json.loads(path.read_text(encoding="utf-8"))
    change(facts)
    path.write_text(json.dumps(facts), encoding="utf-8")


def models(facts):
    return facts["models"]


@pytest.mark.parametrize("name, change, field, words", [
    ("video-understanding.json", lambda f: f.update(scope="cell"), "scope", "must be 'clip' or 'row'"),
    ("video-understanding.json", lambda f: f.update(colour="red"), "-.colour", "unknown key"),
    ("video-understanding.json", lambda f: f.pop("label"), "-.label", "missing"),
    ("video-understanding.json", lambda f: f.update(label=""), "-.label", "must be non-empty text"),
    ("video-understanding.json", lambda f: f.update(position="1"), "position", "whole number"),
    ("video-understanding.json", lambda f: f.update(position=2), "position", "share one position"),
    ("video-understanding.json", lambda f: f.update(label="OpenRouter video (fal)"), "label", "share one label"),
    ("video-understanding.json", lambda f: f["inputs"].pop("video"), "inputs.video", "missing"),
    ("video-understanding.json", lambda f: f["inputs"].update(model="model"), "models", "each model once"),
    ("video-understanding.json", lambda f: f.update(extra={"video_url": "x"}), "extra", "none of them an input"),
    ("video-understanding.json", lambda f: f["pricing"].update(rule="per_call"), "pricing.rule", "must be one of"),
    ("video-understanding.json", lambda f: f["pricing"].update(usd_per_block=-0.01), "pricing.usd_per_block", "> 0"),
    ("video-understanding.json", lambda f: f["pricing"].update(usd_per_block=True), "pricing.usd_per_block", "> 0"),
    ("video-understanding.json", lambda f: f["pricing"].update(block_seconds="5"), "pricing.block_seconds", "> 0"),
    ("video-understanding.json", lambda f: f["pricing"].update(rounding="down"), "pricing.rounding", "'up'"),
    ("video-understanding.json", lambda f: f["pricing"].pop("source"), "pricing.source", "missing"),
    ("video-understanding.json", lambda f: f["billing"].pop("unit"), "billing.unit", "missing"),
    ("video-understanding.json", lambda f: f["billing"].update(usd_per_unit=0), "billing.usd_per_unit", "> 0"),
    ("video-understanding.json", lambda f: f.update(notes="none"), "notes", "list of text"),
    ("openrouter-router-video.json", lambda f: f.update(models=[]), "models", "each model once"),
    ("openrouter-router-video.json", lambda f: models(f).append(models(f)[0]), "models", "each model once"),
    ("openrouter-router-video.json", lambda f: models(f)[1].update(reasoning_tokens=1.5),
     "models[1].reasoning_tokens", "whole number ≥ 0"),
    ("openrouter-router-video.json", lambda f: models(f)[0].update(video_tokens_per_second=0),
     "models[0].video_tokens_per_second", "> 0"),
    ("openrouter-router-video.json", lambda f: models(f)[0].pop("usd_per_million_audio_tokens"),
     "models[0].usd_per_million_audio_tokens", "missing"),
    ("openrouter-router-video.json", lambda f: models(f)[0].update(id="x"), "models[0].id", "unknown key"),
    ("openrouter-router-video.json", lambda f: f["pricing"].update(answer_tokens_per_clip=-1),
     "pricing.answer_tokens_per_clip", "whole number ≥ 0"),
    ("openrouter-router-video.json", lambda f: f["pricing"].update(usd_per_block=0.01), "pricing.usd_per_block",
     "unknown key"),
])
def test_a_malformed_facts_file_is_refused_naming_it(tmp_path, name, change, field, words):
    root = tmp_path / "judges"
    shutil.copytree(JUDGES_DIR, root)
    rewrite(root, name, change)
    with pytest.raises(CatalogError) as refused:
        load_judges(root)
    assert refused.value.field == field and words in str(refused.value)
    assert refused.value.file in (str(root / name), str(root))


@pytest.mark.parametrize("text, field, words", [
    ("{", "line 1", "invalid JSON"),
    ("[]", "position", "whole number"),
    ('{"position": 3, "position": 4}', "position", "appears twice"),
])
def test_a_facts_file_that_is_not_one_object(tmp_path, text, field, words):
    root = tmp_path / "judges"
    shutil.copytree(JUDGES_DIR, root)
    (root / "third.json").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as refused:
        load_judges(root)
    assert refused.value.file == str(root / "third.json") and refused.value.field == field
    assert words in str(refused.value)


def test_no_facts_files(tmp_path):
    with pytest.raises(CatalogError, match="no judge facts files"):
        load_judges(tmp_path)
