"""Form values → arguments: the seed toggle, optional ranges, uploads, empty fields."""

import pytest

from conftest import LITE_I2V
from playground.form import arguments_from_form


@pytest.mark.parametrize("form, expected", [
    ({"prompt": "x", "seed": {"value": 0, "random": True}}, {"prompt": "x"}),
    ({"prompt": "x", "seed": {"value": 0, "random": False}}, {"prompt": "x", "seed": 0}),
    ({"prompt": "x", "seed": {"value": 42.0, "random": False}}, {"prompt": "x", "seed": 42}),
    ({"prompt": "x", "num_frames": {"value": 60.0, "enabled": False}}, {"prompt": "x"}),
    ({"prompt": "x", "num_frames": {"value": 60.0, "enabled": True}}, {"prompt": "x", "num_frames": 60}),
    ({"prompt": "x", "image_url": {"upload": None, "url": "  https://a.b/c.png "}}, {"prompt": "x", "image_url": "https://a.b/c.png"}),
    ({"prompt": "x", "image_url": {"upload": None, "url": ""}}, {"prompt": "x"}),
])
def test_arguments_from_form(catalog, form, expected):
    assert arguments_from_form(catalog[LITE_I2V], form) == expected


def test_upload_becomes_data_uri(catalog, tmp_path):
    from conftest import image_bytes

    path = tmp_path / "start.png"
    path.write_bytes(image_bytes(20, 10))
    args = arguments_from_form(catalog[LITE_I2V], {"prompt": "x", "image_url": {"upload": str(path), "url": "https://ignored"}})
    assert args["image_url"].startswith("data:image/png;base64,")
