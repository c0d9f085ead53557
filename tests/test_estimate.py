"""Output sizes (the 1.x size table as fal's pages publish it, typed in here), fal's per-second quotes (typed in from
fal's 2.0 pricing pages, as the facts files cite them) and the token-formula estimate."""

import io
import json
import re

import av
import numpy as np
import pytest

from playground.estimate import estimate, output_shape, snap_aspect

from conftest import LITE_T2V, PRO_FAST_T2V, V2_FAST_T2V, V2_I2V, V2_R2V, data_uri, image_bytes

V2_T2V = "bytedance/seedance-2.0/text-to-video"
V2_FAST_I2V = "bytedance/seedance-2.0/fast/image-to-video"
V2_FAST_R2V = "bytedance/seedance-2.0/fast/reference-to-video"
# fal's published $ per second at 720p, from the reference table: the t2v pages say $0.3034, i2v and r2v $0.3024,
# every 2.0 fast endpoint $0.2419. Expected prices below are these × seconds, typed in by hand.
QUOTED_720P = {V2_T2V: 0.3034, V2_I2V: 0.3024, V2_R2V: 0.3024, V2_FAST_T2V: 0.2419, V2_FAST_I2V: 0.2419,
               V2_FAST_R2V: 0.2419}
QUOTE_CASES = [
    (V2_T2V, "4", 1.2136), (V2_T2V, "5", 1.5170), (V2_T2V, "10", 3.0340), (V2_T2V, "15", 4.5510),
    (V2_I2V, "4", 1.2096), (V2_I2V, "7", 2.1168), (V2_I2V, "15", 4.5360),
    (V2_R2V, "5", 1.5120), (V2_R2V, "12", 3.6288),
    (V2_FAST_T2V, "4", 0.9676), (V2_FAST_T2V, "5", 1.2095), (V2_FAST_T2V, "15", 3.6285),
    (V2_FAST_I2V, "6", 1.4514), (V2_FAST_I2V, "10", 2.4190),
    (V2_FAST_R2V, "8", 1.9352), (V2_FAST_R2V, "auto", 1.2095),  # auto is estimated at 5 s
]
PORTRAIT = data_uri(image_bytes(270, 480))


def _request(endpoint_id, **arguments):
    """A request that validates: an image where the mode needs one (the aspect ratio is always given)."""
    needs_image = endpoint_id.endswith("image-to-video")
    return {"prompt": "x", **({"image_url": PORTRAIT} if needs_image else {}), **arguments}


