"""Blind mode read as a person reads it, in Chromium at desktop and phone size: before the vote a blind row shows
nothing that differs by tier — no "No sound" beside the silent 1.0 clips, no "clips differ in length (2 s, 4 s)",
and the clips play on one span so no clip stops early or crawls in slow motion. After the vote, all of it shows."""

import itertools

import pytest

from browser_kit import DESKTOP, PHONE, open_page, shoot

ROW = "#cmp-grid .sync-group"
CLOCKS = f"[...document.querySelectorAll('{ROW} video')].map(v => [v.currentTime, v.duration])"


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_blind_row_gives_nothing_away_before_the_vote(browser, app_url, size):
    from playwright.sync_api import expect

    page = open_page(browser, app_url, size)
    page.get_by_role("tab", name="Compare").click()
    page.locator("#cmp-prompts textarea").fill("A heron lifts off a misty pond")
    page.locator("#cmp-seeds textarea, #cmp-seeds input").first.fill("13")
    page.locator("#compare-text-to-video-duration input").click()
    page.get_by_role("option", name="2", exact=True).click()  # 2 s where allowed: 1.5 and 2.0 make 4 s, with sound
    page.locator("#cmp-endpoints").get_by_text("Seedance 1.0 Pro · Text to Video").click()  # three clips: 1.0, 1.5, 2.0
    page.locator("#cmp-endpoints").get_by_text("Seedance 1.0 Pro Fast · Text to Video").click()
    expect(page.locator("#cmp-plan")).to_contain_text("3 cells", timeout=15000)
    page.locator("#cmp-blind input").check()
    page.locator("#cmp-run").click()
    page.wait_for_function(f"[...document.querySelectorAll('{ROW} video')].length === 3 && [...document."
                           f"querySelectorAll('{ROW} video')].every(v => v.readyState >= 2)", timeout=120000)
    row = page.locator(ROW).first
    text = row.inner_text()
    assert "No sound" not in text and "Sound: off" not in text and text.count("Sound after your vote") == 3
    assert "differ" not in text and " s clip" not in text and "2 s" not in text and "4 s" not in text
    lengths = sorted(round(duration) for _, duration in page.evaluate(CLOCKS))
    assert lengths == [2, 4, 4]  # they do differ: 1.0 at 2 s; 1.5 and 2.0 at least 4 s, with sound

    row.locator("[data-sync-action=play]").click()
    seen = []
    for _ in range(20):  # 3 s of playing: every clip at one time, looping on the shortest span
        page.wait_for_timeout(150)
        seen.append([time for time, _ in page.evaluate(CLOCKS)])
    assert all(max(times) - min(times) < 0.5 for times in seen), seen  # one clock, not a slowed-down 2.0
    assert max(max(times) for times in seen) < 2.1  # the 4 s clip never shows its extra length
    assert any(later[0] < earlier[0] - 1 for earlier, later in itertools.pairwise(seen)), seen  # it looped
    row.locator("[data-sync-action=pause]").click()
    shoot(page, f"blind-row-before-vote-{size[0]}", full_page=True)

    page.locator("#cmp-vote-choice").get_by_text("Clip A", exact=True).click()
    page.locator("#cmp-vote").click()
    expect(page.locator("#cmp-vote-result")).to_contain_text("Vote recorded", timeout=15000)
    expect(row).to_contain_text("Clips differ in length (2 s, 4 s)", timeout=15000)
    revealed = row.inner_text()
    assert revealed.count("No sound") == 1 and revealed.count("Sound: off") == 2  # 1.0 silent; 1.5 and 2.0 not
    shoot(page, f"blind-row-after-vote-{size[0]}", full_page=True)
