"""The backend seam, proved by a backend that exists only in the tests (``echo_backend.py``, registered by the one
line in ``echo``): through the real app, configured by PLAYGROUND_BACKEND=echo, it runs a tab (Chromium, at
1440×900 and 390×844), a comparison and its votes (`/compare`, `/vote`, `/leaderboard` through gradio_client),
History's Run again and the Leaderboard filtered to it — and no file under playground/ names it. Around it: what
the app decides from a backend's declared capabilities (key, refetch, cancel, stand-in clips), and that no
`"fal"` literal decides anything outside playground/backends/ and the catalog. Screenshots go to test-artifacts/."""

import asyncio
import json
import re
from pathlib import Path

import av
import pandas as pd
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from playground import config
from playground.backends import registry
from playground.backends.registry import Route
from playground.errors import InputError, PlaygroundError
from playground.service import Playground, create_playground
from playground.visitor import Visitor

from browser_kit import DESKTOP, PHONE, open_page, shoot, wait
from conftest import LITE_T2V, PRO_FAST_T2V
from echo_backend import KIND as ECHO

ROOT = Path(__file__).parent.parent
LITE = "seedance-v1-lite-text-to-video"
TWO = [LITE_T2V, PRO_FAST_T2V]
QUICK = {"resolution": "480p", "duration": "2"}


@pytest.fixture(scope="module")
def echo():
    """``echo`` registered for this module's tests, and gone after them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(registry.KINDS, ECHO.name, ECHO)  # the one registration line
        yield patch


@pytest.fixture(scope="module")
def echo_app(echo, tmp_path_factory):
    """The real app as its environment configures it, with PLAYGROUND_BACKEND=echo: (url, data dir)."""
    from playground.ui import build_app, launch_options

    echo.setenv("PLAYGROUND_BACKEND", "echo")
    playground = create_playground(tmp_path_factory.mktemp("echo") / "data")
    demo = build_app(playground)
    demo.queue(default_concurrency_limit=8)
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True,
                            **launch_options(playground))
    yield url.rstrip("/") + "/", playground.data_dir
    demo.close()


def _drain(events):
    async def go():
        return [item async for item in events]
    return asyncio.run(go())


def _rows(data_dir):
    return pd.read_csv(data_dir / "results.csv", dtype=str, keep_default_na=False)


# -- the seam's own promises ------------------------------------------------------------------------------------
def _python_files(under):
    return sorted((ROOT / under).rglob("*.py"))


def test_no_file_under_playground_knows_the_echo_backend():
    named = [str(p.relative_to(ROOT)) for p in _python_files("playground")
             if re.search(r'echo_backend|EchoBackend|"echo"', p.read_text(encoding="utf-8"))]
    assert named == []


def test_no_fal_literal_decides_outside_the_backends_and_the_catalog():
    """The issue's grep, as a test: a `"fal"` literal outside backends/ and catalog/ is a decision by name."""
    found = [str(p.relative_to(ROOT)) for p in _python_files("playground")
             if not str(p.relative_to(ROOT)).startswith(("playground/backends/", "playground/catalog/"))
             and '"fal"' in p.read_text(encoding="utf-8")]
    assert found == []


def test_unregistered_names_are_refused_with_the_registered_ones(monkeypatch, tmp_path, catalog):
    monkeypatch.delitem(registry.KINDS, ECHO.name, raising=False)
    monkeypatch.setenv("PLAYGROUND_BACKEND", "echo")
    with pytest.raises(PlaygroundError, match="PLAYGROUND_BACKEND='echo': must be one of auto, fal, offline"):
        config.backend_choice(registry.names())
    with pytest.raises(PlaygroundError, match="PLAYGROUND_BACKEND"):
        Route.of("echo")
    api = Playground(catalog, tmp_path / "data").api
    with pytest.raises(InputError) as refused:
        api.leaderboard({"backend": "echo"})
    assert refused.value.problems == [("backend", 'give {"backend": "fal"}, "offline" or "all" (or nothing for all)')]


@pytest.mark.parametrize("choice, keyed, keyless", [
    ("auto", "fal", "offline"), ("fal", "fal", None), ("offline", None, "offline"), ("echo", None, "echo")])
