"""Judging a comparison in Debian Chromium as a person does: play a row, enlarge a clip, turn sound on, solo,
lay two clips over one another and drag the divider, vote with the keys. Every step checks the row's clips
are still in sync (each within 0.1 s of where the row says it is), measured in the page from the <video>
elements themselves. Screenshots go to test-artifacts/ (look at them)."""

import json

import pandas as pd
import pytest

from browser_kit import DESKTOP, open_page, shoot

PROMPT = "A lantern drifts across a night harbour, judged by keys"
# The clip times the page shows, and how far each is from where its row puts it: plain time (shorter clips hold
# their last frame) or, on a row that says its clips differ in length, the same fraction of each one's length.
SYNC = """(row) => {
  const group = document.querySelector(`#cmp-grid .sync-group[data-row="${row}"]`);
  const clips = [...group.querySelectorAll('video')].filter(v => Number.isFinite(v.duration) && v.duration > 0);
  const lead = clips.reduce((a, b) => (b.duration > a.duration ? b : a));
  const normalised = group.dataset.sync === 'normalised';
  const off = clips.map(v => {
    const expected = normalised ? lead.currentTime / lead.duration * v.duration
                                : Math.min(lead.currentTime, v.duration);
    return Math.abs(Math.min(v.currentTime, v.duration) - Math.min(expected, v.duration));
  });
  return {times: clips.map(v => v.currentTime), lengths: clips.map(v => v.duration), worst: Math.max(...off),
          playing: clips.every(v => !v.paused || v.currentTime >= v.duration - 0.1), lead: lead.currentTime};
}"""


def _in_sync(page, row, what, samples=5):
    """The row keeps playing and stays in sync over several samples (one drift can be caught mid-correction, so
    each sample must be within 0.1 s; none may be off more)."""
    seen = []
    for _ in range(samples):
        state = page.evaluate(SYNC, row)
        seen.append(state)
        assert state["worst"] <= 0.1, (what, state)
        page.wait_for_timeout(150)  # the pace of the samples, not a timing under test
    page.wait_for_function(f"([row, first]) => ({SYNC})(row).lead !== first", arg=[row, seen[0]["lead"]],
                           timeout=5000)  # time moves: it plays
    return seen


PROBE = """(row) => {  // what the vote keys make of a key 1 pressed in this row (null: nothing is sent)
  const group = document.querySelector(`#cmp-grid .sync-group[data-row="${row}"]`);
  let picked;
  const listen = (event) => { picked = window.seedanceJudging.keyChoice(event); event.stopPropagation(); };  // asked, not sent
  group.addEventListener('keydown', listen);
  group.querySelector('header').dispatchEvent(new KeyboardEvent('keydown', {key: '1', bubbles: true, cancelable: true}));
  group.removeEventListener('keydown', listen);
  return picked;
}"""


@pytest.fixture(scope="module")
def judged(browser, app_url, app_data_dir):
    """A finished comparison of 1.0 Lite, 1.5 Pro and 2.0 at 2 s (1.5 Pro and 2.0 cannot go below 4 s, so their
    clips are twice as long, and they have sound), three seeds: three rows of three clips, each row saying its
    clips differ in length."""
    from playwright.sync_api import expect

    page = open_page(browser, app_url, DESKTOP)
    page.get_by_role("tab", name="Compare").click()
    for label in ("Seedance 1.0 Pro Fast · Text to Video", "Seedance 1.0 Pro · Text to Video"):
        page.locator("#cmp-endpoints").get_by_text(label).click()
    page.locator("#cmp-prompts textarea").fill(PROMPT)
    page.locator("#cmp-seeds textarea, #cmp-seeds input").first.fill("3, 4, 5")
    page.locator("#compare-text-to-video-duration input").click()
    page.get_by_role("option", name="2", exact=True).click()
    page.locator("#compare-text-to-video-resolution input").click()
    page.get_by_role("option", name="480p", exact=True).click()
    expect(page.locator("#cmp-plan")).to_contain_text("9 cells", timeout=15000)
    page.locator("#cmp-run").click()
    expect(page.locator("#cmp-outcome")).to_contain_text("9 completed", timeout=180000)
    page.wait_for_function("[...document.querySelectorAll('#cmp-grid video')].length === 9 && [...document."
                           "querySelectorAll('#cmp-grid video')].every(v => v.readyState >= 2)", timeout=60000)
    rows = page.evaluate("[...document.querySelectorAll('#cmp-grid .sync-group')].map(g => g.dataset.row)")
    assert len(rows) == 3
    return page, rows, app_data_dir


