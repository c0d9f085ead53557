"""A person's path in Debian Chromium: run a tab offline; on fal, enter a key, run and cancel for real."""

import re

import pandas as pd

from browser_kit import ARTIFACTS, open_page, wait
from conftest import Script

LITE = "seedance-v1-lite-text-to-video"
VISITOR_KEY = "c0ffee00-1111-4222-8333-444455556666:9a8b7c6d5e4f9a8b7c6d5e4f9a8b7c6d"


def _open(browser, url):
    return open_page(browser, url)


def test_lite_text_to_video_runs_in_the_browser(browser, app_url):
    from playwright.sync_api import expect

    page = _open(browser, app_url)
    expect(page.locator("#backend-status")).to_contain_text("offline preview")
    page.locator(f"#{LITE}-prompt textarea").fill("A lighthouse at dusk, waves rolling in, slow pan right")
    expect(page.locator(f"#{LITE}-code")).to_contain_text("A lighthouse at dusk", timeout=15000)
    expect(page.locator(f"#{LITE}-estimate")).to_contain_text("Estimated cost: $0.1853")
    page.locator(f"#{LITE}-run").click()
    page.wait_for_function(f"document.querySelector('#{LITE}-video video')?.readyState >= 1", timeout=60000)
    expect(page.locator(f"#{LITE}-result")).to_contain_text("Completed", timeout=15000)
    expect(page.locator(f"#{LITE}-result")).to_contain_text("1248×704")
    page.locator(f"#{LITE}-code-language").get_by_text("Python").click()
    expect(page.locator(f"#{LITE}-code")).to_contain_text("fal_client.subscribe")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lite-text-to-video.png"), full_page=True)


def test_visitor_key_run_and_cancel_reach_fal(browser, fal_app, fake_fal):
    from playwright.sync_api import expect

    url, data_dir = fal_app
    page = _open(browser, url)
    expect(page.locator("#backend-status")).to_contain_text("the server's key")
    page.locator("#fal-key input").fill(VISITOR_KEY)
    page.locator("#fal-key-use").click()
    expect(page.locator("#backend-status")).to_contain_text("your key")
    expect(page.locator("#fal-key input")).to_have_value("")
    assert VISITOR_KEY.split(":")[1] not in page.content()

    fake_fal.script(Script(hold=True, queue_s=0.2, logs=("loading weights", "denoising")))
    page.locator(f"#{LITE}-prompt textarea").fill("A slow dolly shot through a greenhouse at dawn")
    page.locator(f"#{LITE}-run").click()
    expect(page.locator(f"#{LITE}-status")).to_contain_text("in progress", timeout=20000)
    page.get_by_text("Logs and run details").first.click()
    expect(page.locator(f"#{LITE}-logs textarea")).to_have_value(re.compile("^loading weights"), timeout=20000)
    (job,) = fake_fal.jobs.values()
    assert job.authorization == f"Key {VISITOR_KEY}"
    page.locator(f"#{LITE}-cancel").click()
    wait(lambda: fake_fal.seen("PUT", f"/requests/{job.request_id}/cancel"), 15, "the cancel at fal")

    def row():
        path = data_dir / "results.csv"
        rows = pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else pd.DataFrame()
        return rows[rows.request_id == job.request_id] if len(rows) else rows

    wait(lambda: len(row()) == 1, 15, "the cancelled row")
    assert row().iloc[0].status == "cancelled"
    expect(page.locator(f"#{LITE}-status")).to_contain_text("cancelled")
    assert VISITOR_KEY.split(":")[1] not in page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "fal-cancelled.png"), full_page=True)


SYNC_STATE = "[...document.querySelectorAll('#cmp-grid video')].map(v => [v.currentTime, v.paused])"
FAMILY_NAMES = ("1.0 Lite", "1.0 Pro", "Pro Fast", "1.5 Pro", "2.0")


def test_compare_grid_plays_in_sync_blind_vote_reaches_the_leaderboard(browser, app_url):
    from playwright.sync_api import expect

    page = _open(browser, app_url)
    page.get_by_role("tab", name="Compare").click()
    page.locator("#cmp-prompts textarea").fill("A red kite dances over a green hill, slow pan")
    page.locator("#cmp-seeds textarea, #cmp-seeds input").first.fill("7")
    page.locator("#cmp-endpoints").get_by_text("Seedance 1.5 Pro · Text to Video").click()  # four families, not five
    expect(page.locator("#cmp-plan")).to_contain_text("4 cells", timeout=15000)
    page.locator("#cmp-blind input").check()
    page.locator("#cmp-run").click()
    page.wait_for_function("[...document.querySelectorAll('#cmp-grid video')].length === 4 && "
                           "[...document.querySelectorAll('#cmp-grid video')].every(v => v.readyState >= 2)",
                           timeout=120000)
    grid_text = page.locator("#cmp-grid").inner_text()
    assert "Clip A" in grid_text and not any(name in grid_text for name in FAMILY_NAMES)
    assert not any(name in page.locator("#cmp-status").inner_text() for name in FAMILY_NAMES)

    page.locator("#cmp-grid [data-sync-action=play]").click()
    spreads = []
    for _ in range(8):
        page.wait_for_timeout(200)
        state = page.evaluate(SYNC_STATE)
        assert not any(paused for _, paused in state), state
        spreads.append(max(t for t, _ in state) - min(t for t, _ in state))
    assert max(spreads) <= 0.25, spreads
    assert page.evaluate(SYNC_STATE)[0][0] > 1.0  # they really are playing
    page.locator("#cmp-grid [data-sync-action=pause]").click()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compare-blind.png"), full_page=True)

    page.locator("#cmp-vote-choice").get_by_text("Clip C").click()
    page.locator("#cmp-vote").click()
    expect(page.locator("#cmp-vote-result")).to_contain_text("Vote recorded", timeout=15000)
    winner = page.locator("#cmp-vote-result strong").inner_text()
    assert winner in FAMILY_NAMES or winner in ("1.0 Pro Fast",)
    expect(page.locator("#cmp-grid")).to_contain_text(winner)  # the voted row is revealed
    page.get_by_role("tab", name="Decide").click()
    expect(page.locator("#leaderboard-note")).to_contain_text("No votes on fal runs yet", timeout=15000)  # fal first
    page.locator("#leaderboard-backend input").click()
    page.get_by_role("option", name="offline").click()
    expect(page.locator("#leaderboard-table")).to_contain_text(winner, timeout=15000)
    page.screenshot(path=str(ARTIFACTS / "leaderboard.png"), full_page=True)


