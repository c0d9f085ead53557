"""Presets: every built-in one loads into its tab and runs offline; broken files are reported, not fatal."""

import asyncio
import json

import pytest

from playground.form import arguments_from_form, form_from_arguments
from playground.presets import BUILT_IN_DIR, Presets
from playground.service import Playground

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
    endpoint, form = playground.preset_form(preset.label)
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


def test_save_as_preset_round_trips_and_refuses_bad_names(playground):
    form = {"prompt": "saved prompt", "aspect_ratio": "1:1", "resolution": "480p", "duration": "3",
            "seed": {"value": 9, "random": False}, "camera_fixed": True, "num_frames": {"value": 29, "enabled": False},
            "enable_safety_checker": True}
    label = playground.save_preset("My square draft", "fal-ai/bytedance/seedance/v1/lite/text-to-video", form, "mine")
    assert label == "My square draft (saved)"
    assert (playground.data_dir / "presets" / "my-square-draft.json").is_file()
    endpoint, restored = playground.preset_form(label)
    assert arguments_from_form(endpoint, restored) == arguments_from_form(endpoint, form)
    assert label in [p.label for p in playground.presets.for_endpoint(endpoint.endpoint_id)]
    from playground.errors import InputError

    with pytest.raises(InputError):
        playground.save_preset("  ", "fal-ai/bytedance/seedance/v1/lite/text-to-video", form)
    with pytest.raises(InputError, match="built-in"):
        playground.save_preset("Lite · 480p draft", "fal-ai/bytedance/seedance/v1/lite/text-to-video", form)
