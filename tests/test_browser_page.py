"""The page as a person meets it, in Debian Chromium at 1440×900 and 390×844: uploads, problems and Run, a blind
comparison, the fold, the tabs, History's restore and promote. Every tab is photographed at both sizes under
test-artifacts/ (look at them)."""

import io
import json
import re

import pandas as pd
import pytest
from PIL import Image

from browser_kit import DESKTOP, PHONE, open_page, shoot, wait
from conftest import image_bytes

FAST_I2V = "seedance-v1-pro-fast-image-to-video"
V2_R2V = "seedance-2-0-reference-to-video"
LITE = "seedance-v1-lite-text-to-video"
FAMILY_NAMES = ("1.0 Lite", "1.0 Pro", "Pro Fast", "1.5 Pro", "2.0", "Lite", "Seedance")
RUN_ID = re.compile(r"\b[0-9a-f]{16}\b")


def _endpoint_tabs(catalog):
    """(family tab id, endpoint tab id, slug) for every endpoint, in page order."""
    from playground.ui.endpoint_tabs import _slug

    return [(f"family-{_slug(e.family)}", f"tab-{e.slug}", e.slug) for e in catalog.values()]


def _tab_button(page, label):
    return page.get_by_role("tab", name=label, exact=True).first


def _open_endpoint(page, catalog, slug):
    endpoint = next(e for e in catalog.values() if e.slug == slug)
    from playground.ui.endpoint_tabs import tab_label

    family = [e for e in catalog.values() if e.family == endpoint.family]
    _tab_button(page, endpoint.family).click()
    _tab_button(page, tab_label(endpoint, family)).click()
    page.wait_for_selector(f"#{slug}-run", state="visible", timeout=15000)


def _problems(page, slug):
    return page.locator(f"#{slug}-estimate").inner_text()


def test_a_valid_upload_raises_no_problem(browser, app_url, catalog, tmp_path):
    from playwright.sync_api import expect

    photo = tmp_path / "portrait.png"
    photo.write_bytes(image_bytes(540, 960, color=(30, 120, 200)))
    page = open_page(browser, app_url, DESKTOP)
    _open_endpoint(page, catalog, FAST_I2V)
    page.locator(f"#{FAST_I2V}-prompt textarea").fill("The subject turns to the light")
    page.locator(f"#{FAST_I2V}-image_url-upload input[type=file]").set_input_files(str(photo))
    expect(page.locator(f"#{FAST_I2V}-price")).to_contain_text("$", timeout=5000)
    wait(lambda: "image_url" not in _problems(page, FAST_I2V) and "Fix before running" not in _problems(page, FAST_I2V),
         5, "a clean problems list")
    expect(page.locator(f"#{FAST_I2V}-run")).to_be_enabled()
    assert "9:16" in page.locator(f"#{FAST_I2V}-code").inner_text() or "1088" in _problems(page, FAST_I2V) \
        or "480×864" in _problems(page, FAST_I2V) or "×1920" in _problems(page, FAST_I2V)
    _open_endpoint(page, catalog, V2_R2V)  # a list of reference images, too
    page.locator(f"#{V2_R2V}-prompt textarea").fill("@Image1 walks into the frame")
    page.locator(f"#{V2_R2V}-image_urls-upload input[type=file]").set_input_files([str(photo)])
    wait(lambda: "image_urls" not in _problems(page, V2_R2V) and "Fix before" not in _problems(page, V2_R2V), 5,
         "a clean problems list for reference images")
    shoot(page, "upload-valid-1440")


