"""Presets: every built-in one loads into its tab and runs offline; broken and odd files (pipes, links to devices,
huge files) are reported without waiting, not fatal; every name a person can type is saved under its own file and
label, replaces only its own earlier preset, or is refused with a message and changes nothing."""

import asyncio
import hashlib
import json
import os
import re
import unicodedata

import pytest

from playground import presets as presets_module
from playground.form import arguments_from_form, form_from_arguments
from playground.presets import BUILT_IN_DIR, Presets
from playground.service import Playground

from test_small_files import make_link_to_fifo, make_socket, make_sparse, promptly, release_pipes

BUILT_IN = sorted(path.stem for path in BUILT_IN_DIR.glob("*.json"))


def test_at_least_eight_built_in_presets_cover_what_users_ask_for(catalog):
    presets = Presets(catalog)
    assert presets.problems == [] and len(presets.all) == len(BUILT_IN) >= 8
    prompts = " ".join(p.arguments["prompt"] for p in presets.all)
    assert "[Low-angle shot]" in prompts and "@Image1" in prompts
    assert any(p.arguments.get("aspect_ratio") == "9:16" for p in presets.all)
    assert any("end_image_url" in p.arguments for p in presets.all)
    assert any("product" in p.name.lower() for p in presets.all)
    assert any(p.endpoint_id == "bytedance/seedance-2.0/reference-to-video" for p in presets.all)


@pytest.mark.parametrize("stem", BUILT_IN)
def test_built_in_preset_loads_into_its_tab_and_runs_offline(playground, stem):
    preset = next(p for p in playground.presets.all if p.file.endswith(f"{stem}.json"))
    endpoint, form = playground.tabs.preset_form(preset.label)
    arguments = arguments_from_form(endpoint, form)
    untouched = arguments_from_form(endpoint, form_from_arguments(endpoint, {}, playground.data_dir / "uploads"))
    assert arguments == {**untouched, **preset.arguments}  # the preset's values, the tab's own defaults elsewhere

    async def run():
        return [item async for item in playground.generate(endpoint.endpoint_id, arguments)][-1]

    result = asyncio.run(run())
    assert result.status == "completed" and result.checks == "ok" and result.seed == preset.arguments["seed"]


# (file name, content, key named in the problem)
BROKEN = [
    ("not-json.json", "{name: x", "line 1"),
    ("not-object.json", "[1, 2]", ": -:"),
    ("unknown-key.json", {"name": "a", "endpoint_id": "fal-ai/bytedance/seedance/v1/lite/text-to-video",
                          "arguments": {"prompt": "x"}, "colour": "red"}, ": colour:"),
    ("no-name.json", {"endpoint_id": "fal-ai/bytedance/seedance/v1/lite/text-to-video", "arguments": {"prompt": "x"}},
     ": name:"),
    ("bad-endpoint.json", {"name": "b", "endpoint_id": "fal-ai/nope", "arguments": {"prompt": "x"}}, ": endpoint_id:"),
    ("bad-value.json", {"name": "c", "endpoint_id": "bytedance/seedance-2.0/fast/text-to-video",
                        "arguments": {"prompt": "x", "resolution": "1080p"}}, ": arguments.resolution:"),
    ("duplicate.json", {"name": "Good one", "endpoint_id": "fal-ai/bytedance/seedance/v1/lite/text-to-video",
                        "arguments": {"prompt": "y"}}, ": name:"),
]


def test_broken_presets_are_reported_with_file_and_key_and_the_app_still_starts(tmp_path, catalog):
    folder = tmp_path / "presets"
    folder.mkdir()
    (folder / "a-good.json").write_text(json.dumps({"name": "Good one", "endpoint_id":
                                                    "fal-ai/bytedance/seedance/v1/lite/text-to-video",
                                                    "arguments": {"prompt": "fine", "resolution": "480p"}}))
    for name, content, _ in BROKEN:
        (folder / name).write_text(content if isinstance(content, str) else json.dumps(content))
    playground = Playground(catalog, tmp_path / "data", presets_dir=folder)
    assert [p.name for p in playground.presets.all] == ["Good one"]
    problems = playground.presets.problems
    for name, _, key in BROKEN:
        assert any(p.startswith(str(folder / name)) and key in p for p in problems), (name, problems)
    from playground.ui import build_app

    page = build_app(playground).config
    banner = next(c for c in page["components"] if c.get("props", {}).get("elem_id") == "preset-problems")
    assert "bad-value.json" in banner["props"]["value"]