def test_compare_cancel_all_reaches_fal_for_every_cell(browser, fal_app, fake_fal):
    from playwright.sync_api import expect

    url, _ = fal_app
    fake_fal.reset(default=Script(hold=True, queue_s=0.2, logs=("warming up",)))
    page = _open(browser, url)
    page.get_by_role("tab", name="Compare").click()
    page.locator("#cmp-endpoints").get_by_text("Seedance 1.5 Pro · Text to Video").click()  # untick three of five
    page.locator("#cmp-endpoints").get_by_text("Seedance 1.0 Pro · Text to Video").click()
    page.locator("#cmp-endpoints").get_by_text("Seedance 2.0 · Text to Video").click()
    page.locator("#cmp-prompts textarea").fill("Two cells that never finish")
    page.locator("#cmp-seeds textarea, #cmp-seeds input").first.fill("5")
    expect(page.locator("#cmp-plan")).to_contain_text("2 cells", timeout=15000)
    page.locator("#cmp-run").click()
    wait(lambda: len(fake_fal.jobs) == 2 and all(j.followed for j in fake_fal.jobs.values()), 30,
          "two cells polling at the fake")
    expect(page.locator("#cmp-status")).to_contain_text("running", timeout=15000)
    page.locator("#cmp-cancel").click()
    wait(lambda: len(fake_fal.seen("PUT", "/cancel")) == 2, 15, "a cancel for each cell at fal")
    expect(page.locator("#cmp-outcome")).to_contain_text("2 cancelled", timeout=15000)


def test_history_row_restores_into_its_tab(browser, app_url, client):
    import json

    from playwright.sync_api import expect

    arguments = {"prompt": "Restore me: a lantern on a pier, \"foggy\" night", "aspect_ratio": "1:1",
                 "resolution": "480p", "duration": "3", "seed": 31, "camera_fixed": True,
                 "enable_safety_checker": False}
    client.predict("fal-ai/bytedance/seedance/v1/pro/fast/text-to-video", json.dumps(arguments), api_name="/generate")
    page = _open(browser, app_url)
    page.get_by_role("tab", name="History").click()
    page.locator("#history-text input, #history-text textarea").first.fill("lantern on a pier")
    expect(page.locator("#history-info")).to_contain_text("1 run(s)", timeout=15000)
    page.locator("#history-table [data-testid=cell-0-5]").click()  # the prompt column
    expect(page.locator("#history-details")).to_contain_text("pro/fast/text-to-video", timeout=15000)
    page.locator("#history-restore").click()
    slug = "seedance-v1-pro-fast-text-to-video"
    expect(page.locator(f"#{slug}-prompt textarea")).to_have_value(arguments["prompt"], timeout=15000)
    for name in ("aspect_ratio", "resolution", "duration"):
        expect(page.locator(f"#{slug}-{name} input")).to_have_value(arguments[name])
    expect(page.locator(f"#{slug}-seed input")).to_have_value("31")
    expect(page.locator(f"#{slug}-seed-random input")).not_to_be_checked()
    expect(page.locator(f"#{slug}-camera_fixed input")).to_be_checked()
    page.locator(f"#{slug}-advanced").get_by_text("Advanced").click()  # folded fields were restored too
    expect(page.locator(f"#{slug}-enable_safety_checker input")).not_to_be_checked()
    expect(page.locator(f"#{slug}-code")).to_contain_text('"seed": 31')  # the restored form is what would be sent
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "history-restored.png"), full_page=True)


def test_examples_tab_renders_shipped_comparisons(browser, app_url):
    page = _open(browser, app_url)
    page.get_by_role("tab", name="Examples").click()
    page.wait_for_function("document.querySelectorAll('#gallery-four-families video').length === 4 && "
                           "[...document.querySelectorAll('#gallery-four-families video')].every(v => v.readyState >= 1)",
                           timeout=90000)
    assert "OFFLINE" not in page.locator("#gallery-four-families figcaption").first.inner_text()  # captions: names
    assert "1.0 Lite" in page.locator("#gallery-four-families").inner_text()


def test_api_tab_lists_the_catalog(browser, app_url):
    from playwright.sync_api import expect

    page = _open(browser, app_url)
    page.get_by_role("tab", name="API").click()
    page.locator("#api-catalog").click()
    expect(page.locator("#api-output")).to_contain_text("bytedance/seedance-2.0/mini/reference-to-video", timeout=15000)
    expect(page.locator("#api-output")).to_contain_text("fal-ai/bytedance/seedance/v1/lite/text-to-video")
