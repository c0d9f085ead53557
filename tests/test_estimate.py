"""Output sizes (DESIGN §3 table, typed in here from the spec) and the token-formula estimate."""

import pytest

from playground.estimate import estimate, output_shape, snap_aspect

from conftest import LITE_T2V, PRO_FAST_T2V, V2_FAST_T2V, V2_R2V, data_uri, image_bytes

DESIGN_TABLE = {
    "480p": {"21:9": (960, 416), "16:9": (864, 480), "4:3": (736, 544), "1:1": (640, 640), "3:4": (544, 736), "9:16": (480, 864), "9:21": (416, 960)},
    "720p": {"21:9": (1504, 640), "16:9": (1248, 704), "4:3": (1120, 832), "1:1": (960, 960), "3:4": (832, 1120), "9:16": (704, 1248), "9:21": (640, 1504)},
    "1080p": {"21:9": (2176, 928), "16:9": (1920, 1088), "4:3": (1664, 1248), "1:1": (1440, 1440), "3:4": (1248, 1664), "9:16": (1088, 1920), "9:21": (928, 2176)},
}
CELLS = [(r, a, wh) for r, row in DESIGN_TABLE.items() for a, wh in row.items()]


@pytest.mark.parametrize("resolution, aspect, size", CELLS)
def test_output_size_matches_design_table(catalog, resolution, aspect, size):
    shape = output_shape(catalog[LITE_T2V], {"resolution": resolution, "aspect_ratio": aspect})
    assert (shape.width, shape.height) == size


@pytest.mark.parametrize("endpoint_id, arguments, tokens, usd", [
    (PRO_FAST_T2V, {"resolution": "1080p", "aspect_ratio": "16:9", "duration": "5"}, 1920 * 1088 * 24 * 5 / 1024, 0.2448),
    (LITE_T2V, {"resolution": "480p", "aspect_ratio": "16:9", "duration": "2"}, 864 * 480 * 24 * 2 / 1024, 864 * 480 * 48 / 1024 * 1.8e-6),
    (LITE_T2V, {"resolution": "480p", "aspect_ratio": "1:1", "num_frames": 29}, 640 * 640 * 29 / 1024, 640 * 640 * 29 / 1024 * 1.8e-6),
    (V2_FAST_T2V, {"resolution": "720p", "aspect_ratio": "16:9", "duration": "auto"}, 1248 * 704 * 24 * 5 / 1024, 1248 * 704 * 120 / 1024 * 11.2e-6),
])
def test_estimate_formula(catalog, endpoint_id, arguments, tokens, usd):
    result = estimate(catalog[endpoint_id], {"prompt": "x", **arguments})
    assert result.tokens == pytest.approx(tokens) and result.usd == pytest.approx(usd, rel=1e-6)
    assert "÷ 1024" in result.formula


def test_auto_duration_says_so(catalog):
    assert any("5 s" in n for n in estimate(catalog[V2_FAST_T2V], {"prompt": "x"}).notes)


def test_reference_video_adds_input_seconds_and_discount(catalog):
    import io

    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as c:
        s = c.add_stream("libx264", rate=24)
        s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
        for _ in range(48):
            for p in s.encode(av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    video = data_uri(buffer.getvalue(), "video/mp4")
    result = estimate(catalog[V2_R2V], {"prompt": "x", "resolution": "480p", "aspect_ratio": "16:9", "duration": "4",
                                        "video_urls": [video]})
    assert result.tokens == pytest.approx(864 * 480 * 24 * (4 + 2) / 1024)
    assert result.usd == pytest.approx(result.tokens * 14e-6 * 0.6)


@pytest.mark.parametrize("w, h, expected", [(1920, 1080, "16:9"), (1080, 1920, "9:16"), (1000, 1000, "1:1"),
                                            (2560, 1080, "21:9"), (800, 600, "4:3")])
def test_snap_aspect(w, h, expected):
    assert snap_aspect(w, h, ["21:9", "16:9", "4:3", "1:1", "3:4", "9:16"]) == expected


def test_auto_aspect_follows_image(catalog):
    image = data_uri(image_bytes(300, 400))
    shape = output_shape(catalog["fal-ai/bytedance/seedance/v1/pro/fast/image-to-video"],
                         {"image_url": image, "resolution": "480p", "aspect_ratio": "auto"})
    assert (shape.width, shape.height) == (544, 736)


def test_seedance_2_mini_is_priced_from_the_third_party_reading(catalog):
    from playground.estimate import estimate

    mini = catalog["bytedance/seedance-2.0/mini/text-to-video"]
    cost = estimate(mini, {"prompt": "x", "resolution": "720p", "duration": "5", "aspect_ratio": "16:9"})
    assert cost.usd == pytest.approx(1248 * 704 * 24 * 5 / 1024 * 0.007 / 1000, abs=1e-6)
    assert mini.pricing.confidence == "third-party" and "third-party reading" in mini.pricing.source
    assert any("third-party" in note for note in cost.notes)  # the estimate says where the price comes from
    assert mini.pricing.billing.usd_per_unit == 0.007
