"""The reliability matrix, public side: what one visitor of a public deployment can reach of another's data,
how far fresh sessions get past the spend caps, and start-up with broken preset files.

Its case counts join the matrix's line at the end of the test run (see conftest.pytest_terminal_summary).
"""

import json
import os
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from playground.config import FalSettings, PublicMode
from playground.service import Playground

from app_process import AppProcess
from conftest import LITE_T2V, SERVER_KEY

CHEAP = {"prompt": "a cheap draft", "resolution": "480p", "duration": "2", "seed": 1}
SECRET = "SECRET-PROMPT-of-visitor-A"


def _launch(playground: Playground):
    from playground.ui import build_app, launch_options

    demo = build_app(playground)
    demo.queue(default_concurrency_limit=8)
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True,
                            **launch_options(playground))
    return demo, url.rstrip("/") + "/"


def _secret_files(data: Path) -> dict[str, bytes]:
    """One file of every kind the data directory keeps, each holding visitor A's secret."""
    files = {"results.csv": None, "votes.csv": f'"vote_id","prompt"\n"v1","{SECRET}"\n'.encode(),
             "seed_checks.csv": f'"check_id","first_run"\n"c1","{SECRET}"\n'.encode(),
             "inflight/abc123.json": json.dumps({"row": {"prompt": SECRET}}).encode(),
             "exports/results-a1b2c3d4.csv": SECRET.encode(), "exports/results-a1b2c3d4.json": SECRET.encode(),
             "uploads/0123456789abcdef.png": SECRET.encode(), "presets/mine.json": SECRET.encode(),
             "gallery/example.json": SECRET.encode(), "results.csv.lock": SECRET.encode()}
    for name, content in files.items():
        if content is not None:
            (data / name).parent.mkdir(parents=True, exist_ok=True)
            (data / name).write_bytes(content)
    files["results.csv"] = (data / "results.csv").read_bytes()
    for kept in [*(data / "outputs").glob("*.mp4"), *(data / "batches").glob("*.json"), *(data / "exports").glob("*.mp4")]:
        files[f"{kept.parent.name}/{kept.name}"] = kept.read_bytes()  # clips, kept batches (prompts), row exports
    return files


ROUTES = 7


def _routes(path: Path) -> list[str]:
    """Every way Gradio's file routes could be asked for one absolute path."""
    text, cache = str(path), "/tmp/gradio"
    relative = os.path.relpath(text)
    return [f"gradio_api/file={text}", f"gradio_api/file/{text}", f"file={text}", f"gradio_api/file={quote(text)}",
            f"gradio_api/file={cache}/../..{text}", f"gradio_api/file={relative}", f"gradio_api/file/{quote(text)}"]


@pytest.mark.parametrize("public", [True, False], ids=["public", "private"])
def test_no_visitor_can_fetch_the_data_directory_by_path(tmp_path, catalog, public):
    data = tmp_path / "data"
    playground = Playground(catalog, data, "offline", public=PublicMode(on=public))
    demo, url = _launch(playground)
    try:
        visitor_a = Client(url, verbose=False, download_files=False)
        video, answer = visitor_a.predict(LITE_T2V, json.dumps({**CHEAP, "prompt": SECRET}), api_name="/generate")
        compared = visitor_a.predict(json.dumps({"prompts": [SECRET], "endpoints": [LITE_T2V], "seeds": [3],
                                                 "arguments": {"resolution": "480p", "duration": "2"}}),
                                     api_name="/compare")
        history = visitor_a.predict(10, api_name="/history")
        exported = visitor_a.predict(compared["batch_id"], "1 × 3", "", api_name="/export_row")
        files = _secret_files(data)
        assert {"batches", "exports"} <= {name.split("/")[0] for name in files} and exported
        mine = httpx.get(video["url"])  # visitor A watches their own clip through the URL they were given
        assert mine.status_code == 200 and mine.content[4:8] == b"ftyp"
        leaks = []
        with httpx.Client(base_url=url, timeout=10) as visitor_b:
            for name, content in files.items():
                for route in _routes(data / name):
                    for method in ("GET", "HEAD"):
                        response = visitor_b.request(method, route)
                        if response.status_code == 200 and (method == "HEAD" or content[:64] in response.content):
                            leaks.append(f"{method} /{route}")
        assert leaks == []
    finally:
        demo.close()
    if public:  # no answer gives the data directory away
        for answer_text in (json.dumps(answer), json.dumps(compared), json.dumps(history)):
            assert str(data) not in answer_text and str(data.resolve()) not in answer_text
        assert answer["video_path"] == "" and all(c["video_path"] == "" for c in compared["cells"])
    else:
        assert answer["video_path"].startswith(str(data))  # a private install keeps telling its owner where files are