def test_a_file_that_is_not_an_image_is_named_and_stops_run_until_replaced(browser, app_url, catalog, tmp_path):
    from playwright.sync_api import expect

    fake, real = tmp_path / "holiday.png", tmp_path / "real.png"
    fake.write_bytes(b"this is a text file wearing a .png name\n" * 20)
    real.write_bytes(image_bytes(960, 540, color=(200, 90, 40)))
    page = open_page(browser, app_url, DESKTOP)
    _open_endpoint(page, catalog, FAST_I2V)
    page.locator(f"#{FAST_I2V}-prompt textarea").fill("A slow push in")
    page.locator(f"#{FAST_I2V}-image_url-upload input[type=file]").set_input_files(str(fake))
    expect(page.locator(f"#{FAST_I2V}-estimate")).to_contain_text("image_url: not a readable image",
                                                                   timeout=2000)
    expect(page.locator(f"#{FAST_I2V}-run")).to_be_disabled()
    expect(page.locator(f"#{FAST_I2V}-price")).to_contain_text("problem")
    expect(page.locator(f"#{FAST_I2V}-image_url").first).to_have_class(re.compile("field-problem"))
    assert page.locator(".toast-body, .toast-wrap .error").count() == 0  # said in the list, not in a pop-up
    shoot(page, "upload-not-an-image-1440")
    page.locator(f"#{FAST_I2V}-image_url-upload button[aria-label='Remove Image']").click()
    page.locator(f"#{FAST_I2V}-image_url-upload input[type=file]").set_input_files(str(real))
    wait(lambda: "image_url" not in _problems(page, FAST_I2V), 5, "the problem to clear")
    expect(page.locator(f"#{FAST_I2V}-run")).to_be_enabled()
    expect(page.locator(f"#{FAST_I2V}-image_url").first).not_to_have_class(re.compile("field-problem"))
    page.locator(f"#{FAST_I2V}-run").click()
    expect(page.locator(f"#{FAST_I2V}-result")).to_contain_text("Completed", timeout=60000)
    expect(page.locator(f"#{FAST_I2V}-result")).to_contain_text("matches the request")
    assert "/" not in page.locator(f"#{FAST_I2V}-result").inner_text().split("outputs as")[-1].split("(")[0]


def test_a_seed_that_is_not_whole_is_a_problem_not_rounded(browser, app_url):
    from playwright.sync_api import expect

    page = open_page(browser, app_url, DESKTOP)
    expect(page.locator(f"#{LITE}-seed input")).to_have_value("")  # empty while Random seed is ticked
    assert "-1" not in page.locator(f"#{LITE}-seed").inner_text()
    page.locator(f"#{LITE}-prompt textarea").fill("A kite")
    page.locator(f"#{LITE}-seed input").press_sequentially("3.7")
    expect(page.locator(f"#{LITE}-seed-random input")).not_to_be_checked()  # typing a seed fixes it
    expect(page.locator(f"#{LITE}-estimate")).to_contain_text("seed: must be a whole number, got '3.7'", timeout=5000)
    expect(page.locator(f"#{LITE}-run")).to_be_disabled()
    page.locator(f"#{LITE}-seed-random input").check()
    expect(page.locator(f"#{LITE}-seed input")).to_have_value("")
    expect(page.locator(f"#{LITE}-run")).to_be_enabled(timeout=5000)


def test_run_and_the_estimate_are_above_the_fold_on_every_endpoint_tab(browser, app_url, catalog):
    page = open_page(browser, app_url, DESKTOP)
    for endpoint in catalog.values():
        _open_endpoint(page, catalog, endpoint.slug)
        for part in ("run", "estimate", "price"):
            box = page.locator(f"#{endpoint.slug}-{part}").bounding_box()
            assert box and box["y"] >= 0 and box["y"] + min(box["height"], 60) <= DESKTOP[1], (endpoint.slug, part, box)


def test_every_tab_is_one_click_away_at_desktop_and_phone_width(browser, app_url, catalog):
    page = open_page(browser, app_url, DESKTOP)
    assert page.get_by_role("button", name="More tabs").filter(visible=True).count() == 0
    for endpoint in catalog.values():  # every endpoint tab, no overflow menu
        _tab_button(page, endpoint.family).click()
        family = [e for e in catalog.values() if e.family == endpoint.family]
        from playground.ui.endpoint_tabs import tab_label

        assert _tab_button(page, tab_label(endpoint, family)).is_visible(), endpoint.slug
    phone = open_page(browser, app_url, PHONE)
    for name in ("Compare", "History"):
        tab = _tab_button(phone, name)
        assert tab.is_visible()
        box = tab.bounding_box()
        assert box["y"] < PHONE[1] and box["x"] + box["width"] <= PHONE[0]
        tab.click()
    phone.wait_for_selector("#history-table", state="visible", timeout=10000)


