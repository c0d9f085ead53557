"""Who owns what, as people meet it in Chromium. A private deployment is one workspace: after a reload, and from a
second browser, Reuse finds the first browser's runs; a teammate opens a batch they did not run, votes on it, and
the vote names them (and their browser remembers the name). A public deployment keeps each visitor's work theirs:
with a key they find it after a reload and in a new browser; signed in with Hugging Face likewise; with neither,
a notice says their work is tied to this tab."""

import base64
import csv
import hashlib
import json
import re
import time

import pytest

from app_process import AppProcess
from browser_kit import DESKTOP, PHONE, open_page, shoot

LITE = "seedance-v1-lite-text-to-video"
VISITOR_KEY = "vis-5a6b7c8d:0f1e2d3c4b5a69788796a5b4c3d2e1f0"
OAUTH_SECRET = "test-oauth-secret"  # what the Space would get as OAUTH_CLIENT_SECRET; signs the session cookie


def _compare_form(page, prompt: str, seed: str, reuse: bool = False) -> None:
    page.get_by_role("tab", name="Compare").click()
    page.locator("#cmp-prompts textarea").fill(prompt)
    page.locator("#cmp-seeds textarea, #cmp-seeds input").first.fill(seed)
    page.locator("#compare-text-to-video-duration input").click()
    page.get_by_role("option", name="2", exact=True).click()
    if reuse:
        page.locator("#cmp-reuse input").check()


def _votes(data_dir) -> list[dict]:
    path = data_dir / "votes.csv"
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_private_deployment_is_one_workspace_across_reloads_and_browsers(browser, app_url, app_data_dir, size):
    from playwright.sync_api import expect

    prompt, seed = f"Cat {size[0]} watches the gulls from a lighthouse", "77"
    page = open_page(browser, app_url, size)  # a page of its own context: a browser of its own
    _compare_form(page, prompt, seed)
    expect(page.locator("#cmp-plan")).to_contain_text(re.compile(r"\d+ cells"), timeout=15000)
    cells = int(re.search(r"(\d+) cells", page.locator("#cmp-plan").inner_text())[1])
    page.locator("#cmp-run").click()
    page.wait_for_function(f"document.querySelectorAll('#cmp-grid video').length === {cells}", timeout=120000)
    expect(page.locator("#cmp-run-state")).to_contain_text("completed", timeout=60000)

    page.reload(wait_until="domcontentloaded")  # the same browser after a reload: a new Gradio session
    page.wait_for_selector(f"#{LITE}-run", timeout=60000)
    _compare_form(page, prompt, seed, reuse=True)
    expect(page.locator("#cmp-plan")).to_contain_text(f"{cells} reused", timeout=15000)
    expect(page.locator("#cmp-plan")).to_contain_text("0 new")

    mate = open_page(browser, app_url, size)  # a teammate's browser
    mate.locator("#judge-name input, #judge-name textarea").first.fill(f"Bo Teammate {size[0]}")
    _compare_form(mate, prompt, seed, reuse=True)
    expect(mate.locator("#cmp-plan")).to_contain_text(f"{cells} reused", timeout=15000)
    mate.locator("#cmp-open-choice input").click()
    mate.get_by_role("option", name=re.compile(re.escape(prompt[:30]))).click()
    mate.locator("#cmp-open").click()
    mate.wait_for_function(f"document.querySelectorAll('#cmp-grid video').length === {cells}", timeout=60000)
    expect(mate.locator("#cmp-grid")).to_contain_text(prompt[:30])
    mate.locator("#cmp-vote-choice label").first.click()
    mate.locator("#cmp-vote").click()
    expect(mate.locator("#cmp-vote-result")).to_contain_text(f"as Bo Teammate {size[0]}", timeout=15000)
    shoot(mate, f"workspace-teammate-vote-{size[0]}", full_page=True)
    mine = [v for v in _votes(app_data_dir) if v["prompt"] == prompt]
    assert [v["judge"] for v in mine] == [f"Bo Teammate {size[0]}"]

    mate.reload(wait_until="domcontentloaded")  # the name is remembered by this browser
    mate.wait_for_selector(f"#{LITE}-run", timeout=60000)
    expect(mate.locator("#judge-name input, #judge-name textarea").first).to_have_value(f"Bo Teammate {size[0]}",
                                                                                      timeout=15000)
    page.context.close()
    mate.context.close()


def _history_prompts(page, runs: int) -> str:
    """History's table once it says it holds ``runs`` runs (a known state, not a wait that hopes it is there)."""
    from playwright.sync_api import expect

    page.get_by_role("tab", name="History").click()
    expect(page.locator("#history-info")).to_contain_text(f"· {runs} run(s)", timeout=30000)
    return page.locator("#history-table").inner_text()


def _run_lite(page, prompt: str) -> None:
    from playwright.sync_api import expect

    page.locator(f"#{LITE}-prompt textarea").fill(prompt)
    page.locator(f"#{LITE}-run").click()
    expect(page.locator(f"#{LITE}-result")).to_contain_text("Completed", timeout=60000)