def _row(page, row):
    return page.locator(f'#cmp-grid .sync-group[data-row="{row}"]')


def test_a_row_of_unequal_clips_says_so_and_plays_on_normalised_time(judged):
    page, rows, _ = judged
    note = _row(page, rows[0]).locator(".sync-note").inner_text()
    assert "length (2 s, 4 s)" in note and "normalised" in note, note
    _row(page, rows[0]).locator("[data-sync-action=play]").click()
    seen = _in_sync(page, rows[0], "play")
    lengths = seen[-1]["lengths"]
    assert max(lengths) > 1.8 * min(lengths), lengths  # the 2 s clip runs at half speed beside the 4 s ones
    short = [t for t, n in zip(seen[-1]["times"], lengths, strict=True) if n < 3]
    assert short and all(abs(t - seen[-1]["lead"] / 2) <= 0.1 for t in short), seen[-1]


def test_enlarge_solo_and_sound_keep_the_row_in_sync(judged):
    page, rows, _ = judged
    row = _row(page, rows[0])
    row.locator("[data-sync-action=play]").click()
    row.locator("[data-enlarge]").nth(1).click()
    width = page.evaluate("document.querySelector('#cmp-grid .cmp-cell.enlarged video').getBoundingClientRect().width")
    assert width > 1000, width
    _in_sync(page, rows[0], "enlarged")
    muted = "(row) => [...document.querySelectorAll(`#cmp-grid .sync-group[data-row=\"${row}\"] video`)].map(v => v.muted)"
    assert page.evaluate(muted, rows[0]) == [True, True, True]  # quiet until asked
    assert row.locator(".cmp-cell").nth(0).locator("[data-sound], [data-solo]").count() == 0  # 1.0 Lite is silent
    assert "No sound" in row.locator(".cmp-cell").nth(0).inner_text()
    row.locator("[data-sound]").nth(1).click()  # the 2.0 clip, the row's third
    assert page.evaluate(muted, rows[0]) == [True, True, False]
    heard = "(row) => document.querySelectorAll(`#cmp-grid .sync-group[data-row=\"${row}\"] video`)[2]" \
            ".webkitAudioDecodedByteCount"
    page.wait_for_function(f"({heard})('{rows[0]}') > 0", timeout=10000)  # it has a sound track, and it plays
    row.locator("[data-solo]").nth(0).click()  # 1.5 Pro alone
    assert page.evaluate(muted, rows[0]) == [True, False, True]  # the 2.0 clip went quiet
    assert row.locator("[data-solo]").nth(0).get_attribute("aria-pressed") == "true"
    row.scroll_into_view_if_needed()
    shoot(page, "compare-enlarged-solo-1440")
    _in_sync(page, rows[0], "solo")
    row.locator("[data-solo]").nth(0).click()
    assert page.evaluate(muted, rows[0]) == [True, True, True]
    assert page.evaluate(muted, rows[1]) == [True, True, True]  # other rows untouched
    row.locator("[data-enlarge]").nth(1).click()
    assert page.evaluate("document.querySelectorAll('#cmp-grid .cmp-cell.enlarged').length") == 0


