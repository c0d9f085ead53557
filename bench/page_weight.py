"""How heavy is the page? Bytes on the wire for `/` and `/config` with and without gzip, components and events in
the config; the first page load in Chromium against a hello-world Gradio app's (every request's bytes on the wire,
and any request made twice); and the first switch into every tab (each endpoint tab, Compare, Decide (the
Leaderboard), History over a log of 500 runs, Examples, API) from the click to the frame where its content shows
(each tab's median over 3 fresh pages; then the median and the worst of the tabs).

Goals: page on the wire (gzip) ≤ 150 KB, `/config` raw ≤ 400 KB, first load ≤ 2× hello-world's bytes with no
request made twice, worst first switch ≤ 300 ms and median ≤ 150 ms.

    .venv/bin/python bench/page_weight.py [--json]
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

from common import HELLO, report  # first: it puts the repository and tests/ on sys.path

HISTORY_RUNS = 500
WALKS = 3
FIRST_TAB = "#seedance-v1-lite-text-to-video-run"

SWITCH_JS = """async ([tabs, shown]) => {
  // click each tab on the way (e.g. family, then endpoint; "A|B": whichever label the page has) and wait, frame by
  // frame, until every [selector, needs text] of `shown` is on screen (and holds text where asked): the frame where
  // the tab's content shows
  const started = performance.now();
  for (const label of tabs) {
    const button = [...document.querySelectorAll('[role=tab]')].find(b => label.split('|')
      .includes(b.textContent.trim()) && b.offsetParent !== null);
    if (!button) throw new Error('no visible tab ' + label);
    button.click();
    await new Promise(r => requestAnimationFrame(r));
  }
  const on = ([selector, text]) => {
    const element = document.querySelector(selector);
    return element && element.offsetParent !== null && (!text || element.innerText.trim().length > 0);
  };
  while (!shown.every(on)) {
    if (performance.now() - started > 20000) throw new Error('tab ' + tabs.join(' > ') + ' not shown in 20 s');
    await new Promise(r => requestAnimationFrame(r));
  }
  return performance.now() - started;
}"""


def fetch(url: str, encoding: str) -> tuple[int, bytes]:
    """(bytes on the wire, the body decoded) for one GET asking for ``encoding``."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(request, timeout=30) as response:
        wire = response.read()
        decoded = gzip.decompress(wire) if response.headers.get("Content-Encoding") == "gzip" else wire
    return len(wire), decoded


def tab_walk(catalog) -> list[tuple[str, list[str], list[tuple[str, bool]]]]:
    """(name, the tab labels a person clicks, what must show) for every tab, in page order."""
    from playground.ui.endpoint_tabs import tab_label

    walk = []
    for endpoint in catalog.values():
        family = [e for e in catalog.values() if e.family == endpoint.family]
        labels = [endpoint.family] + ([tab_label(endpoint, family)] if endpoint is not family[0] else [])
        walk.append((endpoint.slug, labels, [(f"#{endpoint.slug}-run", False), (f"#{endpoint.slug}-estimate", True)]))
    return walk + [("compare", ["Compare"], [("#cmp-run", False), ("#cmp-prompts", False)]),
                   ("decide", ["Decide|Leaderboard"], [("#leaderboard-table", False), ("#leaderboard-note", True)]),
                   ("history", ["History"], [("#history-info", True), ("#history-table [aria-rowindex=\"2\"]", True)]),
                   ("examples", ["Examples"], [("[id^=gallery-]", True)]),
                   ("api", ["API"], [("#api-arguments", False)])]


def tab_switches(url: str) -> list[tuple[str, float]]:
    """(tab, ms) for the first switch into each tab, in page order: the median of ``WALKS`` fresh pages at
    1440×900, each walking every tab once (one walk's worst is as much the machine's noise as the page's)."""
    walks = [_walk(url) for _ in range(WALKS)]
    return [(name, statistics.median(walk[i][1] for walk in walks)) for i, (name, _) in enumerate(walks[0])]


def _walk(url: str) -> list[tuple[str, float]]:
    """(tab, ms) for the first switch into each tab, in page order, in one fresh page at 1440×900."""
    from playwright.sync_api import sync_playwright

    from playground.catalog import load_catalog

    from browser_kit import launch

    timings = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        pending = Pending(page)
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector(FIRST_TAB, timeout=60000)
        pending.settle(page)
        for name, labels, shown in tab_walk(load_catalog()):
            timings.append((name, page.evaluate(SWITCH_JS, [labels, shown])))
            pending.settle(page)  # the tab's own work (a decision computed, Examples' clips rendered) ends first
        browser.close()
    return timings


class Pending:
    """The page's requests still waiting for an answer, the event stream among them while any queued event runs
    (Gradio closes it when none is left); the heartbeat stream stays open by design and is left out."""

    def __init__(self, page) -> None:
        self.open: set = set()
        page.on("request", lambda r: self.open.add(r) if "/heartbeat/" not in r.url else None)
        page.on("requestfinished", lambda r: self.open.discard(r))
        page.on("requestfailed", lambda r: self.open.discard(r))

    def settle(self, page, quiet_s: float = 0.3, limit_s: float = 180) -> None:
        """Wait until nothing has been pending for ``quiet_s``, as a person would before the next click."""
        started = quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < quiet_s:
            if time.monotonic() - started > limit_s:
                raise RuntimeError(f"still pending after {limit_s} s: {sorted(r.url for r in self.open)}")
            page.wait_for_timeout(50)
            if self.open:
                quiet_since = time.monotonic()


