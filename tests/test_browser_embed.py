"""The app embedded as Hugging Face's embed snippet does it: a plain <iframe src=…> on a page of another origin,
in Debian Chromium at 1440×900 and 390×844. There the browser refuses the Clipboard API (no clipboard-write for a
cross-origin frame), so each Copy the page offers must select its text and say "press Ctrl+C / ⌘C" instead of
failing silently. At the top level, where copying is allowed, Copy copies and says nothing more."""

import http.server
import threading

import pytest

from app_process import free_port
from browser_kit import DESKTOP, PHONE, shoot, wait

LITE = "seedance-v1-lite-text-to-video"
SAID = "selected: press Ctrl+C / ⌘C"
SELECTED = """() => { const box = document.activeElement;
  return box && box.tagName === 'TEXTAREA' ? box.value.slice(box.selectionStart, box.selectionEnd) : null; }"""


@pytest.fixture(scope="module")
def embedding_page(app_url):
    """A page at http://localhost:<another port>/ whose only content is the app in a plain iframe (as
    127.0.0.1: another host and port, so another origin)."""
    html = (f'<!doctype html><title>Embedded</title><body style="margin:0">'
            f'<iframe src="{app_url}" frameborder="0" style="width:100vw;height:100vh"></iframe>').encode()

    class Embed(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Embed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_port}/"
    server.shutdown()


def _frame(page):
    frame = page.frame_locator("iframe")
    frame.locator(f"#{LITE}-run").wait_for(timeout=60000)
    return frame


def _app_frame(page):
    return next(f for f in page.frames if f != page.main_frame)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440x900", "390x844"])
def test_copy_in_a_plain_iframe_selects_the_text_and_says_so(browser, embedding_page, size):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(embedding_page, wait_until="domcontentloaded")
    frame = _frame(page)
    assert page.evaluate("document.querySelector('iframe').contentDocument") is None  # truly another origin
    frame.locator(f"#{LITE}-prompt textarea").fill("A lighthouse, copied from an embed")
    code = frame.locator(f"#{LITE}-code")
    expect(code).to_contain_text("A lighthouse, copied from an embed", timeout=15000)
    expected = _app_frame(page).evaluate(f"document.querySelector('#{LITE}-code .cm-content').innerText")

    code.hover()
    code.get_by_role("button", name="Copy").click()  # the code pane's own Copy (Gradio's)
    notice = frame.locator("#copy-fallback")
    expect(notice).to_be_visible(timeout=5000)
    expect(notice).to_contain_text(SAID)
    assert _app_frame(page).evaluate(SELECTED).strip() == expected.strip()  # the whole request, selected
    shoot(page, f"embed-copy-code-{size[0]}x{size[1]}")
    page.keyboard.press("Escape")
    expect(notice).to_have_count(0)

    frame.get_by_role("tab", name="API").click()  # the API tab: its answer's Copy
    frame.locator("#api-catalog").click()
    output = frame.locator("#api-output")
    expect(output).to_contain_text("text-to-video", timeout=15000)
    output.hover()
    output.get_by_role("button", name="Copy").first.click()
    expect(notice).to_be_visible(timeout=5000)
    expect(notice).to_contain_text(SAID)
    assert "fal-ai/bytedance/seedance/v1/lite/text-to-video" in _app_frame(page).evaluate(SELECTED)
    shoot(page, f"embed-copy-api-{size[0]}x{size[1]}")
    page.close()


def test_copy_at_the_top_level_copies_and_offers_nothing_more(browser, app_url):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]},
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(app_url, wait_until="domcontentloaded")
    page.locator(f"#{LITE}-prompt textarea").fill("A lighthouse, copied at the top")
    code = page.locator(f"#{LITE}-code")
    expect(code).to_contain_text("A lighthouse, copied at the top", timeout=15000)
    code.hover()
    code.get_by_role("button", name="Copy").click()
    wait(lambda: "copied at the top" in page.evaluate("navigator.clipboard.readText()"), 5, "the request on the clipboard")
    assert page.locator("#copy-fallback").count() == 0
    context.close()