def test_a_wipe_lays_two_clips_over_one_another_and_its_divider_follows_the_drag(judged):
    page, rows, _ = judged
    row = _row(page, rows[1])
    row.locator("[data-sync-action=play]").click()
    row.locator("[data-wipe]").click()
    boxes = page.evaluate("(row) => ['.wipe-a', '.wipe-b', '.cmp-cell:not(.wipe-a):not(.wipe-b)'].map(s => [...document."
                          "querySelectorAll(`#cmp-grid .sync-group[data-row=\"${row}\"] ${s} video`)].map(v => { const b ="
                          " v.getBoundingClientRect(); return [b.left, b.top, b.width]; }))", rows[1])
    (a,), (b,), hidden = boxes
    assert a[:2] == b[:2] and a[2] > 1000, boxes  # one over the other, full width
    assert all(width == 0 for _, _, width in hidden), hidden  # the row's third clip is out of the way
    row.locator(".cmp-cells").scroll_into_view_if_needed()  # as a person would, to see the clips before dragging
    area = row.locator(".cmp-cells").bounding_box()
    y = area["y"] + area["height"] / 3
    page.mouse.move(area["x"] + area["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(area["x"] + area["width"] * 0.3, y, steps=8)
    page.mouse.move(area["x"] + area["width"] * 0.25, y, steps=4)
    page.mouse.up()
    clip = page.evaluate("(row) => getComputedStyle(document.querySelector(`#cmp-grid .sync-group[data-row=\"${row}\"] "
                         ".wipe-b video`)).clipPath", rows[1])
    assert "inset(0px 0px 0px 25" in clip, clip  # the right-hand clip shows from a quarter across
    shoot(page, "compare-wipe-1440")
    _in_sync(page, rows[1], "wipe")
    options = row.locator("[data-wipe-side=b] option").all()
    row.locator("[data-wipe-side=b]").select_option(options[2].get_attribute("value"))
    third = page.evaluate("(row) => document.querySelector(`#cmp-grid .sync-group[data-row=\"${row}\"] .wipe-b video`)"
                          ".dataset.clip", rows[1])
    assert third == options[2].get_attribute("value")
    _in_sync(page, rows[1], "wipe, other clip")
    row.locator("[data-wipe]").click()
    assert row.locator(".wipe-a, .wipe-b").count() == 0


def test_the_keys_vote_on_the_row_in_focus_and_typing_elsewhere_votes_nothing(judged):
    from playwright.sync_api import expect

    page, rows, data = judged
    page.locator("#cmp-prompts textarea").press("1")  # typing a digit in a field is typing, not a vote (the
    expect(page.locator("#cmp-prompts textarea")).to_have_value(PROMPT + "1")  # count of votes below says so)
    assert page.evaluate(PROBE, rows[0]) == {"row": rows[0], "key": "1"}
    _row(page, rows[0]).locator("[data-sync-action=play]").click()
    for row, key, said in ((rows[0], "2", "wins"), (rows[1], "0", "tie"), (rows[2], "x", "all bad")):
        _row(page, row).locator("header").click()
        page.keyboard.press(key)
        expect(page.locator("#cmp-vote-result")).to_contain_text(said, timeout=15000)
        expect(_row(page, row).locator(".vote-keys")).to_contain_text("Voted: change your vote with the keys")
    shoot(page, "compare-keys-voted-1440", full_page=True)
    _in_sync(page, rows[0], "after three votes redrew the grid")
    votes = pd.read_csv(data / "votes.csv", dtype=str, keep_default_na=False)
    votes = votes[votes.prompt == PROMPT]
    assert len(votes) == 3
    first = votes.iloc[0]
    assert first.winner == json.loads(first.candidates)[1]  # key 2: the second clip the row showed
    assert list(votes.winner[1:]) == ["tie", "none"]
    assert page.evaluate(PROBE, rows[0]) == {"row": rows[0], "key": "1"}  # a voted row's keys change its vote