def test_routes_follow_what_each_backend_declares(echo, choice, keyed, keyless):
    route = Route.of(choice)
    assert (getattr(route.keyed, "name", None), getattr(route.keyless, "name", None)) == (keyed, keyless)


def test_a_registered_backend_is_a_choice_everywhere(echo, monkeypatch, tmp_path, catalog):
    monkeypatch.setenv("PLAYGROUND_BACKEND", "echo")
    assert config.backend_choice(registry.names()) == "echo"
    playground = Playground(catalog, tmp_path / "data", "echo", server_key="srv-1234:abcdef0123456789")
    assert playground.history.backend_names() == ["fal", "offline", "echo"]
    assert playground.compare.leaderboard_filters() == (["fal", "offline", "echo", "all"], "fal")  # fal: a model's clips
    assert not playground.sessions.asks_for_key
    assert playground.launcher.backend_for("visitor:0123456789abcdef").name == "echo"  # a key changes nothing
    assert playground.sessions.backend_status(None).startswith("**Backend: echo clip** (PLAYGROUND_BACKEND=echo): one flat")
    assert playground.tabs.cancel_note(None) == ("**cancelled** · the echo clip stopped rendering on this server (nothing "
                                            "was sent to fal.ai, nothing is charged) · the run's row in History says "
                                            "how it ended")
    with pytest.raises(InputError, match="echo"):
        playground.api.leaderboard({"backend": "mars"})


def test_fetch_again_is_offered_where_the_backend_declares_it(echo, tmp_path, catalog):
    """History's Fetch again, decided from ``can_refetch``: echo declares it (its clip comes back, no new run);
    the offline preview does not."""
    playground, visitor = Playground(catalog, tmp_path / "data", "echo"), Visitor()
    made = _drain(playground.generate(LITE_T2V, {"prompt": "a kite", **QUICK, "seed": 4}, visitor))[-1]
    assert made.backend == "echo" and made.width == 864 and made.frames == 48 and made.checks
    picked = playground.history.pick(made.run_id, visitor)
    assert picked.can_refetch and "echo (a test backend" in picked.details
    again = asyncio.run(playground.history.refetch(made.run_id, visitor))
    assert again.video_path == made.video_path and len(_rows(playground.data_dir)) == 1  # no new run
    offline = Playground(catalog, tmp_path / "other", "offline")
    preview = _drain(offline.generate(LITE_T2V, {"prompt": "a kite", **QUICK}, visitor))[-1]
    assert not offline.history.pick(preview.run_id, visitor).can_refetch
    with pytest.raises(InputError, match="only fal or echo runs"):
        asyncio.run(offline.history.refetch(preview.run_id, visitor))


def test_the_leaderboard_note_follows_the_declarations(echo):
    from playground.leaderboard import COLUMNS, leaderboard_note

    empty, voted = pd.DataFrame(columns=COLUMNS), pd.DataFrame([dict.fromkeys(COLUMNS, 1)])
    assert leaderboard_note("fal", empty) == ("No votes on fal runs yet. Votes on offline previews and echo clips "
                                              "judge synthetic clips, not models: choose *offline* or *echo* to see "
                                              "them anyway.")
    assert leaderboard_note("echo", voted) == "⚠️ This includes votes on echo clips (synthetic clips)."
    assert leaderboard_note("fal", voted) == ""


# -- through the real app -----------------------------------------------------------------------------------------
def _compare_and_vote(url, prompt):
    """A 2 × 2 comparison on echo through `/compare`, a vote on each row (A, then B): (client, answer)."""
    client = Client(url, verbose=False)
    spec = {"prompts": [prompt], "endpoints": TWO, "seeds": [5, 6], "arguments": QUICK}
    answer = client.predict(json.dumps(spec), api_name="/compare")
    for seed, letter in ((5, "A"), (6, "B")):
        client.predict(answer["batch_id"], f"1 × {seed}", letter, api_name="/vote")
    return client, answer


