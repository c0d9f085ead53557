"""The catalog loads all 16 endpoints, and malformed data fails at load naming the file and field."""

import json
import shutil

import pytest

from playground.catalog import CATALOG_DIR, load_catalog
from playground.catalog.schema import kind_of
from playground.errors import CatalogError

REFERENCE_IDS = {
    "fal-ai/bytedance/seedance/v1/lite/text-to-video", "fal-ai/bytedance/seedance/v1/lite/image-to-video",
    "fal-ai/bytedance/seedance/v1/lite/reference-to-video", "fal-ai/bytedance/seedance/v1/pro/text-to-video",
    "fal-ai/bytedance/seedance/v1/pro/image-to-video", "fal-ai/bytedance/seedance/v1/pro/fast/text-to-video",
    "fal-ai/bytedance/seedance/v1/pro/fast/image-to-video",
    *(f"bytedance/seedance-2.0/{tier}{mode}" for tier in ("", "fast/", "mini/")
      for mode in ("text-to-video", "image-to-video", "reference-to-video")),
    "fal-ai/bytedance/seedance/v1.5/pro/text-to-video", "fal-ai/bytedance/seedance/v1.5/pro/image-to-video",
}


def test_all_reference_endpoints_load(catalog):
    assert set(catalog) == REFERENCE_IDS
    assert list(catalog.families()) == ["1.0 Lite", "1.0 Pro", "1.0 Pro Fast", "1.5 Pro", "2.0"]
    assert {e.tier for e in catalog.values() if e.family == "2.0"} == {"standard", "fast", "mini"}


def test_duration_is_a_string_enum_everywhere(catalog):
    for endpoint in catalog.values():
        duration = endpoint.field("duration")
        assert duration.kind == "enum" and all(isinstance(v, str) for v in duration.enum), endpoint.endpoint_id


@pytest.mark.parametrize("name, prop, kind", [
    ("prompt", {"type": "string"}, "prompt"),
    ("aspect_ratio", {"type": "string", "enum": ["16:9"]}, "enum"),
    ("camera_fixed", {"type": "boolean"}, "boolean"),
    ("seed", {"type": "integer"}, "seed"),
    ("num_frames", {"type": "integer", "minimum": 29, "maximum": 289}, "integer_range"),
    ("steps", {"type": "integer"}, "integer"),
    ("image_url", {"type": "string"}, "image_url"),
    ("end_image_url", {"type": "string"}, "image_url"),
    ("end_user_id", {"type": "string"}, "text"),
    ("image_urls", {"type": "array", "items": {"type": "string"}}, "image_urls"),
    ("video_urls", {"type": "array", "items": {"type": "string"}}, "video_urls"),
    ("audio_urls", {"type": "array", "items": {"type": "string"}}, "audio_urls"),
    ("mask", {"type": "object"}, None),
    ("weights", {"type": "array", "items": {"type": "number"}}, None),
])
def test_kind_of(name, prop, kind):
    assert kind_of(name, prop) == kind


def _input_schema(doc):
    return next(v for k, v in doc["components"]["schemas"].items() if k.endswith("Input"))


def _break_pro_t2v(tmp_path, change):
    root = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    facts = root / "facts" / "seedance-v1-pro-text-to-video.json"
    doc = root / "openapi" / "seedance-v1-pro-text-to-video.json"
    change(facts, doc)
    return root


def _edit(path, fn):
    data = json.loads(path.read_text())
    fn(data)
    path.write_text(json.dumps(data))


