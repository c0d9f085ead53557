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
    ("unknown facts key", lambda f, d: _edit(f, lambda x: x.update(colour="red")), "facts/seedance-v1-pro-text-to-video.json", "colour"),
    ("bad tier", lambda f, d: _edit(f, lambda x: x.update(tier="turbo")), "facts/seedance-v1-pro-text-to-video.json", "tier"),
    ("no price", lambda f, d: _edit(f, lambda x: x["pricing"].pop("usd_per_million_tokens")), "facts/", "pricing.usd_per_million_tokens"),
    ("invalid JSON", lambda f, d: d.write_text("{"), "openapi/seedance-v1-pro-text-to-video.json", "line 1"),
    ("unsupported shape", lambda f, d: _edit(d, lambda x: _input_schema(x)["properties"].update(mask={"type": "object"})),
     "openapi/seedance-v1-pro-text-to-video.json", "properties.mask"),
    ("default outside enum", lambda f, d: _edit(d, lambda x: _input_schema(x)["properties"]["resolution"].update(default="2k")),
     "openapi/", "properties.resolution.default"),
    ("resolution without a size", lambda f, d: _edit(d, lambda x: _input_schema(x)["properties"]["resolution"]["enum"].append("4k")),
     "openapi/", "resolution.enum"),
    ("order names unknown field", lambda f, d: _edit(d, lambda x: _input_schema(x)["x-fal-order-properties"].append("ghost")),
     "openapi/", "x-fal-order-properties"),
    ("id mismatch", lambda f, d: _edit(f, lambda x: x.update(endpoint_id="fal-ai/other")), "openapi/", "endpointId"),
    ("price variant names an unknown field", lambda f, d: _edit(f, lambda x: x["pricing"].update(
        variants=[{"when": {"ghost": True}, "usd_per_million_tokens": 1}])), "facts/", "pricing.variants[0].when"),
    ("price variant without a price", lambda f, d: _edit(f, lambda x: x["pricing"].update(
        variants=[{"when": {"camera_fixed": True}}])), "facts/", "pricing.variants[0]"),
    ("billing without a price", lambda f, d: _edit(f, lambda x: x["pricing"].update(billing={"unit": "s"})),
     "facts/", "pricing.billing"),
    ("billing at a negative price", lambda f, d: _edit(f, lambda x: x["pricing"].update(
        billing={"unit": "s", "usd_per_unit": -1})), "facts/", "pricing.billing.usd_per_unit"),
    ("family order not a list", lambda f, d: (f.parent.parent / "families.json").write_text('{"order": "2.0"}'),
     "families.json", "order"),
]


@pytest.mark.parametrize("case, change, file_part, field", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_catalog_names_file_and_field(tmp_path, case, change, file_part, field):
    root = _break_pro_t2v(tmp_path, change)
    with pytest.raises(CatalogError) as err:
        load_catalog(root)
    assert file_part in err.value.file.replace("\\", "/")
    assert field in str(err.value)


def test_family_order_comes_from_the_data(tmp_path):
    root = _break_pro_t2v(tmp_path, lambda f, d: (f.parent.parent / "families.json").write_text(
        json.dumps({"order": ["2.0", "1.0 Pro"]})))
    families = list(load_catalog(root).families())
    assert families[:2] == ["2.0", "1.0 Pro"] and families[2:] == ["1.0 Lite", "1.0 Pro Fast", "1.5 Pro"]  # by name


def test_a_price_variant_prices_the_request_that_matches_it(tmp_path):
    from playground.estimate import estimate

    root = _break_pro_t2v(tmp_path, lambda f, d: _edit(f, lambda x: x["pricing"].update(
        variants=[{"when": {"camera_fixed": True}, "usd_per_million_tokens": 1.25}])))
    endpoint = load_catalog(root)["fal-ai/bytedance/seedance/v1/pro/text-to-video"]
    moving = estimate(endpoint, {"prompt": "x", "resolution": "480p", "duration": "5"})
    still = estimate(endpoint, {"prompt": "x", "resolution": "480p", "duration": "5", "camera_fixed": True})
    assert still.usd == pytest.approx(moving.usd / 2) and "priced for camera_fixed true" in still.notes
    assert "$1.25 per million" in still.formula and "$2.5 per million" in moving.formula
