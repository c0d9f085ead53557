"""Saving presets as a person does, in Debian Chromium at 1440×900 and 390×844: names in other scripts and names
that differ only in case or punctuation each become their own entry in the tab's preset list; saving a name again
says it replaced it; a blank name is refused on the page; and a named pipe among the saved presets is listed as a
problem at the top of the page instead of hanging start-up. Screenshots under test-artifacts/ (look at them)."""

import os
import re

import pytest

from browser_kit import DESKTOP, PHONE, open_page, shoot
from test_small_files import promptly, release_pipes

LITE = "seedance-v1-lite-text-to-video"
NAMES = ["Мой пресет", "我的预设", "My Preset", "my-preset!"]
BY_NAME = ["My Preset", "my-preset!", "Мой пресет", "我的预设"]  # the list's order: by name, case aside
ANSWERED = re.compile(r"^\s*(Saved|Replaced|Not saved) ")  # the panel's message, not its progress timer


@pytest.fixture
def fresh_app(tmp_path, catalog):
    """The real app on a data dir of its own (each screen size starts with no saved presets), whose saved-presets
    folder already holds a named pipe."""
    from playground.service import Playground
    from playground.ui import build_app, launch_options

    presets = tmp_path / "data" / "presets"
    presets.mkdir(parents=True)
    os.mkfifo(presets / "left-by-someone.json")
    playground = promptly(lambda: Playground(catalog, tmp_path / "data", "offline"), seconds=30)
    demo = build_app(playground)
    demo.queue(default_concurrency_limit=8)
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True,
                            **launch_options(playground))
    yield url.rstrip("/") + "/"
    demo.close()
    release_pipes(tmp_path)


def save_through_the_panel(page, name, prompt):
    """Type a prompt, open the save panel from the tab, name the preset, save; the panel's message as shown."""
    from playwright.sync_api import expect

    page.locator(f"#{LITE}-prompt textarea").fill(prompt)
    page.locator(f"#{LITE}-preset-save").click()
    result = page.locator("#preset-saver-result")
    expect(result).to_have_text("", timeout=10000)  # opening the panel clears the last message
    page.locator("#preset-saver-name input, #preset-saver-name textarea").first.fill(name)
    page.locator("#preset-saver-save").click()
    expect(result).to_have_text(ANSWERED, timeout=10000)
    return result.inner_text().strip()


SETTLED = """() => { let el = document.querySelector('[role=option]');  // the list fades in: wait until it has
    for (; el; el = el.parentElement) if (getComputedStyle(el).opacity !== '1') return false;
    return document.querySelector('[role=option]') !== null; }"""


def open_list(page):
    """The tab's preset list opened, unfiltered (the box still holds the last choice, which would filter it)."""
    box = page.locator(f"#{LITE}-preset input")
    box.click()
    box.fill("")
    page.wait_for_function(SETTLED, timeout=10000)


def choose(page, label):
    open_list(page)
    page.get_by_role("option", name=label, exact=True).click()


def listed(page):
    """The entries of the tab's preset list, as its dropdown shows them (opened, read, closed)."""
    open_list(page)
    entries = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return [entry.replace("✓", "").strip() for entry in entries]  # the chosen entry carries a check mark


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_names_in_any_script_and_case_are_saved_as_their_own_presets(browser, fresh_app, size):
    from playwright.sync_api import expect

    page = open_page(browser, fresh_app, size)
    page.get_by_text("1 preset problem(s)").click()
    expect(page.locator("#preset-problems")).to_contain_text("left-by-someone.json: -: is a named pipe (FIFO)")

    for number, name in enumerate(NAMES):
        message = save_through_the_panel(page, name, f"prompt of preset {number}")
        assert message.startswith(f"Saved {name} (saved): it is in the "), message
    shoot(page, f"presets-saved-{size[0]}")

    entries = listed(page)
    assert [entry for entry in entries if entry.endswith(" (saved)")] == [f"{name} (saved)" for name in BY_NAME]
    for number, name in enumerate(NAMES):  # each entry is its own preset, not a copy of the last one saved
        choose(page, f"{name} (saved)")
        expect(page.locator(f"#{LITE}-prompt textarea")).to_have_value(f"prompt of preset {number}", timeout=10000)

    message = save_through_the_panel(page, "My Preset", "prompt of preset 2, changed")
    assert message == "Replaced My Preset (saved): the saved preset of that name now holds this form.", message
    message = save_through_the_panel(page, "   ", "a blank name")
    assert message.startswith("Not saved — nothing was changed:") and "is empty" in message, message
    shoot(page, f"presets-refused-{size[0]}")
    assert listed(page) == entries  # the replace and the refusal added nothing
    open_list(page)
    shoot(page, f"presets-list-{size[0]}")
    page.get_by_role("option", name="My Preset (saved)", exact=True).click()
    expect(page.locator(f"#{LITE}-prompt textarea")).to_have_value("prompt of preset 2, changed", timeout=10000)