def test_a_blind_comparison_gives_nothing_away_before_the_vote(browser, app_url, app_data_dir):
    from playwright.sync_api import expect

    page = open_page(browser, app_url, DESKTOP)
    _tab_button(page, "Compare").click()
    page.locator("#cmp-prompts textarea").fill("A red kite dances over a green hill, slow pan")
    page.locator("#cmp-seeds textarea, #cmp-seeds input").first.fill("11")
    page.locator("#cmp-blind input").check()
    page.locator("#cmp-endpoints").get_by_text("Seedance 1.5 Pro · Text to Video").click()  # four families, not five
    expect(page.locator("#cmp-plan")).to_contain_text("4 cells", timeout=15000)
    page.evaluate("window.__first = new Map()")
    page.locator("#cmp-run").click()
    remember = "document.querySelectorAll('#cmp-grid video').forEach(v => { if (!window.__first.has(v.dataset.clip)) " \
               "window.__first.set(v.dataset.clip, v); })"
    for _ in range(300):  # while cells finish (the grid is redrawn each time), remember each clip's first element
        page.evaluate(remember)
        if "4 completed" in page.locator("#cmp-outcome").inner_text():
            break
        page.wait_for_timeout(100)
    page.wait_for_function("[...document.querySelectorAll('#cmp-grid video')].length === 4 && "
                           "[...document.querySelectorAll('#cmp-grid video')].every(v => v.readyState >= 1)",
                           timeout=60000)
    page.evaluate(remember)
    assert page.evaluate("window.__first.size") == 4
    # every clip on screen is the very element first shown: kept across redraws, not fetched and started again
    assert page.evaluate("[...document.querySelectorAll('#cmp-grid video')].every(v => window.__first.get("
                         "v.dataset.clip) === v)")
    shoot(page, "compare-blind-before-vote-1440", full_page=True)
    rows = pd.read_csv(app_data_dir / "results.csv", dtype=str, keep_default_na=False)
    batch = rows[rows.prompt == "A red kite dances over a green hill, slow pan"]
    html = page.content()
    for run_id in batch.run_id:
        assert run_id not in html, html[max(0, html.index(run_id) - 300):html.index(run_id) + 100]  # no run id on the page
    for region in ("#cmp-grid", "#cmp-status", "#cmp-outcome", "#cmp-cancel-cells", "#cmp-vote-choice", "#cmp-vote-row"):
        text = page.locator(region).inner_text()
        assert not any(name in text for name in FAMILY_NAMES), (region, text)
        assert "$" not in text and not re.search(r"\d+\.\d s\b", text), (region, text)
    table = page.locator("#cmp-status").inner_text()
    assert "Clip A" in table and not re.search(r"(?m)^\s*[1-4]\s", table)  # no endpoint-ordered cell numbers
    widths = page.evaluate("[...document.querySelectorAll('#cmp-grid video')].map(v => v.getBoundingClientRect().width)")
    assert min(widths) >= 500, widths  # large enough to judge at 1440
    page.locator("#cmp-grid [data-enlarge]").first.click()
    wide = page.evaluate("document.querySelector('#cmp-grid .cmp-cell.enlarged video').getBoundingClientRect().width")
    assert wide > 1000
    page.locator("#cmp-vote-choice").get_by_text("Clip B").click()
    page.locator("#cmp-vote").click()
    expect(page.locator("#cmp-vote-result")).to_contain_text("Vote recorded", timeout=15000)
    assert any(name in page.locator("#cmp-grid").inner_text() for name in FAMILY_NAMES)  # revealed after the vote
    kept = page.evaluate("[...document.querySelectorAll('#cmp-grid video')].map(v => [v.dataset.clip, "
                         "window.__first.get(v.dataset.clip) === v, window.seedancePage.kept.get(v.dataset.clip) === v])")
    assert all(same for _, same, _ in kept), kept  # the redrawn grid kept every clip element it had, in place
    assert page.evaluate("document.querySelectorAll('#cmp-grid .cmp-cell.enlarged').length") == 1  # still enlarged


def test_restore_of_a_random_seed_run_shows_its_seed_fixed(browser, app_url, client):
    from playwright.sync_api import expect

    prompt = "A random-seed lantern, please restore my seed"
    _, result = client.predict("fal-ai/bytedance/seedance/v1/lite/text-to-video",
                               json.dumps({"prompt": prompt, "resolution": "480p", "duration": "2"}),
                               api_name="/generate")
    page = open_page(browser, app_url, DESKTOP)
    _tab_button(page, "History").click()
    page.locator("#history-text input, #history-text textarea").first.fill("random-seed lantern")
    expect(page.locator("#history-info")).to_contain_text("1 run(s)", timeout=15000)
    page.locator("#history-table [data-testid=cell-0-5]").click()
    expect(page.locator("#history-rerun")).to_contain_text("$0.0", timeout=15000)  # the price before the click
    expect(page.locator("#history-seed-check")).to_contain_text("$0.0")
    page.locator("#history-restore").click()
    expect(page.locator(f"#{LITE}-prompt textarea")).to_have_value(prompt, timeout=15000)
    expect(page.locator(f"#{LITE}-seed input")).to_have_value(str(result["seed"]))
    expect(page.locator(f"#{LITE}-seed-random input")).not_to_be_checked()
    shoot(page, "history-restored-random-seed-1440")