def _enter_key(page) -> None:
    from playwright.sync_api import expect

    page.locator("#fal-key input").fill(VISITOR_KEY)
    page.locator("#fal-key-use").click()
    expect(page.locator("#backend-status")).to_contain_text("your key", timeout=15000)


def test_a_public_visitor_with_a_key_finds_their_runs_and_one_without_is_told(browser, tmp_path, fake_fal):
    from playwright.sync_api import expect

    app = AppProcess(tmp_path / "data", {"PLAYGROUND_PUBLIC": "1"}, tmp_path / "app.log").start()
    try:
        page = open_page(browser, app.url)
        notice = page.locator("#identity-notice")
        expect(notice).to_contain_text("tied to this browser tab", timeout=15000)
        shoot(page, "workspace-public-notice")
        _enter_key(page)
        expect(notice).not_to_contain_text("tied", timeout=15000)
        _run_lite(page, "A keyed visitor's paper lantern")
        page.reload(wait_until="domcontentloaded")
        page.wait_for_selector(f"#{LITE}-run", timeout=60000)
        assert "paper lantern" not in _history_prompts(page, 0)  # before the key: nobody's runs but this tab's
        _enter_key(page)
        page.get_by_role("tab", name="Examples").click()  # away, so that History opens afresh
        assert "paper lantern" in _history_prompts(page, 1)

        other = open_page(browser, app.url)  # a new browser, the same key
        _enter_key(other)
        assert "paper lantern" in _history_prompts(other, 1)
        shoot(other, "workspace-public-key-new-browser")
        stranger = open_page(browser, app.url)
        assert "paper lantern" not in _history_prompts(stranger, 0)
    finally:
        for context in browser.contexts:  # no page of this app left polling a port the next app may be given
            context.close()
        app.stop()


def _session_cookie(username: str) -> str:
    """Gradio's session cookie for a signed-in user, as its OAuth callback leaves it (Starlette's SessionMiddleware:
    base64 JSON signed by itsdangerous with sha256(OAUTH_CLIENT_SECRET + "-v4")): what huggingface.co's sign-in
    gives us, made here because huggingface.co cannot be reached."""
    from itsdangerous import TimestampSigner

    info = {"oauth_info": {"access_token": "hf_test", "token_type": "bearer", "expires_at": int(time.time()) + 3600,
                           "userinfo": {"sub": "1", "name": username.title(), "preferred_username": username,
                                        "profile": f"https://huggingface.co/{username}", "picture": ""}}}
    secret = hashlib.sha256(f"{OAUTH_SECRET}-v4".encode()).hexdigest()
    return TimestampSigner(secret).sign(base64.b64encode(json.dumps(info).encode())).decode()


def test_a_signed_in_visitor_finds_their_runs_in_a_new_browser(browser, tmp_path):
    from playwright.sync_api import expect

    env = {"SYSTEM": "spaces", "PLAYGROUND_PUBLIC": "1", "SPACE_ID": "seedance/playground-test", "OAUTH_CLIENT_ID": "test-client",
           "OAUTH_CLIENT_SECRET": OAUTH_SECRET, "OAUTH_SCOPES": "openid profile",
           "OPENID_PROVIDER_URL": "http://127.0.0.1:9"}  # never reached: the sign-in itself is huggingface.co's
    app = AppProcess(tmp_path / "data", env, tmp_path / "app.log").start()
    try:
        import urllib.request

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        plain = open_page(browser, app.url)
        expect(plain.locator("#hf-login")).to_contain_text("Sign in", timeout=15000)
        expect(plain.locator("#identity-notice")).to_contain_text("sign in with Hugging Face", timeout=15000)
        with pytest.raises(urllib.error.HTTPError) as refused:  # the button's route goes to huggingface.co's sign-in
            urllib.request.build_opener(NoRedirect).open(app.url + "login/huggingface", timeout=10)
        assert refused.value.code in (302, 307, 500)  # a redirect, or (offline) the provider cannot be reached

        def signed_in():
            context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
            context.add_cookies([{"name": "session", "value": _session_cookie("ada"), "url": app.url}])
            page = context.new_page()
            page.goto(app.url, wait_until="domcontentloaded")
            page.wait_for_selector(f"#{LITE}-run", timeout=60000)
            return page

        page = signed_in()
        expect(page.locator("#identity-notice")).not_to_contain_text("tied", timeout=15000)
        expect(page.locator("#hf-login")).to_contain_text("ada", timeout=15000)
        _run_lite(page, "A signed-in visitor's copper kettle")
        later = signed_in()  # another browser, signed in as the same person
        assert "copper kettle" in _history_prompts(later, 1)
        shoot(later, "workspace-signed-in-new-browser")
        assert "copper kettle" not in _history_prompts(plain, 0)
        rows = list(csv.DictReader((tmp_path / "data" / "results.csv").open(encoding="utf-8")))
        assert [r["owner"].startswith("h-") for r in rows if "copper kettle" in r["prompt"]] == [True]
    finally:
        for context in browser.contexts:
            context.close()
        app.stop()
