"""Validation: every bad input is refused with a message naming the field (core level; the API test drives the same table end to end)."""

import io

import pytest
from PIL import Image

from playground.errors import InputError
from playground.request import parse_arguments, validate

from conftest import LITE_I2V, LITE_T2V, PRO_FAST_T2V, PRO_T2V, V2_FAST_T2V, V2_I2V, V2_R2V, data_uri, image_bytes

PNG = data_uri(image_bytes(64, 48))


def _bomb() -> str:
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, format="PNG")  # 81 MP, a few KB on the wire
    return data_uri(buffer.getvalue())


# (case, endpoint, arguments, field named in the message)
BAD_INPUTS = [
    ("missing prompt", LITE_T2V, {}, "prompt"),
    ("blank prompt", LITE_T2V, {"prompt": "   "}, "prompt"),
    ("missing start image", LITE_I2V, {"prompt": "x"}, "image_url"),
    ("1080p on 2.0 fast", V2_FAST_T2V, {"prompt": "x", "resolution": "1080p"}, "resolution"),
    ("9:21 on Pro", PRO_T2V, {"prompt": "x", "aspect_ratio": "9:21"}, "aspect_ratio"),
    ("num_frames too high", PRO_FAST_T2V, {"prompt": "x", "num_frames": 290}, "num_frames"),
    ("num_frames too low", PRO_FAST_T2V, {"prompt": "x", "num_frames": 28}, "num_frames"),
    ("duration as a number", LITE_T2V, {"prompt": "x", "duration": 5}, "duration"),
    ("duration out of list", V2_I2V, {"prompt": "x", "image_url": PNG, "duration": "2"}, "duration"),
    ("seed not a number", LITE_T2V, {"prompt": "x", "seed": "abc"}, "seed"),
    ("seed too large", LITE_T2V, {"prompt": "x", "seed": 2**40}, "seed"),
    ("boolean as text", LITE_T2V, {"prompt": "x", "camera_fixed": "yes"}, "camera_fixed"),
    ("unknown field", LITE_T2V, {"prompt": "x", "guidance": 3}, "guidance"),
    ("non-image upload", LITE_I2V, {"prompt": "x", "image_url": data_uri(b"hello, not an image", "image/png")}, "image_url"),
    ("truncated image", LITE_I2V, {"prompt": "x", "image_url": data_uri(image_bytes(300, 200, "JPEG")[:400], "image/jpeg")}, "image_url"),
    ("decompression bomb", V2_I2V, {"prompt": "x", "image_url": _bomb()}, "image_url"),
    ("GIF on 2.0", V2_I2V, {"prompt": "x", "image_url": data_uri(image_bytes(32, 32, "GIF", mode="P", color=1), "image/gif")}, "image_url"),
    ("not a URL", LITE_I2V, {"prompt": "x", "image_url": "/etc/passwd"}, "image_url"),
    ("bad base64", LITE_I2V, {"prompt": "x", "image_url": "data:image/png;base64,@@@"}, "image_url"),
    ("bad end image", LITE_I2V, {"prompt": "x", "image_url": PNG, "end_image_url": "ftp://x/y.png"}, "end_image_url"),
    ("empty reference list", "fal-ai/bytedance/seedance/v1/lite/reference-to-video", {"prompt": "x", "reference_image_urls": []}, "reference_image_urls"),
    ("too many references", V2_R2V, {"prompt": "x", "image_urls": [PNG] * 10}, "image_urls"),
    ("audio without image or video", V2_R2V, {"prompt": "x", "audio_urls": ["https://example.com/a.mp3"]}, "audio_urls"),
    ("video reference that is audio", V2_R2V, {"prompt": "x", "video_urls": [data_uri(b"ID3", "audio/mpeg")]}, "video_urls"),
]


@pytest.mark.parametrize("case, endpoint_id, arguments, field", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_names_the_field(catalog, case, endpoint_id, arguments, field):
    with pytest.raises(InputError) as err:
        validate(catalog[endpoint_id], arguments)
    assert field in err.value.fields
    assert str(err.value).startswith(f"{field}:") or f"\n{field}:" in str(err.value)


def test_image_over_30_mb_is_refused(catalog):
    huge = data_uri(b"\x89PNG" + bytes(30 * 1024 * 1024 + 10))
    with pytest.raises(InputError) as err:
        validate(catalog[LITE_I2V], {"prompt": "x", "image_url": huge})
    assert err.value.fields == ["image_url"] and "30 MB" in str(err.value)


def test_every_problem_is_listed_at_once(catalog):
    with pytest.raises(InputError) as err:
        validate(catalog[V2_FAST_T2V], {"resolution": "1080p", "duration": "99"})
    assert err.value.fields == ["prompt", "resolution", "duration"]


@pytest.mark.parametrize("text, field_message", [
    ("{", "not valid JSON"), ("[1, 2]", "must be a JSON object"), ('"prompt"', "must be a JSON object"),
])
def test_parse_arguments_rejects_non_objects(text, field_message):
    with pytest.raises(InputError) as err:
        parse_arguments(text)
    assert err.value.fields == ["arguments"] and field_message in str(err.value)


def test_valid_request_is_cleaned_in_schema_order(catalog):
    cleaned = validate(catalog[LITE_I2V], {"seed": 3, "image_url": PNG, "prompt": "x", "end_image_url": None})
    assert list(cleaned) == ["prompt", "image_url", "seed"]
