"""The named API through gradio_client against the in-process app (offline backend)."""

import json

import av
import numpy as np
import pandas as pd
import pytest
from gradio_client.exceptions import AppError

from conftest import LITE_T2V, PRO_FAST_I2V, PRO_FAST_T2V, V2_I2V, data_uri, image_bytes
from test_request import BAD_INPUTS

LITE_ARGS = {"prompt": "A paper boat, \"drifting\", down a street", "resolution": "480p", "aspect_ratio": "16:9",
             "duration": "2", "seed": 7}


def _frames(path):
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
        return stream.codec_context.width, stream.codec_context.height, float(stream.average_rate), frames


def _generate(client, endpoint_id, arguments):
    video, result = client.predict(endpoint_id, json.dumps(arguments), api_name="/generate")
    return video, result


def _rows(app_data_dir):
    path = app_data_dir / "results.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else pd.DataFrame()


def test_public_api_names_are_exactly_the_contract(client):
    info = client.view_api(return_format="dict", print_info=False)
    assert set(info["named_endpoints"]) == {"/catalog", "/estimate", "/snippets", "/generate", "/compare", "/history",
                                           "/vote", "/judge", "/signals", "/leaderboard", "/decide", "/export_row"}


def test_every_event_has_a_unique_explicit_name(catalog):
    import gradio as gr

    from playground.service import Playground
    from playground.ui import build_app
    from playground.ui.compare_tab import build_compare_contents
    from playground.ui.endpoint_tab import build_endpoint_tab
    from playground.ui.presets import PresetSaver

    playground = Playground(catalog, "unused")
    demo = build_app(playground)
    named = [d["api_name"] for d in demo.config["dependencies"] if d.get("backend_fn")]
    page_events = {"set_key", "set_key_enter", "forget_key", "backend_status", "gallery_open",  # key panel, page
                   "identity", "identity_notice",  # who is judging: the sign-in and the notice (the name: page-side)
                   "preset_save", "preset_close",  # the one "save as preset" panel
                   "show_generated_video"}  # the API tab's player, shown with its first clip
    compare_events = {"run_compare", "compare_preview", "compare_mode", "compare_draw_seeds", "compare_cancel_all",
                      "compare_cancel_cells", "compare_blind", "compare_vote_row", "compare_vote", "compare_preset_load",
                      "compare_export_row", "compare_vote_key", "compare_open", "compare_open_list",
                      "compare_judge", "compare_judge_quote_row", "compare_judge_quote_judge",  # a model judge
                      "compare_suite_plan", "run_suite", "compare_suite_replan"}  # a prompt suite
    leaderboard_events = {"leaderboard_refresh", "leaderboard_filter", "leaderboard_judge", "leaderboard_open"}
    history_events = {f"history_{name}" for name in ("open", "page", "filter", "newer", "older", "export_csv",
                                                     "export_json", "choose", "restore", "rerun", "seed_check",
                                                     "promote", "refetch", "language", "promote_plan",
                                                     "refresh_rerun", "refresh_seed_check", "refresh_promote")}
    builds = [n for n in named if n.startswith("apply")]  # each endpoint tab's and Compare's gr.render (Gradio names those)
    assert len(builds) == len(catalog) + 1
    named = [n for n in named if not n.startswith("apply")]
    assert len(named) == len(set(named)) == 12 + len(page_events) + len(leaderboard_events) + len(history_events)
    assert page_events | leaderboard_events | history_events <= set(named)
    opens = {d["api_name"] for d in demo.config["dependencies"] if d["api_name"].startswith("open_")}
    assert {f"open_{e.slug}" for e in catalog.values()} | {"open_compare"} <= opens  # page-side first showings

    with gr.Blocks() as compare:  # Compare as a visitor's session builds it
        build_compare_contents(playground.compare, playground.sessions, gr.State({}), gr.Textbox())
    in_compare = [d["api_name"] for d in compare.config["dependencies"] if d.get("backend_fn")]
    assert set(in_compare) == compare_events and len(in_compare) == len(compare_events)

    per_tab = ("preview", "run", "cancel", "preset_load", "preset_draft", "preset_list")
    for endpoint in catalog.values():  # a tab as a visitor's session builds it
        with gr.Blocks() as tab:
            build_endpoint_tab(playground.tabs, playground.sessions, endpoint, gr.State({}),
                               PresetSaver(playground.tabs))
        in_tab = [d["api_name"] for d in tab.config["dependencies"] if d.get("backend_fn")]
        assert {f"{name}_{endpoint.slug}" for name in per_tab} <= set(in_tab), in_tab
        assert len(in_tab) == len(set(in_tab))


V15 = ("fal-ai/bytedance/seedance/v1.5/pro/text-to-video", "fal-ai/bytedance/seedance/v1.5/pro/image-to-video")


def test_catalog_lists_all_18(client):
    rows = client.predict(api_name="/catalog")
    assert len(rows) == 18 and set(V15) <= {r["endpoint_id"] for r in rows}
    assert {tuple(sorted(r)) for r in rows} == {("endpoint_id", "family", "label", "mode", "tier")}
    assert {r["family"] for r in rows if r["endpoint_id"] in V15} == {"1.5 Pro"}