BROKEN = [
    ("unknown facts key", lambda f, _d: _edit(f, lambda x: x.update(colour="red")), "facts/seedance-v1-pro-text-to-video.json", "colour"),
    ("bad tier", lambda f, _d: _edit(f, lambda x: x.update(tier="turbo")), "facts/seedance-v1-pro-text-to-video.json", "tier"),
    ("unknown mode", lambda f, _d: _edit(f, lambda x: x.update(mode="sound-to-video")),
     "facts/seedance-v1-pro-text-to-video.json",
     "mode: must be one of ['text-to-video', 'image-to-video', 'reference-to-video'], got 'sound-to-video'"),
    ("no price", lambda f, _d: _edit(f, lambda x: x["pricing"].pop("usd_per_million_tokens")), "facts/", "pricing.usd_per_million_tokens"),
    ("invalid JSON", lambda _f, d: d.write_text("{"), "openapi/seedance-v1-pro-text-to-video.json", "line 1"),
    ("unsupported shape", lambda _f, d: _edit(d, lambda x: _input_schema(x)["properties"].update(mask={"type": "object"})),
     "openapi/seedance-v1-pro-text-to-video.json", "properties.mask"),
    ("default outside enum", lambda _f, d: _edit(d, lambda x: _input_schema(x)["properties"]["resolution"].update(default="2k")),
     "openapi/", "properties.resolution.default"),
    ("resolution without a size", lambda _f, d: _edit(d, lambda x: _input_schema(x)["properties"]["resolution"]["enum"].append("4k")),
     "openapi/", "resolution.enum"),
    ("order names unknown field", lambda _f, d: _edit(d, lambda x: _input_schema(x)["x-fal-order-properties"].append("ghost")),
     "openapi/", "x-fal-order-properties"),
    ("id mismatch", lambda f, _d: _edit(f, lambda x: x.update(endpoint_id="fal-ai/other")), "openapi/", "endpointId"),
    ("price variant names an unknown field", lambda f, _d: _edit(f, lambda x: x["pricing"].update(
        variants=[{"when": {"ghost": True}, "usd_per_million_tokens": 1}])), "facts/", "pricing.variants[0].when"),
    ("price variant without a price", lambda f, _d: _edit(f, lambda x: x["pricing"].update(
        variants=[{"when": {"camera_fixed": True}}])), "facts/", "pricing.variants[0]"),
    ("billing without a price", lambda f, _d: _edit(f, lambda x: x["pricing"].update(billing={"unit": "s"})),
     "facts/", "pricing.billing"),
    ("billing at a negative price", lambda f, _d: _edit(f, lambda x: x["pricing"].update(
        billing={"unit": "s", "usd_per_unit": -1})), "facts/", "pricing.billing.usd_per_unit"),
    ("family order not a list", lambda f, _d: (f.parent.parent / "families.json").write_text('{"order": "2.0"}'),
     "families.json", "order"),
]


V2_T2V_FACTS = "facts/seedance-2-0-text-to-video.json"


def _quote(**change):
    """Break the 2.0 text-to-video quote ($0.3034/s at 720p) with these keys (None removes one)."""
    def edit(facts, doc):
        def apply(data):
            quote = data["pricing"]["per_second_quotes"][0]
            quote.update({k: v for k, v in change.items() if v is not None})
            for k in [k for k, v in change.items() if v is None]:
                quote.pop(k)
        _edit(facts.parent / "seedance-2-0-text-to-video.json", apply)
    return edit


def _sizes(fn):
    return lambda f, _d: _edit(f.parent.parent / "sizes.json", fn)


BROKEN += [
    ("quote without a source", _quote(source=None), V2_T2V_FACTS, "pricing.per_second_quotes[0]: needs"),
    ("quote price as text", _quote(usd_per_second="0.3034"), V2_T2V_FACTS, "pricing.per_second_quotes[0].usd_per_second"),
    ("quote at zero", _quote(usd_per_second=0), V2_T2V_FACTS, "pricing.per_second_quotes[0].usd_per_second"),
    ("quote at a resolution not offered", _quote(resolution="4k"), V2_T2V_FACTS,
     "pricing.per_second_quotes[0].resolution"),
    ("quote with a blank source", _quote(source="  "), V2_T2V_FACTS, "pricing.per_second_quotes[0].source"),
    ("quote for an unknown aspect ratio", _quote(aspect_ratios=["5:4"]), V2_T2V_FACTS,
     "pricing.per_second_quotes[0].aspect_ratios"),
    ("quote with an empty aspect list", _quote(aspect_ratios=[]), V2_T2V_FACTS,
     "pricing.per_second_quotes[0].aspect_ratios"),
    ("quote with an unknown key", _quote(currency="EUR"), V2_T2V_FACTS, "pricing.per_second_quotes[0]: needs"),
    ("quotes not a list", lambda f, _d: _edit(f.parent / "seedance-2-0-text-to-video.json", lambda x: x["pricing"].update(
        per_second_quotes={"720p": 0.3})), V2_T2V_FACTS, "pricing.per_second_quotes: must be a list"),
    ("resolution quoted twice", lambda f, _d: _edit(f.parent / "seedance-2-0-text-to-video.json", lambda x: x["pricing"][
        "per_second_quotes"].append(dict(x["pricing"]["per_second_quotes"][0]))), V2_T2V_FACTS,
     "pricing.per_second_quotes[1].resolution"),
    ("quote beside price variants", lambda f, _d: _edit(f.parent / "seedance-2-0-text-to-video.json", lambda x: x[
        "pricing"].update(variants=[{"when": {"generate_audio": False}, "usd_per_million_tokens": 7}])), V2_T2V_FACTS,
     "pricing.per_second_quotes: cannot sit beside price variants"),
    ("odd output size", _sizes(lambda x: x["seedance"]["sizes"]["720p"].update({"16:9": [1248, 703]})), "sizes.json",
     "seedance.sizes.720p.16:9"),
    ("size as text", _sizes(lambda x: x["seedance-2.0"]["sizes"]["720p"].update({"1:1": "960x960"})), "sizes.json",
     "seedance-2.0.sizes.720p.1:1"),
    ("unconfirmed row that does not exist", _sizes(lambda x: x["seedance"]["unconfirmed"].update({"4k": "guess"})),
     "sizes.json", "seedance.unconfirmed"),
    ("unconfirmed without a reason", _sizes(lambda x: x["seedance"]["unconfirmed"].update({"720p": ""})), "sizes.json",
     "seedance.unconfirmed"),
    ("size table without sizes", _sizes(lambda x: x["seedance"].pop("sizes")), "sizes.json", "seedance"),
]


