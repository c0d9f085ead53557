"""The first load and each tab's first showing carry only what is seen (issue 28), in Debian Chromium at 1440×900 and
390×844: no request is made twice and a tab's build comes compressed; an endpoint tab mounts its player and its run
log only when Run is pressed, then plays the clip; History shows its table with its first page, and a chosen run's
player, code and promotion only once it is chosen."""

from collections import Counter

import pytest

from playground.history import PAGE_SIZE

from browser_kit import DESKTOP, PHONE, shoot, wait

LITE = "seedance-v1-lite-text-to-video"
STREAMS = ("/queue/data", "/heartbeat/")  # kept open by Gradio's page (events: one per burst of queued events)


def _stream(url: str) -> bool:
    return any(part in url for part in STREAMS)


def _size(size) -> str:
    return f"{size[0]}x{size[1]}"


class Watch:
    """Every request of a page: made (method, URL, body without the page's session), and answered or failed."""

    def __init__(self, page):
        self.made: list[tuple[str, str, str]] = []
        self.open: set = set()
        self.encodings: dict[str, list[str]] = {}
        page.on("request", self._made)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)
        page.on("response", lambda r: self.encodings.setdefault(r.url, []).append(r.headers.get("content-encoding", "")))

    def _made(self, request) -> None:
        body = (request.post_data or "")
        if '"session_hash"' in body:
            body = body[:body.index('"session_hash"')]
        self.made.append((request.method, request.url, body))
        if not _stream(request.url):
            self.open.add(request)

    def _ended(self, request) -> None:
        self.open.discard(request)

    def twice(self) -> list:
        return [made for made, n in Counter(m for m in self.made if not _stream(m[1])).items() if n > 1]