def test_seedance_1_5_pro_is_priced_by_its_audio(client):
    """720p, 5 s: 1248 × 704 × 24 × 5 / 1024 tokens at $2.4 per million with audio, $1.2 without."""
    tokens = 1248 * 704 * 24 * 5 / 1024
    for audio, price in ((True, 2.4), (False, 1.2)):
        arguments = {"prompt": "x", "resolution": "720p", "duration": "5", "generate_audio": audio}
        answer = client.predict(V15[0], json.dumps(arguments), api_name="/estimate")
        assert answer["usd"] == pytest.approx(tokens * price / 1e6, abs=1e-6) and answer["tokens"] == tokens
        assert f"${price:g} per million" in answer["formula"]
    default = client.predict(V15[0], json.dumps({"prompt": "x"}), api_name="/estimate")
    assert default["usd"] == pytest.approx(tokens * 2.4 / 1e6, abs=1e-6)  # audio is on unless turned off


def test_generate_lite_is_exact_and_deterministic(client, app_data_dir):
    video, result = _generate(client, LITE_T2V, LITE_ARGS)
    width, height, fps, frames = _frames(video)
    assert (width, height, fps, len(frames)) == (864, 480, 24.0, 48)
    assert result["status"] == "completed" and result["seed"] == 7 and result["backend"] == "offline"
    assert (result["width"], result["height"], result["frames"]) == (864, 480, 48)
    again, _ = _generate(client, LITE_T2V, LITE_ARGS)
    assert all(np.array_equal(a, b) for a, b in zip(frames, _frames(again)[3], strict=True))
    short, _ = _generate(client, LITE_T2V, {**LITE_ARGS, "num_frames": 29})
    assert len(_frames(short)[3]) == 29
    rows = _rows(app_data_dir)
    row = rows[rows.run_id == result["run_id"]].iloc[0]
    assert json.loads(row.arguments_json) == LITE_ARGS and row.prompt == LITE_ARGS["prompt"]


@pytest.mark.parametrize("endpoint_id, duration", [(PRO_FAST_I2V, "2"), (V2_I2V, "4")])
def test_image_to_video_with_data_uri_follows_image_shape(client, endpoint_id, duration):
    portrait = data_uri(image_bytes(270, 480, color=(20, 90, 200)))
    args = {"prompt": "slow push in", "image_url": portrait, "resolution": "480p", "duration": duration,
            "aspect_ratio": "auto", "seed": 3}
    video, result = _generate(client, endpoint_id, args)
    width, height, _, frames = _frames(video)
    assert (width, height, len(frames)) == (480, 864, int(duration) * 24)  # 9:16 row of the size table
    assert result["status"] == "completed"


def test_estimate_pro_fast_1080p(client):
    answer = client.predict(PRO_FAST_T2V, json.dumps({"prompt": "x", "resolution": "1080p", "aspect_ratio": "16:9",
                                                      "duration": "5"}), api_name="/estimate")
    assert answer["tokens"] == pytest.approx(1920 * 1088 * 24 * 5 / 1024)
    assert answer["usd"] == pytest.approx(0.2448, abs=1e-6)
    assert "1024" in answer["formula"] and "1920" in answer["formula"]


def test_history_is_newest_first(client):
    _, first = _generate(client, LITE_T2V, {**LITE_ARGS, "seed": 11})
    _, second = _generate(client, LITE_T2V, {**LITE_ARGS, "seed": 12})
    rows = client.predict(2, api_name="/history")
    assert [r["run_id"] for r in rows] == [second["run_id"], first["run_id"]]


@pytest.mark.parametrize("limit, count", [(1, 1), (2.0, 2), ("1", 1), (" 2 ", 2), ("", None), ("\u2028", None)],
                         ids=["int", "float", "text", "padded text", "empty: the default", "a line break: blank"])
def test_history_limit_takes_a_number_or_its_text(client, limit, count):
    _generate(client, LITE_T2V, {**LITE_ARGS, "seed": 13})
    _generate(client, LITE_T2V, {**LITE_ARGS, "seed": 14})
    rows = client.predict(limit, api_name="/history")
    assert len(rows) == count if count is not None else 2 <= len(rows) <= 50


@pytest.mark.parametrize("limit", ["abc", "2.5", "-1", "10001", "1e400", "nan", "9" * 100_000],
                         ids=["word", "fraction", "negative", "over the cap", "huge float", "nan", "100k digits"])
def test_history_limit_that_is_not_a_row_count_is_named(client, limit):
    """Said by the core, not refused by Gradio's number box first (a lone surrogate cannot be sent as JSON)."""
    with pytest.raises(AppError) as err:
        client.predict(limit, api_name="/history")
    assert "limit:" in str(err.value) and "whole number of rows" in str(err.value)


API_ONLY_BAD = [
    ("bad JSON", LITE_T2V, "{prompt: x", "arguments"),
    ("JSON list", LITE_T2V, "[]", "arguments"),
    ("unknown endpoint", "fal-ai/bytedance/seedance/v9/text-to-video", "{}", "endpoint_id"),
]
TABLE = [(c, e, json.dumps(a), f) for c, e, a, f in BAD_INPUTS] + API_ONLY_BAD


@pytest.mark.parametrize("case, endpoint_id, arguments, field", TABLE, ids=[t[0] for t in TABLE])
def test_bad_input_through_api_changes_nothing(client, app_data_dir, case, endpoint_id, arguments, field):
    outputs = app_data_dir / "outputs"
    before_files = set(outputs.glob("*")) if outputs.exists() else set()
    before_rows = len(_rows(app_data_dir))
    with pytest.raises(AppError) as err:
        client.predict(endpoint_id, arguments, api_name="/generate")
    assert f"{field}:" in str(err.value)
    assert (set(outputs.glob("*")) if outputs.exists() else set()) == before_files
    assert len(_rows(app_data_dir)) == before_rows
