"""Endpoint tabs are built when first shown (issue 15): in Debian Chromium, a tab builds on its first click, keeps
what the visitor typed when they come back, takes a saved preset into its list, and is rebuilt by a History
restore — for that visitor only."""

import json

from browser_kit import DESKTOP, open_page, shoot

LITE = "seedance-v1-lite-text-to-video"
PRO = "seedance-v1-pro-text-to-video"


def _family(page, name):
    page.get_by_role("tab", name=name, exact=True).first.click()


def _round_trip(page, slug):
    """One event to the server and its answer, seen on the page: a "!" typed at the end of the prompt reaching
    the request code pane. Whatever the server was asked before has been answered by then."""
    from playwright.sync_api import expect

    prompt = page.locator(f"#{slug}-prompt textarea")
    prompt.press("End")
    prompt.type("!")
    expect(page.locator(f"#{slug}-code")).to_contain_text(prompt.input_value(), timeout=5000)


def test_a_tab_is_built_on_first_click_and_keeps_what_was_typed(browser, app_url):
    from playwright.sync_api import expect

    page = open_page(browser, app_url, DESKTOP)
    assert page.locator(f"#{PRO}-run").count() == 0  # not built before anyone looks at it
    page.locator(f"#{LITE}-prompt textarea").fill("Typed before leaving: a heron at dawn")
    _family(page, "1.0 Pro")
    expect(page.locator(f"#{PRO}-run")).to_be_visible(timeout=5000)
    expect(page.locator(f"#{PRO}-estimate")).not_to_be_empty()
    page.locator(f"#{PRO}-prompt textarea").fill("A second tab's own prompt")
    expect(page.locator(f"#{PRO}-code")).to_contain_text("A second tab's own prompt", timeout=5000)  # it is live
    page.evaluate(f"window.__built = document.querySelector('#{PRO}-run')")
    _family(page, "1.0 Lite")
    expect(page.locator(f"#{LITE}-prompt textarea")).to_have_value("Typed before leaving: a heron at dawn")
    _family(page, "1.0 Pro")
    expect(page.locator(f"#{PRO}-prompt textarea")).to_have_value("A second tab's own prompt")
    _round_trip(page, PRO)  # a rebuild, had the switch (wrongly) asked for one, came before this answer
    assert page.locator(f"#{PRO}-run").count() == 1  # built once, not stacked
    assert page.evaluate(f"document.querySelector('#{PRO}-run') === window.__built")  # the very same tab
    shoot(page, "tabs-built-on-first-click-1440")


def test_a_saved_preset_reaches_the_built_tabs_list(browser, app_url):
    from playwright.sync_api import expect

    page = open_page(browser, app_url, DESKTOP)
    page.locator(f"#{LITE}-prompt textarea").fill("Preset prompt: rain on a tin roof")
    page.locator(f"#{LITE}-preset-save").click()
    page.locator("#preset-saver-name input, #preset-saver-name textarea").first.fill("Tin roof draft")
    page.locator("#preset-saver-save").click()
    expect(page.locator("#preset-saver-result")).to_contain_text("Tin roof draft", timeout=10000)
    page.locator(f"#{LITE}-prompt textarea").fill("something else")
    page.locator(f"#{LITE}-preset input").click()
    page.get_by_role("option", name="Tin roof draft (saved)").click()
    expect(page.locator(f"#{LITE}-prompt textarea")).to_have_value("Preset prompt: rain on a tin roof", timeout=10000)


def test_a_restore_rebuilds_an_open_tab_for_that_visitor_only(browser, app_url, client):
    from playwright.sync_api import expect

    prompt = "Restored over typed text: a kite above dunes"
    client.predict("fal-ai/bytedance/seedance/v1/pro/text-to-video",
                   json.dumps({"prompt": prompt, "seed": 5, "resolution": "480p", "duration": "3"}),
                   api_name="/generate")
    page, other = open_page(browser, app_url, DESKTOP), open_page(browser, app_url, DESKTOP)
    for visitor in (page, other):
        _family(visitor, "1.0 Pro")
        visitor.locator(f"#{PRO}-prompt textarea").fill("typed, then replaced by the restore")
    other.evaluate(f"window.__built = document.querySelector('#{PRO}-run')")
    page.get_by_role("tab", name="History").click()
    page.locator("#history-text input, #history-text textarea").first.fill("kite above dunes")
    expect(page.locator("#history-info")).to_contain_text("1 run(s)", timeout=15000)
    page.locator("#history-table [data-testid=cell-0-5]").click()
    expect(page.locator("#history-details")).to_contain_text("pro/text-to-video", timeout=15000)
    page.locator("#history-restore").click()
    expect(page.locator(f"#{PRO}-prompt textarea")).to_have_value(prompt, timeout=15000)
    expect(page.locator(f"#{PRO}-seed input")).to_have_value("5")
    assert page.locator(f"#{PRO}-run").count() == 1
    expect(page.locator(f"#{PRO}-code")).to_contain_text('"seed": 5')
    _round_trip(other, PRO)  # the other visitor's page has heard from the server since the restore
    expect(other.locator(f"#{PRO}-prompt textarea")).to_have_value("typed, then replaced by the restore!")
    assert other.evaluate(f"document.querySelector('#{PRO}-run') === window.__built")  # not rebuilt
    shoot(page, "tabs-restored-into-open-tab-1440")