def _first_load(browser, url, size):
    """A fresh page once its first tab, its backend line and every load event have answered."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    watch = Watch(page)
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(f"#{LITE}-run", timeout=60000)
    wait(lambda: page.locator(f"#{LITE}-estimate").inner_text().strip() and
         page.locator("#backend-status").inner_text().strip() and not watch.open, 30, "the first load to settle")
    return page, watch


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=_size)
def test_the_first_load_asks_nothing_twice_and_builds_the_first_tab_without_its_player(browser, app_url, size):
    page, watch = _first_load(browser, app_url, size)
    assert not watch.twice()
    builds = [url for method, url, body in watch.made if url.endswith("/run/predict") and '"open"' in body]
    assert len(builds) == 1  # the first tab, once
    assert watch.encodings[builds[0]] == ["gzip"]  # 35 KB of component config, 6 KB on the wire
    assert page.locator(f"#{LITE}-video").count() == 0  # nothing played yet: no player mounted
    assert page.locator(f"#{LITE}-run-log").count() == 0
    heavy = [url for _, url, _ in watch.made if "/hls-" in url or "Montserrat" in url]
    assert not heavy  # Gradio's hls.js (156 KB) comes with a player; the theme's text font is the system's
    shoot(page, f"first-load-{_size(size)}", full_page=True)
    page.close()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=_size)
def test_run_shows_the_player_and_the_log_then_plays_the_clip(browser, app_url, size):
    from playwright.sync_api import expect

    page, _ = _first_load(browser, app_url, size)
    page.locator(f"#{LITE}-prompt textarea").fill("A kite over a wheat field, the string taut, slow tilt up")
    page.locator(f"#{LITE}-run").click()
    expect(page.locator(f"#{LITE}-run-log")).to_be_visible(timeout=20000)
    page.wait_for_function(f"document.querySelector('#{LITE}-video video')?.readyState >= 1", timeout=60000)
    expect(page.locator(f"#{LITE}-result")).to_contain_text("Completed", timeout=15000)
    page.get_by_text("Logs and run details").first.click()
    expect(page.locator(f"#{LITE}-details")).to_contain_text("completed", timeout=10000)
    page.locator(f"#{LITE}-video").scroll_into_view_if_needed()
    shoot(page, f"first-load-after-run-{_size(size)}", full_page=True)
    page.close()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=_size)
def test_compare_and_the_api_tab_mount_their_batch_and_player_only_once_there_is_one(browser, app_url, size):
    from playwright.sync_api import expect

    page, _ = _first_load(browser, app_url, size)
    page.get_by_role("tab", name="Compare").click()
    expect(page.locator("#cmp-prompts")).to_be_visible(timeout=20000)
    for hidden in ("#cmp-status", "#cmp-grid", "#cmp-vote", "#cmp-export"):
        assert page.locator(hidden).count() == 0, hidden  # no batch yet: nothing of one mounted
    page.locator("#cmp-prompts textarea").fill("A heron lifts off a misty pond")
    page.locator("#cmp-seeds textarea, #cmp-seeds input").first.fill("7")
    expect(page.locator("#cmp-run")).to_be_enabled(timeout=20000)
    page.locator("#cmp-run").click()
    expect(page.locator("#cmp-status")).to_be_visible(timeout=30000)
    page.wait_for_function("document.querySelectorAll('#cmp-grid video').length >= 2", timeout=120000)
    shoot(page, f"compare-first-batch-{_size(size)}", full_page=True)
    page.get_by_role("tab", name="API").click()
    expect(page.locator("#api-generate")).to_be_visible(timeout=20000)
    assert page.locator("#api-video").count() == 0
    page.locator("#api-generate").click()
    page.wait_for_function("document.querySelector('#api-video video')?.readyState >= 1", timeout=60000)
    expect(page.locator("#api-output")).to_contain_text("completed", timeout=15000)
    shoot(page, f"api-generated-{_size(size)}", full_page=True)
    page.close()


INNER_SCROLL = """() => { const box = document.querySelector('#history-table .virtual-table-viewport');
  return [box.scrollHeight, box.clientHeight]; }"""


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=_size)
def test_history_shows_its_first_page_then_a_chosen_runs_player_code_and_promotion(browser, app_url, client, size):
    from playwright.sync_api import expect

    for n in range(PAGE_SIZE):  # a full first page, this run the newest
        client.predict("fal-ai/bytedance/seedance/v1/lite/text-to-video",
                       f'{{"prompt": "A lantern drifting on a night river, take {n}", "duration": "2", '
                       '"resolution": "480p"}', api_name="/generate")
    page, watch = _first_load(browser, app_url, size)
    page.get_by_role("tab", name="History").click()
    expect(page.locator("#history-info")).to_contain_text("run(s)", timeout=15000)
    expect(page.locator("#history-table [data-testid=cell-0-5]")).to_contain_text(f"take {PAGE_SIZE - 1}", timeout=15000)
    expect(page.locator(f"#history-table [data-testid=cell-{PAGE_SIZE - 1}-5]")).to_be_attached()
    assert page.locator(f"#history-table [data-testid=cell-{PAGE_SIZE}-5]").count() == 0  # one page, no more
    if size == DESKTOP:  # a page is what the table shows: nothing formatted and mounted that needs scrolling to
        scroll_height, client_height = page.evaluate(INNER_SCROLL)
        assert scroll_height <= client_height + 2, (scroll_height, client_height)
    for hidden in ("#history-video", "#history-code-box", "#history-promote-box"):
        assert page.locator(hidden).count() == 0, hidden  # not mounted before a run is chosen
    assert not watch.twice()
    shoot(page, f"history-first-page-{_size(size)}", full_page=True)
    page.locator("#history-table [data-testid=cell-0-5]").click()
    page.wait_for_function("document.querySelector('#history-video video')?.readyState >= 1", timeout=30000)
    expect(page.locator("#history-details")).to_contain_text("Completed")
    page.get_by_text("Code for this run").click()
    expect(page.locator("#history-code")).to_contain_text("A lantern drifting", timeout=10000)
    expect(page.locator("#history-promote-box")).to_be_visible()
    shoot(page, f"history-chosen-{_size(size)}", full_page=True)
    page.close()