def _shared_key_app(tmp_path, catalog, **public):
    settings = PublicMode(on=True, share_server_key=True, session_concurrency=4, **public)
    return _launch(Playground(catalog, tmp_path / "data", server_key=SERVER_KEY, public=settings,
                              fal_settings=FalSettings(timeout_s=30)))


def _try(url, headers=None):
    """One fresh visitor (a new API client: a new session) trying one cheap run on the shared key."""
    try:
        Client(url, verbose=False, headers=headers).predict(LITE_T2V, json.dumps(CHEAP), api_name="/generate")
        return "ran"
    except AppError as exc:
        assert "per-visitor cap" in str(exc), str(exc)
        return "refused"


def test_fresh_sessions_do_not_renew_the_per_visitor_cap(tmp_path, catalog, fake_fal):
    per_run = Playground(catalog, tmp_path / "probe").api.estimate(LITE_T2V, CHEAP)["usd"]
    demo, url = _shared_key_app(tmp_path, catalog, session_cap_usd=per_run * 2.5)
    try:
        outcomes = [_try(url) for _ in range(10)]
    finally:
        demo.close()
    assert outcomes.count("ran") == 2 and len(fake_fal.seen("POST", LITE_T2V)) == 2


def test_behind_a_proxy_the_address_it_adds_counts_not_what_the_client_claims(tmp_path, catalog, fake_fal):
    per_run = Playground(catalog, tmp_path / "probe").api.estimate(LITE_T2V, CHEAP)["usd"]
    demo, url = _shared_key_app(tmp_path, catalog, session_cap_usd=per_run * 1.5, trusted_proxies=1)
    try:  # the proxy appends the real address; anything to its left is whatever the client sent
        same_visitor = [_try(url, {"X-Forwarded-For": f"203.0.113.{i}, 198.51.100.7"}) for i in range(6)]
        someone_else = _try(url, {"X-Forwarded-For": "198.51.100.99"})
    finally:
        demo.close()
    assert same_visitor == ["ran"] + ["refused"] * 5 and someone_else == "ran"


# (file name, content) of preset files start-up must list and survive
BAD_PRESET_FILES = [("latin1.json", b'{"name": "caf\xe9"}'), ("deep.json", b"[" * 100_000),
                    ("folder.json", None), ("dangling.json", "link")]


def test_start_up_lists_every_bad_preset_file_and_goes_on(tmp_path):
    presets = tmp_path / "data" / "presets"
    presets.mkdir(parents=True)
    for name, content in BAD_PRESET_FILES:
        if content is None:
            (presets / name).mkdir()
        elif content == "link":
            (presets / name).symlink_to(tmp_path / "nowhere.json")
        else:
            (presets / name).write_bytes(content)
    app = AppProcess(tmp_path / "data", {"PLAYGROUND_BACKEND": "offline"}, tmp_path / "console.log").start()
    try:
        config = app.get("/config")
    finally:
        app.stop()
    banner = next(c["props"]["value"] for c in json.loads(config)["components"]
                  if c.get("props", {}).get("elem_id") == "preset-problems")
    for name, _ in BAD_PRESET_FILES:
        assert name in banner and name in app.output()


COUNTS = {"data files probed by path": 15, "file routes tried": ROUTES, "fresh sessions under a cap": 10,
          "spoofed proxy headers": 7,
          "bad preset files at start-up": len(BAD_PRESET_FILES)}
