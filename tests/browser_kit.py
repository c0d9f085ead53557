"""What the browser tests share: Debian Chromium through Playwright (no downloaded browser), pages at a person's
screen sizes, waiting on a condition, and screenshots under test-artifacts/ (not committed)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
DESKTOP, PHONE = (1440, 900), (390, 844)


def launch(playwright):
    """Debian Chromium (the test setup installs it; a missing one is a failure, not a skip)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is required (scripts/test.sh installs it)")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)


def open_page(browser, url, size=(1400, 1100)):
    """A fresh page (a fresh visitor) at ``size``, once the first endpoint tab is on screen."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.on("pageerror", lambda error: print(f"page error: {error}"))  # shown with a failing test
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("#seedance-v1-lite-text-to-video-run", timeout=60000)
    return page


def wait(condition, timeout_s, what):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def shoot(page, name: str, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
