"""Form values → arguments: the seed toggle, optional ranges, uploads, empty fields."""

import pytest

from playground.form import arguments_from_form

from conftest import LITE_I2V


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


def _upload(tmp_path):
    from conftest import image_bytes

    path = tmp_path / "start.png"
    path.write_bytes(image_bytes(20, 10))
    return str(path)


LINE_BREAKS = ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("url", ["", " ", *LINE_BREAKS, "\u200b"], ids=repr)
def test_upload_becomes_data_uri_when_the_url_box_shows_nothing(catalog, tmp_path, url):
    args = arguments_from_form(catalog[LITE_I2V], {"prompt": "x", "image_url": {"upload": _upload(tmp_path), "url": url}})
    assert args["image_url"].startswith("data:image/png;base64,")


@pytest.mark.parametrize("url", ["https://a.b/c.png", " https://a.b/c.png\u2028", "not a url", "\ud800", "x" * 100_000],
                         ids=["URL", "URL in line breaks", "not a URL", "lone surrogate", "100k characters"])
def test_an_upload_and_a_url_both_given_is_a_problem_naming_the_field(catalog, tmp_path, url):
    from playground.errors import InputError
    from playground.form import read_form

    form = {"prompt": "x", "image_url": {"upload": _upload(tmp_path), "url": url}}
    arguments, problems = read_form(catalog[LITE_I2V], form)
    assert [name for name, _ in problems] == ["image_url"] and "both" in problems[0][1] and "remove one" in problems[0][1]
    assert "image_url" not in arguments
    with pytest.raises(InputError) as refused:
        arguments_from_form(catalog[LITE_I2V], form)
    assert "image_url" in str(refused.value)


def full_arguments(endpoint):
    """Every field of ``endpoint`` set to a valid value other than its default (inline images for uploads)."""
    from conftest import data_uri, image_bytes

    values = {}
    for field in endpoint.fields:
        kind = field.kind
        if kind == "prompt":
            values[field.name] = 'A "restored" prompt, with commas\nand a newline 🎬'
        elif kind == "enum":  # the first choice that is not the default (durations: the shortest; sizes: 480p)
            values[field.name] = next(v for v in field.enum if v not in (field.default, "auto"))
        elif kind == "boolean":
            values[field.name] = not field.default
        elif kind == "seed":
            values[field.name] = 424242
        elif kind == "integer_range":
            values[field.name] = field.minimum + 1
        elif kind == "text":
            values[field.name] = "user-42"
        elif kind == "image_url":
            values[field.name] = data_uri(image_bytes(64, 36, color=(len(field.name) * 20, 90, 40)))
        elif kind == "image_urls":
            values[field.name] = [data_uri(image_bytes(48, 48, color=(10, 200, 10))), "https://example.com/ref.png"]
        else:  # video/audio references: URLs (inline media would need real clips)
            values[field.name] = [f"https://example.com/{field.name}.bin"]
    return values


@pytest.mark.parametrize("slug", sorted(e.slug for e in __import__("playground.catalog").catalog.load_catalog().values()))
def test_form_round_trip_gives_back_every_field(catalog, tmp_path, slug):
    from playground.form import form_from_arguments
    from playground.request import validate

    endpoint = next(e for e in catalog.values() if e.slug == slug)
    arguments = full_arguments(endpoint)
    validate(endpoint, arguments)  # the table is itself valid
    form = form_from_arguments(endpoint, arguments, tmp_path / "uploads")
    assert arguments_from_form(endpoint, form) == arguments
    assert form_from_arguments(endpoint, arguments, tmp_path / "uploads") == form  # same files, not new copies