def _mp4(seconds, fps=24):
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as c:
        s = c.add_stream("libx264", rate=fps)
        s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
        for _ in range(seconds * fps):
            for p in s.encode(av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return data_uri(buffer.getvalue(), "video/mp4")

PUBLISHED_SIZES = {
    "480p": {"21:9": (960, 416), "16:9": (864, 480), "4:3": (736, 544), "1:1": (640, 640), "3:4": (544, 736), "9:16": (480, 864), "9:21": (416, 960)},
    "720p": {"21:9": (1504, 640), "16:9": (1248, 704), "4:3": (1120, 832), "1:1": (960, 960), "3:4": (832, 1120), "9:16": (704, 1248), "9:21": (640, 1504)},
    "1080p": {"21:9": (2176, 928), "16:9": (1920, 1088), "4:3": (1664, 1248), "1:1": (1440, 1440), "3:4": (1248, 1664), "9:16": (1088, 1920), "9:21": (928, 2176)},
}
CELLS = [(r, a, wh) for r, row in PUBLISHED_SIZES.items() for a, wh in row.items()]


@pytest.mark.parametrize("resolution, aspect, size", CELLS)
def test_output_size_matches_design_table(catalog, resolution, aspect, size):
    shape = output_shape(catalog[LITE_T2V], {"resolution": resolution, "aspect_ratio": aspect})
    assert (shape.width, shape.height) == size


@pytest.mark.parametrize("endpoint_id, arguments, tokens, usd", [
    (PRO_FAST_T2V, {"resolution": "1080p", "aspect_ratio": "16:9", "duration": "5"}, 1920 * 1088 * 24 * 5 / 1024, 0.2448),
    (LITE_T2V, {"resolution": "480p", "aspect_ratio": "16:9", "duration": "2"}, 864 * 480 * 24 * 2 / 1024, 864 * 480 * 48 / 1024 * 1.8e-6),
    (LITE_T2V, {"resolution": "480p", "aspect_ratio": "1:1", "num_frames": 29}, 640 * 640 * 29 / 1024, 640 * 640 * 29 / 1024 * 1.8e-6),
    # 2.0 where fal quotes no per-second price (480p, 1080p): the token formula, worked by hand
    (V2_T2V, {"resolution": "480p", "aspect_ratio": "16:9", "duration": "5"}, 48_600, 0.6804),
    (V2_T2V, {"resolution": "1080p", "aspect_ratio": "16:9", "duration": "4"}, 195_840, 2.74176),
    (V2_FAST_T2V, {"resolution": "480p", "aspect_ratio": "9:16", "duration": "10"}, 97_200, 1.08864),
])
def test_estimate_formula(catalog, endpoint_id, arguments, tokens, usd):
    result = estimate(catalog[endpoint_id], {"prompt": "x", **arguments})
    assert result.tokens == pytest.approx(tokens) and result.usd == pytest.approx(usd, rel=1e-6)
    assert "÷ 1024" in result.formula


def test_auto_duration_says_so(catalog):
    assert any("5 s" in n for n in estimate(catalog[V2_FAST_T2V], {"prompt": "x"}).notes)


def test_reference_video_adds_input_seconds_and_discount(catalog):
    video = _mp4(2)
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
    mini = catalog["bytedance/seedance-2.0/mini/text-to-video"]
    cost = estimate(mini, {"prompt": "x", "resolution": "720p", "duration": "5", "aspect_ratio": "16:9"})
    # 1280 × 720 (the 2.0 720p size fal's quotes imply; it was 1248 × 704, the 1.x size, before) × 24 × 5 / 1024
    # = 108,000 tokens at $0.007 per 1,000
    assert cost.usd == pytest.approx(0.756, abs=1e-6)
    assert mini.pricing.confidence == "third-party" and "third-party reading" in mini.pricing.source
    assert any("third-party" in note for note in cost.notes)  # the estimate says where the price comes from
    assert mini.pricing.billing.usd_per_unit == 0.007
    assert "fal's quote" not in cost.formula  # fal quotes no price for mini


# -- fal's per-second quotes ----------------------------------------------------------------------------------
def test_the_quoted_endpoints_are_the_ones_fal_quotes(catalog):
    quoted = {e.endpoint_id: [(q.resolution, q.usd_per_second) for q in e.pricing.per_second_quotes]
              for e in catalog.values() if e.pricing.per_second_quotes}
    assert quoted == {endpoint_id: [("720p", price)] for endpoint_id, price in QUOTED_720P.items()}


@pytest.mark.parametrize("endpoint_id, duration, usd", QUOTE_CASES)
def test_a_quoted_resolution_costs_the_quote_times_seconds(catalog, endpoint_id, duration, usd):
    cost = estimate(catalog[endpoint_id], _request(endpoint_id, resolution="720p", aspect_ratio="16:9",
                                                   duration=duration))
    assert cost.usd == pytest.approx(usd, abs=1e-9)
    assert cost.formula.startswith("fal's quote for 720p: ") and f"${QUOTED_720P[endpoint_id]:g} per second" in cost.formula
    assert "÷ 1024" not in cost.formula


@pytest.mark.parametrize("aspect", ["21:9", "16:9", "4:3", "1:1", "3:4", "9:16"])
def test_the_720p_quote_holds_at_every_aspect_ratio(catalog, aspect):
    """fal quotes 720p per second without an aspect ratio (the facts' note says why the quote covers all of them)."""
    for endpoint_id, duration, usd in [(V2_T2V, "5", 1.5170), (V2_FAST_I2V, "10", 2.4190)]:
        cost = estimate(catalog[endpoint_id], _request(endpoint_id, resolution="720p", aspect_ratio=aspect,
                                                       duration=duration))
        assert cost.usd == pytest.approx(usd, abs=1e-9), (endpoint_id, aspect)
    assert any("every aspect ratio" in note for note in catalog[V2_T2V].notes)


@pytest.mark.parametrize("endpoint_id, per_second_with_video", [(V2_R2V, 0.1814), (V2_FAST_R2V, 0.14515)])
def test_reference_videos_add_their_seconds_and_the_discount_to_the_quote(catalog, endpoint_id, per_second_with_video):
    """fal: input-video seconds are billed too, × 0.6 with video inputs — $0.1814/s (fast $0.14515/s) at 720p."""
    cost = estimate(catalog[endpoint_id], {"prompt": "x", "resolution": "720p", "aspect_ratio": "16:9",
                                           "duration": "4", "video_urls": [_mp4(2)]})
    assert round(cost.usd, 2) == round(per_second_with_video * 6, 2)  # 4 s out + 2 s in, to the cent
    assert "(+ 2 s of input video)" in cost.formula and "× 0.6 (video references)" in cost.formula
    assert cost.formula.startswith("fal's quote for 720p")


def test_2_0_sizes_follow_the_quotes(catalog):
    """fal's 720p quotes imply 921,600 px a frame: 1280×720 at 16:9 (the judges' reference), not 1.x's 1248×704."""
    for endpoint_id in (V2_T2V, V2_FAST_T2V, "bytedance/seedance-2.0/mini/text-to-video"):
        sizes = {a: output_shape(catalog[endpoint_id], {"resolution": "720p", "aspect_ratio": a})
                 for a in ("16:9", "9:16", "1:1")}
        assert {a: (s.width, s.height) for a, s in sizes.items()} == {"16:9": (1280, 720), "9:16": (720, 1280),
                                                                      "1:1": (960, 960)}
    assert (output_shape(catalog[LITE_T2V], {"resolution": "720p", "aspect_ratio": "16:9"}).width) == 1248


# -- unconfirmed sizes --------------------------------------------------------------------------------------------
def test_an_estimate_on_an_unconfirmed_size_says_so(catalog):
    lite = estimate(catalog[LITE_T2V], {"prompt": "x", "resolution": "720p", "aspect_ratio": "16:9"})
    assert "rests on the 720p size 1248×704, derived, not published by fal" in lite.notes
    published = estimate(catalog[LITE_T2V], {"prompt": "x", "resolution": "480p", "aspect_ratio": "16:9"})
    assert not any("rests on" in note or "not published" in note for note in published.notes)
    v2_480 = estimate(catalog[V2_T2V], {"prompt": "x", "resolution": "480p", "aspect_ratio": "16:9"})
    assert any(n.startswith("rests on the 480p size 864×480, ") and "not published by fal" in n for n in v2_480.notes)
    quoted = estimate(catalog[V2_T2V], {"prompt": "x", "resolution": "720p", "aspect_ratio": "16:9"})
    assert any("1280×720" in n and "not published by fal" in n and "does not rest on it" in n for n in quoted.notes)


def test_the_unconfirmed_rows_are_data(catalog):
    assert catalog[LITE_T2V].unconfirmed_sizes.keys() == {"720p"}
    assert catalog[V2_T2V].unconfirmed_sizes.keys() == {"480p", "720p", "1080p"}  # fal publishes no 2.0 sizes


# -- what people are shown -----------------------------------------------------------------------------------
BOOKKEEPING = re.compile(r"index id|\bseed \d{3}\b|turn-\d|\bS\d\b|\bJS-\d{4}\b|corpor|reference table", re.I)


def test_price_notes_and_facts_carry_no_internal_provenance(catalog):
    for endpoint in catalog.values():
        shown = [*endpoint.notes, estimate(endpoint, _request(endpoint.endpoint_id)).formula]
        shown += estimate(endpoint, _request(endpoint.endpoint_id)).notes
        shown += [q.source + q.note for q in endpoint.pricing.per_second_quotes] + [endpoint.pricing.source]
        assert not [text for text in shown if BOOKKEEPING.search(text)], endpoint.endpoint_id


def test_the_bookkeeping_check_can_see_bookkeeping():
    assert BOOKKEEPING.search("third-party price table (GitHub file, index id 66702506425)")
    assert BOOKKEEPING.search("seed 000 (Seedance Pro pricing)") and not BOOKKEEPING.search("seed 42 is fixed")


# -- through the named API, as a client sees it --------------------------------------------------------------
def test_estimate_api_reproduces_every_published_quote(client):
    for endpoint_id, duration, usd in QUOTE_CASES:
        answer = client.predict(endpoint_id, json.dumps(_request(endpoint_id, resolution="720p", aspect_ratio="4:3",
                                                                 duration=duration)), api_name="/estimate")
        assert round(answer["usd"], 2) == round(usd, 2) and answer["usd"] == pytest.approx(usd, abs=1e-6), endpoint_id
        assert answer["formula"].startswith("fal's quote for 720p"), endpoint_id


def test_estimate_api_keeps_the_token_formula_off_the_quotes(client):
    for endpoint_id, arguments, usd in [(V2_T2V, {"resolution": "480p", "duration": "5"}, 0.6804),
                                        (V2_I2V, {"resolution": "1080p", "duration": "4"}, 2.74176),
                                        (V2_FAST_T2V, {"resolution": "480p", "duration": "10"}, 1.08864)]:
        answer = client.predict(endpoint_id, json.dumps(_request(endpoint_id, aspect_ratio="16:9", **arguments)),
                                api_name="/estimate")
        assert answer["usd"] == pytest.approx(usd, abs=1e-6) and "÷ 1024" in answer["formula"], endpoint_id
        assert any("rests on the" in note and "not published by fal" in note for note in answer["notes"])


def test_estimate_api_says_when_a_price_rests_on_an_unconfirmed_size(client):
    answer = client.predict(LITE_T2V, json.dumps({"prompt": "x", "resolution": "720p", "aspect_ratio": "16:9"}),
                            api_name="/estimate")
    assert "rests on the 720p size 1248×704, derived, not published by fal" in answer["notes"]


def test_the_offline_preview_is_at_the_size_the_table_says(client):
    """No key: the offline backend renders the clip at the 2.0 table's 720p 16:9 size, 1280×720."""
    video, result = client.predict(V2_FAST_T2V, json.dumps({"prompt": "x", "resolution": "720p", "aspect_ratio": "16:9",
                                                            "duration": "4", "seed": 5}), api_name="/generate")
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (1280, 720)
    assert (result["width"], result["height"], result["backend"]) == (1280, 720, "offline")
