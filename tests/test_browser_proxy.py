"""Behind a reverse proxy, as an operator puts it: Debian nginx in front of one app at a subpath
(GRADIO_ROOT_PATH=/playground) and of another at /, in Debian Chromium. The Compare grid's clips and the Examples
videos are HTML the app writes itself, so their URLs must carry the subpath (a host-absolute /gradio_api/file=…
was 404 there). Then the app behind the subpath is restarted under an open page: the page says to reload instead
of failing with "Could not parse server response". Screenshots go to test-artifacts/ (look at them)."""

import re

import pytest
from nginx_kit import PROXY, running

from app_process import AppProcess, free_port
from browser_kit import DESKTOP, PHONE, open_page, shoot

SUBPATH = "/playground"
# The proxy as the README describes it: the prefix stripped; /playground/ → the subpath app, / → the other one.
SERVERS = """  server {{
    listen 127.0.0.1:{port};
    location {subpath}/ {{ proxy_pass http://127.0.0.1:{sub_port}/; {proxy} }}
    location / {{ proxy_pass http://127.0.0.1:{root_port}/; {proxy} }}
  }}"""


@pytest.fixture(scope="module")
def subpath_app(tmp_path_factory):
    """The app as `python app.py` runs it, told it is served under /playground (offline backend)."""
    where = tmp_path_factory.mktemp("subpath-app")
    app = AppProcess(where / "data", {"GRADIO_ROOT_PATH": SUBPATH, "PLAYGROUND_BACKEND": "offline"},
                     where / "console.log").start()
    yield app
    app.stop()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory, subpath_app, app_url):
    """Debian nginx on a free port: /playground/ → the subpath app, / → the in-process app (no root path)."""
    tmp = tmp_path_factory.mktemp("nginx")
    port = free_port()
    root_port = int(re.search(r":(\d+)/?$", app_url).group(1))
    servers = SERVERS.format(port=port, subpath=SUBPATH, sub_port=subpath_app.port, root_port=root_port, proxy=PROXY)
    with running(tmp, servers, [port]):
        yield f"http://127.0.0.1:{port}"


def _network_problems(page):
    """Every response of 400 or more and every request that failed, as (status, url); not the requests the page
    itself gave up (net::ERR_ABORTED: Gradio closes an event stream once its events are done)."""
    seen = []
    page.on("response", lambda response: seen.append((response.status, response.url)) if response.status >= 400 else None)
    page.on("requestfailed", lambda request: seen.append((request.failure, request.url))
            if request.failure != "net::ERR_ABORTED" else None)
    return seen


LOADED = ("(selector) => { const videos = [...document.querySelectorAll(selector)]; return videos.length > 0 && "
          "videos.every(v => v.readyState >= 2 && v.videoWidth > 0); }")


def _compare_two_clips(page, prompt):
    page.get_by_role("tab", name="Compare").click()
    for label in ("Seedance 1.0 Pro · Text to Video", "Seedance 1.5 Pro · Text to Video",
                  "Seedance 2.0 · Text to Video"):
        page.locator("#cmp-endpoints").get_by_text(label).click()
    page.locator("#cmp-prompts textarea").fill(prompt)
    page.locator("#cmp-seeds textarea, #cmp-seeds input").first.fill("7")
    page.locator("#compare-text-to-video-resolution input").click()
    page.get_by_role("option", name="480p", exact=True).click()
    from playwright.sync_api import expect

    expect(page.locator("#cmp-plan")).to_contain_text("2 cells", timeout=15000)
    page.locator("#cmp-run").click()
    expect(page.locator("#cmp-outcome")).to_contain_text("2 completed", timeout=120000)


@pytest.mark.parametrize("mount", [SUBPATH, ""], ids=["at /playground", "at /"])
def test_compare_clips_and_examples_load_through_the_proxy(browser, proxy, mount):
    base = f"{proxy}{mount}/"
    page = browser.new_page(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
    problems = _network_problems(page)
    page.goto(base, wait_until="domcontentloaded")
    page.wait_for_selector("#seedance-v1-lite-text-to-video-run", timeout=60000)
    _compare_two_clips(page, f"A kite behind a proxy{mount or ' at the root'}")
    page.wait_for_function(LOADED, arg="#cmp-grid video", timeout=60000)
    sources = page.evaluate("[...document.querySelectorAll('#cmp-grid video')].map(v => v.getAttribute('src'))")
    assert all(src.startswith(f"{mount}/gradio_api/file=") for src in sources), sources
    page.locator("#cmp-grid").scroll_into_view_if_needed()
    shoot(page, f"proxy-compare-grid{mount.replace('/', '-') or '-root'}-1440")

    page.get_by_role("tab", name="Examples").click()
    page.wait_for_function(LOADED, arg="#tab-examples video", timeout=180000)
    examples = page.evaluate("[...document.querySelectorAll('#tab-examples video')].map(v => v.getAttribute('src'))")
    assert len(examples) == 8 and all(src.startswith(f"{mount}/gradio_api/file=") for src in examples), examples
    shoot(page, f"proxy-examples{mount.replace('/', '-') or '-root'}-1440")
    assert problems == [], problems  # not one 404 (nor any other failure) in the page's network log
    page.close()


def test_a_page_left_open_across_a_restart_says_reload_this_page(browser, proxy, subpath_app):
    """Behind the subpath (the notice asks the app for its id there too): a comparison is run, the app restarts,
    then the person votes. The old session is gone with the old process; the page says so and offers a reload."""
    from playwright.sync_api import expect

    for size in (DESKTOP, PHONE):
        page = open_page(browser, f"{proxy}{SUBPATH}/", size)
        _compare_two_clips(page, f"A kite voted on across a restart at {size[0]}")
        page.locator("#cmp-vote-choice label").first.click()
        assert page.locator("#app-restarted").count() == 0  # the same app: no notice
        subpath_app.restart()
        with page.expect_response(lambda response: "/queue/join" in response.url, timeout=15000):
            page.locator("#cmp-vote").click()  # the vote goes to a server that no longer knows this page
        notice = page.locator("#app-restarted")
        expect(notice).to_be_visible(timeout=15000)
        expect(notice).to_contain_text("The app restarted: reload this page")
        box = notice.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= size[1]  # in sight wherever the page is scrolled
        assert not page.get_by_text("Could not parse server response").filter(visible=True).count()
        shoot(page, f"restart-notice-{size[0]}x{size[1]}")
        page.locator("#app-restarted button").click()  # Reload: the page works again, on the new process
        page.wait_for_selector("#seedance-v1-lite-text-to-video-run", timeout=60000)
        expect(page.locator("#app-restarted")).to_have_count(0)
        page.close()
