"""What tabs show: field labels without schema words, the price beside Run, problems first, a run's result."""

import pytest

from playground.estimate import Estimate
from playground.present import (
    FormView,
    field_info,
    field_label,
    price_line,
    result_markdown,
)


@pytest.mark.parametrize("slug, name, label", [
    ("seedance-v1-pro-fast-image-to-video", "image_url", "Image *"),
    ("seedance-v1-lite-image-to-video", "end_image_url", "End Image"),
    ("seedance-2-0-reference-to-video", "image_urls", "Images"),
    ("seedance-2-0-reference-to-video", "audio_urls", "Audio clips"),
    ("seedance-v1-lite-reference-to-video", "reference_image_urls", "Reference Images *"),
    ("seedance-v1-lite-text-to-video", "prompt", "Prompt *"),
])
def test_labels_read_like_words(catalog, slug, name, label):
    endpoint = next(e for e in catalog.values() if e.slug == slug)
    assert field_label(endpoint.field(name)) == label


def test_help_text_loses_schema_notes_and_the_seed_says_how_random_works(catalog):
    r2v = catalog["bytedance/seedance-2.0/reference-to-video"]
    assert field_info(r2v.field("image_urls")).startswith("reference images, cite in prompt")
    assert "-1" not in field_info(r2v.field("seed")) and "Random seed" in field_info(r2v.field("seed"))


COST = Estimate(usd=0.1853, tokens=102960, width=1248, height=704, fps=24, frames=120, seconds=5, formula="f", notes=[])


def test_price_line_and_problems_first():
    assert price_line(COST, []) == "**$0.1853** · 1248×704 · 5 s · estimate"
    assert "2 problems to fix" in price_line(COST, ["a: x", "b: y"]) and "$0.1853" in price_line(COST, ["a: x", "b: y"])
    view = FormView.of(COST, ["prompt: is required"], {"Request JSON": "{}", "Python": "", "JavaScript": "", "cURL": ""})
    assert not view.can_run and view.estimate.index("Fix before running") < view.estimate.index("Estimated cost")
    assert FormView.of(COST, [], view.code).can_run


def test_a_result_names_its_file_not_a_server_path():
    text = result_markdown({"status": "completed", "backend": "offline", "seed": 1, "request_id": "", "width": 2,
                            "height": 2, "fps": 24, "frames": 1, "duration_s": 0.04, "estimated_cost_usd": 0.1,
                            "checks": "ok", "video_path": "/srv/data/outputs/abc.mp4", "video_url": "file:///srv/x"})
    assert "abc.mp4" in text and "/srv" not in text
