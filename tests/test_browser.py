"""A person's path in Debian Chromium: run a tab offline; on fal, enter a key, run and cancel for real."""

import os
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import Script

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
LITE = "seedance-v1-lite-text-to-video"
VISITOR_KEY = "c0ffee00-1111-4222-8333-444455556666:9a8b7c6d5e4f9a8b7c6d5e4f9a8b7c6d"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is required (scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def _open(browser, url):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(url, wait_until="domcontentloaded")
    return page


def _wait(condition, timeout_s, what):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_lite_text_to_video_runs_in_the_browser(browser, app_url):
    from playwright.sync_api import expect

    page = _open(browser, app_url)
    expect(page.locator("#backend-status")).to_contain_text("offline preview")
    page.locator(f"#{LITE}-prompt textarea").fill("A lighthouse at dusk, waves rolling in, slow pan right")
    expect(page.locator(f"#{LITE}-request")).to_contain_text("A lighthouse at dusk", timeout=15000)
    expect(page.locator(f"#{LITE}-estimate")).to_contain_text("Estimated cost: $0.1853")
    page.locator(f"#{LITE}-run").click()
    page.wait_for_function(f"document.querySelector('#{LITE}-video video')?.readyState >= 1", timeout=60000)
    expect(page.locator(f"#{LITE}-result")).to_contain_text("Completed", timeout=15000)
    expect(page.locator(f"#{LITE}-result")).to_contain_text("1248×704")
    page.get_by_role("tab", name="Python").first.click()
    expect(page.locator(f"#{LITE}-python")).to_contain_text("fal_client.subscribe")
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
    expect(page.locator(f"#{LITE}-logs textarea")).to_have_value("loading weights", timeout=20000)
    (job,) = fake_fal.jobs.values()
    assert job.authorization == f"Key {VISITOR_KEY}"
    page.locator(f"#{LITE}-cancel").click()
    _wait(lambda: fake_fal.seen("PUT", f"/requests/{job.request_id}/cancel"), 15, "the cancel at fal")

    def row():
        path = data_dir / "results.csv"
        rows = pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else pd.DataFrame()
        return rows[rows.request_id == job.request_id] if len(rows) else rows

    _wait(lambda: len(row()) == 1, 15, "the cancelled row")
    assert row().iloc[0].status == "cancelled"
    expect(page.locator(f"#{LITE}-status")).to_contain_text("cancelled")
    assert VISITOR_KEY.split(":")[1] not in page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "fal-cancelled.png"), full_page=True)