@pytest.mark.parametrize("case, change, file_part, field", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_catalog_names_file_and_field(tmp_path, case, change, file_part, field):
    root = _break_pro_t2v(tmp_path, change)
    with pytest.raises(CatalogError) as err:
        load_catalog(root)
    assert file_part in err.value.file.replace("\\", "/")
    assert field in str(err.value)


def test_a_per_second_quote_is_data(tmp_path):
    """A quote added to a facts file prices its resolution (and only it) with no new code."""
    from playground.estimate import estimate

    root = _break_pro_t2v(tmp_path, lambda f, _d: _edit(f, lambda x: x["pricing"].update(per_second_quotes=[
        {"resolution": "480p", "usd_per_second": 0.05, "source": "a test page", "aspect_ratios": ["16:9"]}])))
    endpoint = load_catalog(root)["fal-ai/bytedance/seedance/v1/pro/text-to-video"]
    quoted = estimate(endpoint, {"prompt": "x", "resolution": "480p", "aspect_ratio": "16:9", "duration": "6"})
    assert quoted.usd == pytest.approx(0.30) and quoted.formula.startswith("fal's quote for 480p: $0.05 per second")
    square = estimate(endpoint, {"prompt": "x", "resolution": "480p", "aspect_ratio": "1:1", "duration": "6"})
    assert "÷ 1024" in square.formula  # the quote names 16:9 only
    assert square.usd == pytest.approx(640 * 640 * 24 * 6 / 1024 * 2.5e-6)


def test_family_order_comes_from_the_data(tmp_path):
    root = _break_pro_t2v(tmp_path, lambda f, _d: (f.parent.parent / "families.json").write_text(
        json.dumps({"order": ["2.0", "1.0 Pro"]})))
    families = list(load_catalog(root).families())
    assert families[:2] == ["2.0", "1.0 Pro"] and families[2:] == ["1.0 Lite", "1.0 Pro Fast", "1.5 Pro"]  # by name


def test_a_price_variant_prices_the_request_that_matches_it(tmp_path):
    from playground.estimate import estimate

    root = _break_pro_t2v(tmp_path, lambda f, _d: _edit(f, lambda x: x["pricing"].update(
        variants=[{"when": {"camera_fixed": True}, "usd_per_million_tokens": 1.25}])))
    endpoint = load_catalog(root)["fal-ai/bytedance/seedance/v1/pro/text-to-video"]
    moving = estimate(endpoint, {"prompt": "x", "resolution": "480p", "duration": "5"})
    still = estimate(endpoint, {"prompt": "x", "resolution": "480p", "duration": "5", "camera_fixed": True})
    assert still.usd == pytest.approx(moving.usd / 2) and "priced for camera_fixed true" in still.notes
    assert "$1.25 per million" in still.formula and "$2.5 per million" in moving.formula


# The mode vocabulary as people read it (the tabs' labels, History's endpoint column), written out by hand.
MODE_WORDS = {"text-to-video": ("Text → Video", "T2V"), "image-to-video": ("Image → Video", "I2V"),
              "reference-to-video": ("Reference → Video", "R2V")}


def test_every_endpoint_says_its_mode_in_the_catalogs_words(catalog):
    assert {endpoint.mode for endpoint in catalog.values()} == set(MODE_WORDS)
    for endpoint in catalog.values():
        assert (endpoint.mode_title, endpoint.mode_short) == MODE_WORDS[endpoint.mode], endpoint.endpoint_id
    order = [endpoint.mode for endpoint in catalog.families()["2.0"] if endpoint.tier == "standard"]
    assert order == list(MODE_WORDS)  # within a family and tier, modes in the vocabulary's order


def test_the_mode_vocabulary_has_one_home():
    """No module but catalog/modes.py spells a mode, its title or its short form (docstrings quoting one aside):
    the loader, Compare's forms, the tabs' labels and History's column all derive from it."""
    import ast
    from pathlib import Path

    words = {word for name, (title, short) in MODE_WORDS.items() for word in (name, title, short)}
    home = Path(CATALOG_DIR) / "modes.py"
    spelled = sorted(f"{path.relative_to(home.parent.parent.parent)}:{node.lineno} {node.value!r}"
                     for path in home.parent.parent.rglob("*.py") if path != home
                     for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                     if isinstance(node, ast.Constant) and node.value in words)
    assert spelled == []
    assert {word for node in ast.walk(ast.parse(home.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and (word := node.value) in words} == words
