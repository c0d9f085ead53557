"""A prompt suite run as a person does, in Debian Chromium at 1440×900 and 390×844 on the offline preview: choose
the built-in "Probes" suite with two endpoints ticked, read its plan (cells and cost), Run suite, see the grid; tick
a third endpoint and the plan says the run extends that batch with only the new endpoint's cells, which is what
runs. Screenshots under test-artifacts/ (look at them)."""

import pytest

from browser_kit import DESKTOP, PHONE, open_page, shoot

PROBES = "Probes: one prompt per weakness"  # built in: 6 prompts × 1 seed, 480p, 16:9, 5 s
UNTICKED = ["Seedance 1.0 Pro · Text to Video", "Seedance 1.5 Pro · Text to Video", "Seedance 2.0 · Text to Video"]
# The reference's token price: 864 × 480 × 24 × 5 / 1024 = 48,600 tokens a cell at 480p 16:9 for 5 s;
# 1.0 Lite at $1.80/M → $0.08748, 1.0 Pro Fast at $1.00/M → $0.0486, 1.0 Pro at $2.50/M → $0.1215.
FIRST_USD = 6 * 0.08748 + 6 * 0.0486  # Lite and Pro Fast: $0.8165
ADDED_USD = 6 * 0.1215  # 1.0 Pro's six cells: $0.7290
GRID_VIDEOS = ("n => { const clips = [...document.querySelectorAll('#cmp-grid video')];"
               " return clips.length === n && clips.every(v => v.readyState >= 2); }")  # each showing a frame


@pytest.fixture
def suite_app(tmp_path, catalog):
    """The real app on the offline preview, on a data dir of its own (no batch of the suite yet)."""
    from playground.service import Playground
    from playground.ui import build_app, launch_options

    playground = Playground(catalog, tmp_path / "data", "offline")
    demo = build_app(playground)
    demo.queue(default_concurrency_limit=8)
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True,
                            **launch_options(playground))
    yield url.rstrip("/") + "/"
    demo.close()


def _show(page, selector):
    page.locator(selector).evaluate("e => { e.scrollIntoView({block: 'start'}); window.scrollBy(0, -110); }")


def _open_compare(browser, url, size, untick):
    page = open_page(browser, url, size)
    page.get_by_role("tab", name="Compare").click()
    page.wait_for_selector("#cmp-run", timeout=60000)
    for label in untick:
        page.locator("#cmp-endpoints").get_by_text(label).click()
    page.locator("#cmp-suite-box").get_by_text("Prompt suites").first.click()
    page.locator("#cmp-suite input").click()
    page.get_by_role("option", name=PROBES, exact=True).click()
    return page


def _run_to_the_grid(page, cells):
    from playwright.sync_api import expect

    page.locator("#cmp-suite-run").click()
    expect(page.locator("#cmp-outcome")).to_contain_text(f"{cells} completed", timeout=180000)
    page.wait_for_function(GRID_VIDEOS, arg=cells, timeout=60000)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_choose_a_suite_read_its_plan_run_it_then_extend_it(browser, suite_app, size):
    """On a later visit (a new tier has appeared), the same suite on one more endpoint extends the batch."""
    from playwright.sync_api import expect

    page = _open_compare(browser, suite_app, size, UNTICKED)  # leaves 1.0 Lite and 1.0 Pro Fast
    plan, run = page.locator("#cmp-suite-plan"), page.locator("#cmp-suite-run")
    expect(plan).to_contain_text(f"12 cells · estimated ${FIRST_USD:.4f} in total", timeout=20000)
    expect(plan).to_contain_text("Probes: camera · faces-hands · motion · multi-subject · physics · text")
    expect(plan).to_contain_text("6 prompt(s) × 2 endpoint(s) × 1 seed(s): 42")
    expect(run).to_be_enabled()
    _show(page, "#cmp-suite-box")
    shoot(page, f"suite-plan-{size[0]}")
    _run_to_the_grid(page, 12)
    batch_id = page.locator("#cmp-outcome code").first.inner_text()
    expect(plan).to_contain_text(f"Extends batch {batch_id}: nothing new runs", timeout=20000)  # it follows the run
    _show(page, "#cmp-grid")
    shoot(page, f"suite-grid-{size[0]}")
    page.close()

    page = _open_compare(browser, suite_app, size, UNTICKED[1:])  # 1.0 Pro joins: only its cells are new
    plan = page.locator("#cmp-suite-plan")
    expect(plan).to_contain_text(f"Extends batch {batch_id}: only 1.0 Pro's 6 cells run; its 12 finished cells "
                                 "are kept", timeout=20000)
    expect(plan).to_contain_text(f"18 cells · estimated ${ADDED_USD:.4f} for the 6 new one(s)")
    _show(page, "#cmp-suite-box")
    shoot(page, f"suite-extend-plan-{size[0]}")
    _run_to_the_grid(page, 18)
    expect(page.locator("#cmp-outcome")).to_contain_text(batch_id)  # the same batch, now on three endpoints
    expect(page.locator("#cmp-grid .sync-group").first.locator("video")).to_have_count(3)
    _show(page, "#cmp-grid")
    shoot(page, f"suite-extended-grid-{size[0]}")
    page.close()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_batch_on_screen_extended_with_a_new_endpoint_shows_every_clip(browser, suite_app, size):
    """On the same page: the batch below gains an endpoint, which renumbers its cells; the grid must show all 18
    clips, each its own (page.js once moved a kept clip into another's place, losing clips or freezing the page)."""
    from playwright.sync_api import expect

    page = _open_compare(browser, suite_app, size, UNTICKED)
    _run_to_the_grid(page, 12)
    batch_id = page.locator("#cmp-outcome code").first.inner_text()
    page.locator("#cmp-endpoints").get_by_text(UNTICKED[0]).click()  # 1.0 Pro joins, on this same page
    expect(page.locator("#cmp-suite-plan")).to_contain_text(f"Extends batch {batch_id}: only 1.0 Pro's 6 cells run",
                                                            timeout=20000)
    _run_to_the_grid(page, 18)
    keys = page.eval_on_selector_all("#cmp-grid video", "vs => vs.map(v => v.dataset.clip)")
    assert len(keys) == 18 and len(set(keys)) == 18  # every cell's clip once, none moved into another's place
    for row in range(6):
        expect(page.locator("#cmp-grid .sync-group").nth(row).locator("video")).to_have_count(3)
    _show(page, "#cmp-grid")
    shoot(page, f"suite-extended-same-page-{size[0]}")
    page.close()