def test_compare_vote_and_leaderboard_through_the_named_api(echo_app):
    url, data_dir = echo_app
    client, answer = _compare_and_vote(url, "a paper boat on a gutter")
    assert answer["backend"] == "echo" and len(answer["cells"]) == 4
    assert all(c["status"] == "completed" and (c["width"], c["frames"]) == (864, 48) for c in answer["cells"])
    with av.open(answer["cells"][0]["video_path"]) as clip:  # a real clip, made by echo
        assert clip.streams.video[0].codec_context.name == "h264"
    batch = _rows(data_dir).query(f"batch_id == '{answer['batch_id']}'")
    assert len(batch) == 4 and set(batch.backend) == {"echo"} and set(batch.status) == {"completed"}
    rows = client.predict(json.dumps({"backend": "echo"}), api_name="/leaderboard")
    assert {r["endpoint_id"] for r in rows} == set(TWO) and all(r["votes"] >= 2 for r in rows)
    assert sum(r["wins"] for r in rows) >= 2
    assert client.predict(json.dumps({"backend": "fal"}), api_name="/leaderboard") == []
    with pytest.raises(AppError, match='"offline", "echo" or "all"'):
        client.predict(json.dumps({"backend": "mars"}), api_name="/leaderboard")
    assert {r["backend"] for r in client.predict(10, api_name="/history")} == {"echo"}


@pytest.mark.serial
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440x900", "390x844"])
def test_a_tab_history_and_the_leaderboard_on_echo_in_chromium(browser, echo_app, size):
    from playwright.sync_api import expect

    url, data_dir = echo_app
    name = f"{size[0]}x{size[1]}"
    _compare_and_vote(url, f"two kites at {name}")
    page = open_page(browser, url, size)
    expect(page.locator("#backend-status")).to_contain_text("echo clip")
    assert not page.locator("#fal-key input").is_visible()  # echo needs no key: none is asked for

    prompt = f"A lighthouse at dusk, echoed at {name}"
    page.locator(f"#{LITE}-prompt textarea").fill(prompt)
    page.locator(f"#{LITE}-run").click()
    page.wait_for_function(f"document.querySelector('#{LITE}-video video')?.readyState >= 1", timeout=60000)
    expect(page.locator(f"#{LITE}-result")).to_contain_text("Completed", timeout=15000)
    expect(page.locator(f"#{LITE}-result")).to_contain_text("echo (a test backend")
    page.locator(f"#{LITE}-result").scroll_into_view_if_needed()
    page.wait_for_function(f"document.querySelector('#{LITE}-video video')?.readyState >= 2", timeout=30000)
    shoot(page, f"echo-tab-{name}")
    wait(lambda: prompt in set(_rows(data_dir).prompt), 15, "the tab's run in the results log")
    assert _rows(data_dir).query("prompt == @prompt").iloc[0].backend == "echo"

    page.get_by_role("tab", name="History").click()
    page.locator("#history-backend input").click()
    page.get_by_role("option", name="echo", exact=True).click()  # the filter lists the registered backend
    page.locator("#history-text input, #history-text textarea").first.fill(f"echoed at {name}")
    info = page.locator("#history-info")
    expect(info).to_contain_text("1 run(s)", timeout=15000)
    page.locator("#history-table [data-testid=cell-0-5]").click()
    expect(page.locator("#history-rerun")).to_contain_text("$0.", timeout=15000)
    expect(page.locator("#history-refetch")).to_be_enabled()  # echo declares it can fetch a result again
    page.locator("#history-rerun").click()
    expect(page.locator("#history-outcome")).to_contain_text("Completed", timeout=60000)
    expect(info).to_contain_text("2 run(s)", timeout=15000)
    shoot(page, f"echo-history-{name}")
    assert len(_rows(data_dir).query("prompt == @prompt and backend == 'echo'")) == 2

    page.get_by_role("tab", name="Decide").click()
    expect(page.locator("#leaderboard-note")).to_contain_text("No votes on fal runs yet", timeout=15000)
    page.locator("#leaderboard-backend input").click()
    page.get_by_role("option", name="echo", exact=True).click()
    table = page.locator("#leaderboard-table")
    for label in ("1.0 Lite", "1.0 Pro Fast"):
        expect(table).to_contain_text(label, timeout=15000)
    expect(page.locator("#leaderboard-note")).to_contain_text("echo clips (synthetic clips)")
    page.wait_for_selector('#decide-cost-rating [aria-roledescription="point"]', timeout=30000)  # echo's votes
    page.wait_for_selector("#decide-matrix g.mark-text.role-mark text", timeout=30000)  # drawn in both charts
    shoot(page, f"echo-leaderboard-{name}", full_page=True)