def test_promote_fits_the_target_and_shows_the_price_first(browser, app_url, client, app_data_dir):
    from playwright.sync_api import expect

    prompt = "A two-second Lite draft to promote to 2.0"
    client.predict("fal-ai/bytedance/seedance/v1/lite/text-to-video",
                   json.dumps({"prompt": prompt, "resolution": "480p", "duration": "2", "seed": 5}),
                   api_name="/generate")
    page = open_page(browser, app_url, DESKTOP)
    _tab_button(page, "History").click()
    page.locator("#history-text input, #history-text textarea").first.fill("two-second Lite draft")
    expect(page.locator("#history-info")).to_contain_text("1 run(s)", timeout=15000)
    width = page.evaluate("document.querySelector('#history-table').scrollWidth")
    assert width <= DESKTOP[0], width  # the table fits the screen
    page.locator("#history-table [data-testid=cell-0-5]").click()
    page.get_by_text("Promote: the same prompt").click()
    page.locator("#history-promote-target input").click()
    page.get_by_role("option", name="Seedance 2.0 · Text to Video").click()
    expect(page.locator("#history-promote-note")).to_contain_text("duration: 2 → 4", timeout=15000)
    expect(page.locator("#history-promote")).to_contain_text("Promote · $")
    expect(page.locator("#history-promote")).to_be_enabled()
    page.locator("#history-promote-duration input").click()
    options = page.get_by_role("option").all_inner_texts()
    assert "2" not in options and "4" in options  # only what the target accepts is offered
    page.keyboard.press("Escape")
    page.locator("#history-promote-note").click()
    shoot(page, "history-promote-1440")
    page.locator("#history-promote").click()
    expect(page.locator("#history-outcome")).to_contain_text("Completed", timeout=60000)
    rows = pd.read_csv(app_data_dir / "results.csv", dtype=str, keep_default_na=False)
    promoted = rows[(rows.prompt == prompt) & (rows.endpoint_id == "bytedance/seedance-2.0/text-to-video")]
    assert len(promoted) == 1 and json.loads(promoted.iloc[0].arguments_json)["duration"] == "4"


def test_the_grid_fills_a_phone_screen(browser, app_url):
    from playwright.sync_api import expect

    page = open_page(browser, app_url, PHONE)
    _tab_button(page, "Compare").click()
    page.locator("#cmp-endpoints").get_by_text("Seedance 1.5 Pro · Text to Video").click()  # two of five
    page.locator("#cmp-endpoints").get_by_text("Seedance 1.0 Pro · Text to Video").click()
    page.locator("#cmp-endpoints").get_by_text("Seedance 2.0 · Text to Video").click()
    page.locator("#cmp-prompts textarea").fill("A phone-sized comparison")
    page.locator("#cmp-seeds textarea, #cmp-seeds input").first.fill("3")
    page.locator("#cmp-run").click()
    expect(page.locator("#cmp-outcome")).to_contain_text("2 completed", timeout=60000)
    page.wait_for_function("document.querySelectorAll('#cmp-grid video').length === 2")
    widths = page.evaluate("[...document.querySelectorAll('#cmp-grid video')].map(v => v.getBoundingClientRect().width)")
    assert min(widths) >= 280, widths  # one clip per line, the width of the screen
    page.locator("#cmp-grid").scroll_into_view_if_needed()
    shoot(page, "compare-grid-390x844")


TABS = ["1.0 Lite", "1.0 Pro", "1.0 Pro Fast", "1.5 Pro", "2.0", "Compare", "Decide", "History", "Examples", "API"]


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440x900", "390x844"])
def test_every_tab_is_photographed(browser, app_url, size):
    page = open_page(browser, app_url, size)
    for name in TABS:
        _tab_button(page, name).click()
        page.wait_for_timeout(600)
        shoot(page, f"tab-{name.replace(' ', '-').replace('.', '')}-{size[0]}x{size[1]}")
    _tab_button(page, "1.0 Lite").click()
    shoot(page, f"page-full-{size[0]}x{size[1]}", full_page=True)


