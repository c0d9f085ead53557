"""A person's path in Debian Chromium: fill the Lite text-to-video tab, run it, see the video and the panes."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def page(app_url):
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is required (scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(app_url, wait_until="domcontentloaded")
        yield page
        browser.close()


def test_lite_text_to_video_runs_in_the_browser(page):
    from playwright.sync_api import expect

    slug = "seedance-v1-lite-text-to-video"
    page.locator(f"#{slug}-prompt textarea").fill("A lighthouse at dusk, waves rolling in, slow pan right")
    expect(page.locator(f"#{slug}-request")).to_contain_text("A lighthouse at dusk", timeout=15000)
    expect(page.locator(f"#{slug}-estimate")).to_contain_text("Estimated cost: $0.1853")
    page.locator(f"#{slug}-run").click()
    page.wait_for_function(f"document.querySelector('#{slug}-video video')?.readyState >= 1", timeout=60000)
    expect(page.locator(f"#{slug}-result")).to_contain_text("Completed", timeout=15000)
    expect(page.locator(f"#{slug}-result")).to_contain_text("1248×704")
    page.get_by_role("tab", name="Python").first.click()
    expect(page.locator(f"#{slug}-python")).to_contain_text("fal_client.subscribe")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lite-text-to-video.png"), full_page=True)