def first_load(url: str, ready: str) -> dict:
    """Every request of one fresh page load in Chromium (until ``ready`` shows and no request starts for 1.5 s):
    bytes on the wire in all, the heaviest, and any made twice (same method, URL and body)."""
    from playwright.sync_api import sync_playwright

    from browser_kit import launch

    requests: dict[str, dict] = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", lambda e: requests.setdefault(e["requestId"], {
            "method": e["request"]["method"], "url": e["request"]["url"], "body": e["request"].get("postData", ""),
            "wire": 0}))
        cdp.on("Network.loadingFinished",
               lambda e: requests.get(e["requestId"], {}).update(wire=e["encodedDataLength"]))
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector(ready, timeout=60000)
        started = seen_at = time.monotonic()
        seen = len(requests)
        while time.monotonic() - seen_at < 1.5 and time.monotonic() - started < 30:
            page.wait_for_timeout(100)
            if len(requests) != seen:
                seen, seen_at = len(requests), time.monotonic()
        browser.close()
    made = Counter((r["method"], r["url"], _without_session(r["body"])) for r in requests.values()
                   if "/queue/data" not in r["url"])  # the event stream: one per burst of queued events, by design
    return {"kb": sum(r["wire"] for r in requests.values()) / 1000, "requests": len(requests),
            "heaviest": sorted(((round(r["wire"] / 1000, 1), r["url"].split("/", 3)[-1][:60])
                                for r in requests.values()), reverse=True)[:8],
            "twice": [f"{method} {url} {body[:80]}" for (method, url, body), n in made.items() if n > 1]}


def _without_session(body: str) -> str:
    """A request body without its per-page session hash (two identical events share everything else)."""
    try:
        data = json.loads(body)
    except ValueError:
        return body
    return json.dumps({k: v for k, v in data.items() if k != "session_hash"}, sort_keys=True) \
        if isinstance(data, dict) else body


def hello_load(folder: Path) -> dict:
    """The first load of a hello-world Gradio app (same gradio, same browser)."""
    from app_process import free_port

    script = folder / "hello.py"
    script.write_text(HELLO)
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_SERVER_NAME": "127.0.0.1"}
    process = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        return first_load(f"http://127.0.0.1:{port}/", "text=hello")
    finally:
        process.kill()
        process.wait()


def measure() -> dict:
    from app_process import AppProcess
    from history_scale import build

    folder = Path(tempfile.mkdtemp(prefix="bench-page-"))
    build(folder / "data" / "results.csv", HISTORY_RUNS)
    load_before = os.getloadavg()[0]
    app = AppProcess(folder / "data", {"PLAYGROUND_BACKEND": "offline"}, folder / "console.log").start()
    root = app.url.rstrip("/")
    try:
        page_gzip, _ = fetch(root + "/", "gzip")
        page_raw, _ = fetch(root + "/", "identity")
        config_gzip, _ = fetch(root + "/config", "gzip")
        config_raw, body = fetch(root + "/config", "identity")
        config = json.loads(body)
        loaded = first_load(app.url, FIRST_TAB)
        switches = tab_switches(app.url)
    finally:
        app.stop()
    hello = hello_load(folder)
    ms = [t for _, t in switches]
    worst = max(switches, key=lambda s: s[1])
    return {"page_raw_kb": page_raw / 1000, "page_gzip_kb": page_gzip / 1000, "config_raw_kb": config_raw / 1000,
            "config_gzip_kb": config_gzip / 1000, "components": len(config["components"]),
            "events": len(config["dependencies"]), "first_load_kb": loaded["kb"], "hello_load_kb": hello["kb"],
            "first_load_ratio": loaded["kb"] / hello["kb"], "first_load_requests": loaded["requests"],
            "first_load_heaviest": loaded["heaviest"], "requests_made_twice": loaded["twice"] + hello["twice"],
            "switches_ms": dict(switches), "switch_median_ms": statistics.median(ms), "switch_worst_ms": worst[1],
            "switch_worst_tab": worst[0], "loadavg": [load_before, os.getloadavg()[0]]}


if __name__ == "__main__":
    f = measure()
    heaviest = "\n".join(f"                 {kb:6.1f} KB  {url}" for kb, url in f["first_load_heaviest"])
    switches = "\n".join(f"                 {ms:6.0f} ms  {tab}" for tab, ms in f["switches_ms"].items())
    report(f, [f"page /         {f['page_raw_kb']:.0f} KB raw, {f['page_gzip_kb']:.0f} KB gzip  (goal gzip ≤ 150)",
               f"/config        {f['config_raw_kb']:.0f} KB raw, {f['config_gzip_kb']:.0f} KB gzip  (goal raw ≤ 400)",
               f"config         {f['components']} components, {f['events']} events",
               f"first load     {f['first_load_kb']:.0f} KB on the wire in {f['first_load_requests']} requests, "
               f"{f['first_load_ratio']:.2f}× hello-world's {f['hello_load_kb']:.0f} KB   (goal ≤ 2×); heaviest:",
               heaviest,
               f"made twice     {f['requests_made_twice'] or 'none'}   (goal none)",
               f"first switch into each tab: median {f['switch_median_ms']:.0f} ms, worst "
               f"{f['switch_worst_ms']:.0f} ms ({f['switch_worst_tab']})   (goal worst ≤ 300 ms, median ≤ 150 ms)",
               switches,
               f"load average   {f['loadavg'][0]:.2f} before, {f['loadavg'][1]:.2f} after (2 cores)"])