def test_the_image_sent_is_the_file_chosen(browser, app_url, app_data_dir, catalog, tmp_path):
    """No re-encoding by the upload box: the run's log refers to a kept input with the very bytes chosen."""
    from playwright.sync_api import expect

    buffer = io.BytesIO()
    Image.new("RGBA", (300, 500), (10, 20, 30, 128)).save(buffer, "PNG")  # an alpha channel a converter would drop
    photo = tmp_path / "alpha.png"
    photo.write_bytes(buffer.getvalue())
    page = open_page(browser, app_url, DESKTOP)
    _open_endpoint(page, catalog, FAST_I2V)
    page.locator(f"#{FAST_I2V}-prompt textarea").fill("An unconverted portrait with alpha")
    page.locator(f"#{FAST_I2V}-image_url-upload input[type=file]").set_input_files(str(photo))
    wait(lambda: "Fix before" not in _problems(page, FAST_I2V), 5, "a clean form")
    page.locator(f"#{FAST_I2V}-run").click()
    expect(page.locator(f"#{FAST_I2V}-result")).to_contain_text("Completed", timeout=60000)
    rows = pd.read_csv(app_data_dir / "results.csv", dtype=str, keep_default_na=False)
    sent = json.loads(rows[rows.prompt == "An unconverted portrait with alpha"].iloc[-1].arguments_json)
    assert sent["image_url"].startswith("inputs/") and "data:" not in json.dumps(sent)
    kept = app_data_dir / "inputs" / sent["image_url"].removeprefix("inputs/")
    assert kept.read_bytes() == photo.read_bytes()


def test_a_prompt_template_is_expanded_in_the_plan_before_running(browser, app_url):
    from playwright.sync_api import expect

    page = open_page(browser, app_url, DESKTOP)
    page.get_by_role("tab", name="Compare").click()
    page.locator("#cmp-prompts textarea").fill("{dusk|dawn} over {the sea|a city}")
    plan = page.locator("#cmp-plan")
    expect(plan).to_contain_text("40 cells, over the cap", timeout=10000)  # 4 × 5 endpoints × 2 seeds: refused
    page.locator("#cmp-seeds input, #cmp-seeds textarea").first.fill("7")
    expect(plan).to_contain_text("4 prompt(s)", timeout=10000)
    for prompt in ("dusk over the sea", "dusk over a city", "dawn over the sea", "dawn over a city"):
        expect(plan).to_contain_text(prompt)
    shoot(page, "compare-template-plan-1440")


def test_compare_tie_vote_export_and_extend_in_the_browser(browser, app_url):
    """A person runs two clips, calls it a tie, exports the row as one MP4, then adds a seed: only the two new
    cells run, and the grid shows all four."""
    from playwright.sync_api import expect

    page = open_page(browser, app_url, DESKTOP)
    page.get_by_role("tab", name="Compare").click()
    for label in ("Seedance 1.0 Pro · Text to Video", "Seedance 1.5 Pro · Text to Video",
                  "Seedance 2.0 · Text to Video"):
        page.locator("#cmp-endpoints").get_by_text(label).click()
    page.locator("#cmp-prompts textarea").fill("A kite over a hill, judged twice")
    page.locator("#cmp-seeds textarea, #cmp-seeds input").first.fill("7")
    expect(page.locator("#cmp-plan")).to_contain_text("2 cells", timeout=15000)
    page.locator("#cmp-run").click()
    expect(page.locator("#cmp-outcome")).to_contain_text("2 completed", timeout=120000)

    page.locator("#cmp-vote-choice").get_by_text("Tie: equally good").click()
    page.locator("#cmp-vote").click()
    expect(page.locator("#cmp-vote-result")).to_contain_text("tie", timeout=15000)
    page.locator("#cmp-export").click()
    expect(page.locator("#cmp-export-file")).to_contain_text(".mp4", timeout=60000)

    page.locator("#cmp-extend input").check()
    page.locator("#cmp-seeds textarea, #cmp-seeds input").first.fill("7, 8")
    expect(page.locator("#cmp-plan")).to_contain_text("2 new", timeout=15000)
    expect(page.locator("#cmp-plan")).to_contain_text("2 skipped")
    page.locator("#cmp-run").click()
    page.wait_for_function("document.querySelectorAll('#cmp-grid video').length === 4", timeout=120000)
    expect(page.locator("#cmp-outcome")).to_contain_text("4 completed", timeout=60000)
    shoot(page, "compare-tie-export-extend-1440", full_page=True)
