"""How heavy is the page? Bytes on the wire for `/` and `/config` with and without gzip, components and events in
the config, and the first switch into every endpoint tab in Chromium (click → that tab's Run button visible and
its estimate shown), as median and worst.

Goals: page on the wire (gzip) ≤ 150 KB, `/config` raw ≤ 400 KB, worst first switch ≤ 300 ms.

    .venv/bin/python bench/page_weight.py [--json]
"""

from __future__ import annotations

import gzip
import json
import statistics
import tempfile
import urllib.request
from pathlib import Path

from app_process import AppProcess
from common import report

SWITCH_JS = """async ([tabs, slug]) => {
  // click each tab on the way (family, then endpoint) and wait, frame by frame, for its Run button and estimate
  const started = performance.now();
  for (const label of tabs) {
    const button = [...document.querySelectorAll('[role=tab]')].find(b => b.textContent.trim() === label
      && b.offsetParent !== null);
    if (!button) throw new Error('no visible tab ' + label);
    button.click();
    await new Promise(r => requestAnimationFrame(r));
  }
  const shown = () => {
    const run = document.getElementById(slug + '-run'), estimate = document.getElementById(slug + '-estimate');
    return run && run.offsetParent !== null && estimate && estimate.innerText.trim().length > 0;
  };
  while (!shown()) {
    if (performance.now() - started > 10000) throw new Error('tab ' + slug + ' not shown in 10 s');
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


def tab_switches(url: str) -> list[tuple[str, float]]:
    """(endpoint slug, ms) for the first switch into each endpoint tab, in page order, in one fresh page."""
    from playwright.sync_api import sync_playwright

    from playground.catalog import load_catalog
    from playground.ui.endpoint_tabs import tab_label

    from browser_kit import launch

    catalog = load_catalog()
    timings = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector("#seedance-v1-lite-text-to-video-run", timeout=60000)
        page.wait_for_timeout(500)
        for endpoint in catalog.values():
            family = [e for e in catalog.values() if e.family == endpoint.family]
            labels = [endpoint.family] + ([tab_label(endpoint, family)] if endpoint is not family[0] else [])
            timings.append((endpoint.slug, page.evaluate(SWITCH_JS, [labels, endpoint.slug])))
            page.wait_for_timeout(200)  # let the tab settle, as a person would before the next click
        browser.close()
    return timings


def measure() -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-page-"))
    app = AppProcess(folder / "data", {"PLAYGROUND_BACKEND": "offline"}, folder / "console.log").start()
    root = app.url.rstrip("/")
    try:
        page_gzip, _ = fetch(root + "/", "gzip")
        page_raw, _ = fetch(root + "/", "identity")
        config_gzip, _ = fetch(root + "/config", "gzip")
        config_raw, body = fetch(root + "/config", "identity")
        config = json.loads(body)
        switches = tab_switches(app.url)
    finally:
        app.stop()
    ms = [t for _, t in switches]
    return {"page_raw_kb": page_raw / 1000, "page_gzip_kb": page_gzip / 1000, "config_raw_kb": config_raw / 1000,
            "config_gzip_kb": config_gzip / 1000, "components": len(config["components"]),
            "events": len(config["dependencies"]), "switch_median_ms": statistics.median(ms), "switch_worst_ms": max(ms),
            "switch_worst_tab": max(switches, key=lambda s: s[1])[0]}


if __name__ == "__main__":
    f = measure()
    report(f, [f"page /         {f['page_raw_kb']:.0f} KB raw, {f['page_gzip_kb']:.0f} KB gzip   (goal gzip ≤ 150 KB)",
               f"/config        {f['config_raw_kb']:.0f} KB raw, {f['config_gzip_kb']:.0f} KB gzip   (goal raw ≤ 400 KB)",
               f"config         {f['components']} components, {f['events']} events",
               f"first switch into an endpoint tab: median {f['switch_median_ms']:.0f} ms, worst "
               f"{f['switch_worst_ms']:.0f} ms ({f['switch_worst_tab']})   (goal worst ≤ 300 ms)"])
