"""The judge's instructions: an editable data file, filled in with a row's prompt verbatim (one pass over the known
placeholders, never str.format), its version and content hash in each judge's name, a malformed file refused with
its name and what is wrong."""

import json
import os
import re

import pytest

from playground.errors import CatalogError
from playground.judging.instructions import INSTRUCTIONS_PATH, load_instructions

LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
HOSTILE = [
    "{prompt}",
    "a kite {count} {sound} {clip} over {prompt} the sea",
    'quotes " \' `` ``` {"present": []} }{ {{prompt}} \\1 \\g<0> $1 %s {0}',
    f"line{LINE_BREAKS.join(['1', '2', '3'])}end",
    "\u202eright-to-left\u200b zero-width 🪁 風箏",
    "x" * 100_000,
]
SMALL = {"version": "test 1", "system": "Judge.", "clip": "P<{prompt}> {sound}.", "row": "N={count} P<{prompt}>\n{sound}",
         "sound_with": "S", "sound_without": "N", "sound_line": "{clip}:{sound}"}


def write(tmp_path, content, name="instructions.json"):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


@pytest.mark.parametrize("prompt", HOSTILE)
def test_a_hostile_prompt_is_inserted_verbatim_once(tmp_path, prompt):
    small = load_instructions(write(tmp_path, SMALL))
    assert small.clip_prompt(prompt, True) == f"P<{prompt}> S."
    assert small.clip_prompt(prompt, False) == f"P<{prompt}> N."
    assert small.row_prompt(prompt, 3, [True, False, True]) == f"N=3 P<{prompt}>\n1:S\n2:N\n3:S"
    shipped = load_instructions()
    for text in (shipped.clip_prompt(prompt, True), shipped.row_prompt(prompt, 2, [False, True])):
        before, after = text.split(prompt)  # exactly once
        assert not re.search(r"\{(prompt|count|sound|clip)\}", before + after)  # every placeholder filled


def test_the_shipped_instructions_say_what_the_reader_reads():
    shipped = load_instructions()
    clip = shipped.clip_prompt("a red kite over a beach", True)
    assert "ONE JSON object" in clip and '"adherence": {"score": 1-5, "reason": "one line"}' in clip
    assert 'this clip has sound: score how well the sound fits the scene' in clip
    assert 'this clip has no sound: give "sound": null' in shipped.clip_prompt("a kite", False)
    row = shipped.row_prompt("a kite", 3, [True, False, True])
    assert "You are judging 3 short" in row and '"best": a clip number or "tie" or "none"' in row
    assert "- clip 1 has sound" in row and '- clip 2 has no sound: give "sound": null.' in row
    assert "- clip 3 has sound" in row and "clip 1 to clip 3, each once" in row
    assert shipped.system.startswith("You are a strict, fair judge") and "{" not in shipped.system
    for words in (clip, row, shipped.system):
        assert "seedance" not in words.lower() and "fal-ai" not in words  # the judge is told no endpoint


def test_the_version_carries_a_hash_of_the_content(tmp_path):
    shipped = load_instructions()
    assert re.fullmatch(r"rubric 1#[0-9a-f]{6}", shipped.tag) and shipped.version == "rubric 1"
    raw = json.loads(INSTRUCTIONS_PATH.read_text(encoding="utf-8"))
    same = load_instructions(write(tmp_path, json.dumps(raw, indent=7, ensure_ascii=True), "relaid.json"))
    assert same.digest == shipped.digest  # layout and escapes are not content
    noted = load_instructions(write(tmp_path, {**raw, "about": "my notes"}, "noted.json"))
    assert noted.digest == shipped.digest  # the note for editors does not reach the judge
    edited = load_instructions(write(tmp_path, {**raw, "system": raw["system"] + " Be brief."}, "edited.json"))
    assert edited.version == "rubric 1" and edited.tag != shipped.tag  # an edit nobody versioned is a new judge
    bumped = load_instructions(write(tmp_path, {**raw, "version": "rubric 2"}, "bumped.json"))
    assert bumped.tag.startswith("rubric 2#") and bumped.digest != shipped.digest


def test_a_row_needs_a_sound_flag_per_clip():
    with pytest.raises(ValueError):
        load_instructions().row_prompt("a kite", 2, [True])
    with pytest.raises(ValueError):
        load_instructions().row_prompt("a kite", 0, [])


@pytest.mark.parametrize("content, field, words", [
    ("{not json", "line 1", "invalid JSON"),
    ("[]", "-", "must be a JSON object"),
    ({**SMALL, "clip": None}, "clip", "must be non-empty text"),
    ({**SMALL, "row": " \n "}, "row", "must be non-empty text"),
    ({k: v for k, v in SMALL.items() if k != "sound_line"}, "sound_line", "missing"),
    ({**SMALL, "clips": "P {prompt}"}, "clips", "unknown key"),
    ({**SMALL, "clip": "no placeholder here, {sound}"}, "clip", "must hold {prompt} exactly 1 time, holds it 0 times"),
    ({**SMALL, "clip": "{prompt} and {prompt} {sound}"}, "clip", "must hold {prompt} exactly 1 time, holds it 2 times"),
    ({**SMALL, "clip": "{prompt}"}, "clip", "must hold {sound} at least 1 time"),
    ({**SMALL, "clip": "{promt} {prompt} {sound}"}, "clip", "unknown placeholder {promt}"),
    ({**SMALL, "clip": "{prompt} {sound} {count}"}, "clip", "unknown placeholder {count}"),
    ({**SMALL, "row": "{prompt} {sound}"}, "row", "must hold {count} at least 1 time"),
    ({**SMALL, "system": "Judge {prompt}."}, "system", "unknown placeholder {prompt}"),
    ({**SMALL, "sound_line": "{sound}"}, "sound_line", "must hold {clip}"),
    ({**SMALL, "version": "rubric\n2"}, "version", "one printable line"),
    ({**SMALL, "version": "v" * 61}, "version", "at most 60"),
    ({**SMALL, "version": 2}, "version", "one printable line"),
    ({**SMALL, "version": "  "}, "version", "one printable line"),
    ('{"version": "a", "version": "b"}', "version", "appears twice"),
    (json.dumps({**SMALL, "clip": "P {prompt} {sound} \ud800"}), "clip", "lone surrogate"),
    ("[" * 100_000 + "]" * 100_000, "-", "nested too deeply"),
])
def test_a_malformed_file_is_refused_naming_it_and_what_is_wrong(tmp_path, content, field, words):
    path = write(tmp_path, content)
    with pytest.raises(CatalogError) as refused:
        load_instructions(path)
    assert refused.value.file == str(path) and refused.value.field == field and words in str(refused.value)


def test_files_that_cannot_be_read(tmp_path):
    cases = {tmp_path / "absent.json": "does not exist", tmp_path: "is a folder"}
    (tmp_path / "latin1.json").write_bytes(json.dumps(SMALL).encode() + b"\xe9")
    cases[tmp_path / "latin1.json"] = "is not UTF-8 text"
    (tmp_path / "huge.json").write_text(" " * 300_000 + json.dumps(SMALL), encoding="utf-8")
    cases[tmp_path / "huge.json"] = "a file here holds at most 256,000"
    os.mkfifo(tmp_path / "pipe.json")
    cases[tmp_path / "pipe.json"] = "named pipe"  # refused at once, never waited on
    for path, words in cases.items():
        with pytest.raises(CatalogError) as refused:
            load_instructions(path)
        assert refused.value.file == str(path) and words in str(refused.value)