LITE = "fal-ai/bytedance/seedance/v1/lite/text-to-video"
PRO = "fal-ai/bytedance/seedance/v1/pro/text-to-video"


def lite_form(prompt):
    return {"prompt": prompt, "aspect_ratio": "1:1", "resolution": "480p", "duration": "3",
            "seed": {"value": 9, "random": False}, "camera_fixed": True, "num_frames": {"value": 29, "enabled": False},
            "enable_safety_checker": True}


def shown(markdown):
    """The message as the page shows it: Markdown's backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def saved_files(playground):
    folder = playground.data_dir / "presets"
    return sorted((p.name, p.read_bytes()) for p in folder.iterdir()) if folder.is_dir() else []


def test_save_as_preset_round_trips_under_a_file_named_by_slug_and_hash(playground):
    form = lite_form("saved prompt")
    saved = playground.tabs.save_preset("My square draft", LITE, form, "mine")
    assert saved.preset.label == "My square draft (saved)" and saved.replaced is None
    digest = hashlib.sha256("My square draft".encode("utf-8")).hexdigest()[:12]
    assert [name for name, _ in saved_files(playground)] == [f"my-square-draft-{digest}.json"]
    endpoint, restored = playground.tabs.preset_form("My square draft (saved)")
    assert arguments_from_form(endpoint, restored) == arguments_from_form(endpoint, form)
    assert "My square draft (saved)" in playground.tabs.preset_labels(LITE)


# Names a person may type, each saved under its own file and listed under its own label, as typed
AS_TYPED = ["Мой пресет", "我的预设", "الإعداد المسبق الخاص بي", "🎬🔥", "👨\u200d👩\u200d👧 family", "My Preset",
            "my-preset!", "my preset", "MY PRESET", "My  Preset", "Café noir", "../../x", "..", "/etc/passwd", "CON",
            "nul.json", "a\\b:c*d?e", "**bold** $$x$$ <b>tag</b>", "x" * 80, "Lite · 480p draft (saved)",
            "lite · 480p draft"]  # the last: a built-in's name in other case is another name
# (typed, kept): what a person cannot see at either end is trimmed
TRIMMED = [("  padded\t ", "padded"), ("\u00a0\u3000nbsp and ideographic space\u2003", "nbsp and ideographic space"),
           ("\u200bzero width at the edges\ufeff", "zero width at the edges"), ("trailing NUL\x00", "trailing NUL"),
           ("\n\u2028line breaks only at the edges\r\n", "line breaks only at the edges")]
SAVED_NAMES = [(name, name) for name in AS_TYPED] + TRIMMED
LINE_BREAKS = ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
# (name, words the refusal says)
REFUSED_NAMES = [
    ("", "is empty"), ("   ", "is empty"), ("\t\n\u3000", "is empty"), ("\u200b\u2060", "is empty"),
    ("\u3164", "is empty"),
    *[(f"first{lb}second", "must be one line") for lb in LINE_BREAKS],
    ("tab\tinside", "control character (U+0009) at character 4"), ("nul\x00inside", "control character (U+0000)"),
    ("escape\x1b[31m", "control character (U+001B)"), ("lone \ud800 surrogate", "lone UTF-16 surrogate"),
    ("x" * 81, "81 characters long; a preset name holds at most 80"), ("x" * 100_000, "100,000 characters long"),
    ("invoice\u202egpj.exe", "text-direction control (U+202E) at character 8"),
    ("Lite · 480p draft", "is a built-in preset"),
]


def test_every_name_gets_its_own_file_and_label_and_loads_back_its_own_form(playground):
    for number, (typed, _) in enumerate(SAVED_NAMES):
        message, written = playground.tabs.save_preset_view(typed, LITE, lite_form(f"prompt number {number}"), "")
        assert written and message.startswith("Saved **"), (typed, message)
    files = [name for name, _ in saved_files(playground)]
    assert len(files) == len(SAVED_NAMES)  # none shares a file
    assert all(re.fullmatch(r"[a-z0-9-]{1,40}-[0-9a-f]{12}\.json", name) for name in files), files
    assert len({name.lower() for name in files}) == len(files)  # apart on a case-blind file system too
    assert playground.presets.problems == []
    labels = playground.tabs.preset_labels(LITE)
    for number, (_, kept) in enumerate(SAVED_NAMES):
        assert labels.count(f"{kept} (saved)") == 1, kept
        endpoint, form = playground.tabs.preset_form(f"{kept} (saved)")
        assert form["prompt"] == f"prompt number {number}", kept
    again = Playground(playground.catalog, playground.data_dir)  # a restart reads them all back
    assert sorted(again.tabs.preset_labels(LITE)) == sorted(labels) and again.presets.problems == []


@pytest.mark.parametrize("typed, says", REFUSED_NAMES, ids=[repr(name)[:40] for name, _ in REFUSED_NAMES])
def test_a_name_that_cannot_be_a_preset_is_refused_with_why_and_changes_nothing(playground, typed, says):
    playground.tabs.save_preset("Already here", LITE, lite_form("kept"), "")
    before, labels = saved_files(playground), playground.tabs.preset_labels(LITE)
    message, written = playground.tabs.save_preset_view(typed, LITE, lite_form("refused"), "")
    assert not written and message.startswith("**Not saved** — nothing was changed")
    assert says in shown(message), message
    assert saved_files(playground) == before and playground.tabs.preset_labels(LITE) == labels
    assert len(message) < 400  # a 100k-character name is not echoed back


def test_the_same_name_replaces_its_own_preset_and_says_so(playground):
    message, written = playground.tabs.save_preset_view("My Preset", LITE, lite_form("first"), "")
    lite = playground.catalog[LITE].label
    assert written and shown(message) == f"Saved **My Preset (saved)**: it is in the {lite} tab's preset list now."
    playground.tabs.save_preset_view("my-preset!", LITE, lite_form("other"), "")
    message, written = playground.tabs.save_preset_view("  My Preset\u3000", LITE, lite_form("second"), "")
    assert written
    assert shown(message) == "Replaced **My Preset (saved)**: the saved preset of that name now holds this form."
    decomposed = unicodedata.normalize("NFD", "Café")  # typed another way, shown the same
    playground.tabs.save_preset_view("Café", LITE, lite_form("composed"), "")
    assert playground.tabs.save_preset_view(decomposed, LITE, lite_form("decomposed"), "")[0].startswith("Replaced")
    assert len(saved_files(playground)) == 3
    assert playground.tabs.preset_form("My Preset (saved)")[1]["prompt"] == "second"
    assert playground.tabs.preset_form("my-preset! (saved)")[1]["prompt"] == "other"
    assert playground.tabs.preset_form("Café (saved)")[1]["prompt"] == "decomposed"


def test_replacing_with_another_endpoints_form_says_where_it_was_and_moves_it(playground):
    playground.tabs.save_preset("Night drive", LITE, lite_form("on Lite"), "")
    message, _ = playground.tabs.save_preset_view("Night drive", PRO, {"prompt": "on Pro", "resolution": "480p"}, "")
    lite, pro = (playground.catalog[e].label for e in (LITE, PRO))
    assert shown(message) == f"Replaced **Night drive (saved)**: it was a {lite} preset; now it holds this {pro} form."
    assert "Night drive (saved)" not in playground.tabs.preset_labels(LITE)
    assert "Night drive (saved)" in playground.tabs.preset_labels(PRO) and len(saved_files(playground)) == 1


def test_a_preset_saved_before_names_were_hashed_is_replaced_in_place_and_others_get_their_own(playground):
    folder = playground.data_dir / "presets"
    folder.mkdir(parents=True)
    (folder / "my-preset.json").write_text(json.dumps({"name": "My Preset", "endpoint_id": LITE,
                                                       "arguments": {"prompt": "old"}}))
    playground.presets.reload()
    assert playground.tabs.save_preset_view("my-preset!", LITE, lite_form("new name"), "")[0].startswith("Saved")
    assert playground.tabs.save_preset_view("My Preset", LITE, lite_form("replaced"), "")[0].startswith("Replaced")
    assert json.loads((folder / "my-preset.json").read_text())["arguments"]["prompt"] == "replaced"
    assert len(saved_files(playground)) == 2 and playground.presets.problems == []


def test_a_preset_too_big_to_read_back_is_refused_before_it_is_written(playground, monkeypatch):
    monkeypatch.setattr(presets_module, "MAX_PRESET_BYTES", 4096)
    assert playground.tabs.save_preset_view("Small", LITE, lite_form("short"), "")[1]
    message, written = playground.tabs.save_preset_view("Big", LITE, lite_form("long " * 1000), "")
    assert not written and "a preset holds at most" in shown(message)
    assert "give big files as links (URLs) instead of uploads" in shown(message)
    assert [name.startswith("small-") for name, _ in saved_files(playground)] == [True]


def test_saving_over_a_pipe_or_a_link_replaces_it_and_never_writes_through(playground, tmp_path):
    folder = playground.data_dir / "presets"
    folder.mkdir(parents=True)
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours")
    (folder / presets_module.file_name("Linked")).symlink_to(outside)
    os.mkfifo(folder / presets_module.file_name("Piped"))
    try:
        for name in ("Linked", "Piped"):
            message, written = promptly(lambda name=name: playground.tabs.save_preset_view(name, LITE, lite_form(name),
                                                                                            ""))
            assert written, message
            assert (folder / presets_module.file_name(name)).is_file()
            assert not (folder / presets_module.file_name(name)).is_symlink()
    finally:
        release_pipes(folder)
    assert outside.read_text() == "not yours" and playground.presets.problems == []
    assert not list(folder.glob(".*.tmp"))  # no temporary file left behind


def test_a_markdown_name_is_shown_as_typed():
    assert presets_module.markdown_literal("**bold** $$x$$ <b>") == "\\*\\*bold\\*\\* \\$\\$x\\$\\$ \\<b\\>"


# (file name, how to make it, what the problem says) — odd files in a preset folder
ODD_FILES = [
    ("pipe.json", lambda p: os.mkfifo(p), "named pipe (FIFO)"),
    ("pipe-link.json", make_link_to_fifo, "named pipe (FIFO)"),
    ("zero.json", lambda p: p.symlink_to("/dev/zero"), "character device"),
    ("socket.json", make_socket, "socket"),
    ("huge.json", lambda p: make_sparse(p, 20 * 2**20), "is 20,971,520 bytes"),
]


@pytest.mark.parametrize("where", ["built-in", "saved"])
def test_odd_files_in_a_preset_folder_are_listed_promptly_and_start_up_goes_on(tmp_path, catalog, where):
    built_in, data = tmp_path / "built-in", tmp_path / "data"
    built_in.mkdir()
    (built_in / "good.json").write_text(json.dumps({"name": "Good one", "endpoint_id": LITE,
                                                    "arguments": {"prompt": "fine"}}))
    folder = built_in if where == "built-in" else data / "presets"
    folder.mkdir(parents=True, exist_ok=True)
    for name, make, _ in ODD_FILES:
        make(folder / name)
    try:
        playground = promptly(lambda: Playground(catalog, data, presets_dir=built_in), seconds=30)
    finally:
        release_pipes(tmp_path)
    assert [p.name for p in playground.presets.all] == ["Good one"]
    for name, _, says in ODD_FILES:
        assert any(p.startswith(f"{folder / name}: -: ") and says in p for p in playground.presets.problems), name
    assert len(playground.presets.problems) == len(ODD_FILES)
