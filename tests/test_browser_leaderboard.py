"""The Leaderboard's charts in Debian Chromium, measured from what the page draws: every endpoint with a cost and a
rating is a visible point where a numeric scale puts it (cheaper further left, higher rated further up, spacing in
proportion to the figures), labelled by name; every win rate is a visible bar on a 0–1 axis. At desktop and phone
sizes, and after the path a person takes: the tab opens on fal votes (none here), then they choose offline.
Screenshots go to test-artifacts/ (look at them)."""

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from browser_kit import ARTIFACTS, DESKTOP, PHONE, open_page, shoot, wait
from conftest import LITE_T2V, PRO_FAST_T2V, PRO_T2V, V2_FAST_T2V

# Four endpoints whose costs at 480p × 4 s are far from evenly spaced ($0.039, $0.070, $0.097, $0.435): a chart
# that treats cost as a category spaces them evenly, a numeric one does not. Winners per seed (None: all bad).
ENDPOINTS = [LITE_T2V, PRO_T2V, PRO_FAST_T2V, V2_FAST_T2V]
WINNERS = {1: V2_FAST_T2V, 2: V2_FAST_T2V, 3: V2_FAST_T2V, 4: PRO_FAST_T2V, 5: PRO_FAST_T2V, 6: LITE_T2V, 7: None}

MARKS = """([id, role]) => {  // each mark of a chart: its name, its paint and where it is on screen
  const svg = document.querySelector(`#${id} svg.marks`);
  if (!svg) return [];
  return [...svg.querySelectorAll(`[aria-roledescription="${role}"]`)].map(mark => {
    const box = mark.getBoundingClientRect(), style = getComputedStyle(mark);
    return {label: mark.getAttribute('aria-label') || '', fill: style.fill, opacity: Number(style.opacity),
            fillOpacity: Number(style.fillOpacity), x: box.x + box.width / 2, y: box.y + box.height / 2,
            left: box.left, right: box.right, width: box.width, height: box.height};
  });
}"""
TEXTS = """(id) => [...document.querySelectorAll(`#${id} svg.marks text`)].map(t => {
  const box = t.getBoundingClientRect();
  return {text: t.textContent, left: box.left, right: box.right, x: box.x + box.width / 2, y: box.y + box.height / 2};
})"""
AXES = """(id) => [...document.querySelectorAll(`#${id} svg.marks [aria-roledescription='axis']`)]
  .map(axis => axis.getAttribute('aria-label'))"""
FRAME = """(id) => {  // the plotting area: the root view's background rectangle
  const box = document.querySelector(`#${id} svg.marks .role-frame.root > g > path.background`).getBoundingClientRect();
  return {left: box.left, right: box.right, top: box.top, bottom: box.bottom, width: box.width};
}"""


@pytest.fixture(scope="module")
def board(tmp_path_factory, catalog):
    """An app over its own data dir holding one offline comparison (4 endpoints × 7 seeds) and a vote on each row,
    made through the core; the leaderboard's rows as the core computes them (the figures the charts must show)."""
    from playground.backends.offline import OfflineBackend
    from playground.service import Playground
    from playground.ui import build_app, launch_options
    from playground.visitor import Visitor

    playground = Playground(catalog, tmp_path_factory.mktemp("board") / "data", "auto",
                            offline=OfflineBackend(step_delay_s=0))
    visitor = Visitor(key=None)
    spec = {"prompts": ["A paper boat on a rain gutter"], "endpoints": ENDPOINTS, "seeds": list(WINNERS),
            "arguments": {"resolution": "480p", "duration": "4"}}

    async def run():
        return [snapshot async for snapshot in playground.comparisons.run(spec, visitor)][-1]

    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API keeps an event loop running in this one
        final = thread.submit(asyncio.run, run()).result()
    assert final["counts"]["completed"] == len(ENDPOINTS) * len(WINNERS)
    for seed, winner in WINNERS.items():
        row = [c["endpoint_id"] for c in final["cells"] if c["seed"] == seed]
        choice = "none" if winner is None else "ABCD"[row.index(winner)]
        playground.api.vote(final["batch_id"], f"1 × {seed}", choice, visitor)
    table = playground.compare.leaderboard("offline").table.set_index("endpoint")
    assert len(table) == 4 and table.bt_rating.notna().all() and table.mean_cost_usd.notna().all()

    demo = build_app(playground)
    demo.queue(default_concurrency_limit=8)
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True,
                            **launch_options(playground))
    yield url.rstrip("/") + "/", table
    demo.close()


def _open_leaderboard(browser, url, size, count):
    """The Leaderboard as a person reaches it: opened on fal votes (none: the charts' first value is empty), then
    offline chosen; returns once both charts show ``count`` marks."""
    from playwright.sync_api import expect

    page = open_page(browser, url, size)
    page.get_by_role("tab", name="Leaderboard").click()
    expect(page.locator("#leaderboard-note")).to_contain_text("No votes on fal runs yet", timeout=15000)
    page.locator("#leaderboard-backend input").click()
    page.get_by_role("option", name="offline", exact=True).click()
    for chart, role in (("leaderboard-value", "point"), ("leaderboard-wins", "bar")):
        wait(lambda chart=chart, role=role: len(page.evaluate(MARKS, [chart, role])) == count, 30,
             f"{count} {role}s in #{chart}")
    return page


def _by_endpoint(marks, names):
    """Each mark under the endpoint it is labelled with (the longest name its label holds: "1.0 Pro" is in
    "1.0 Pro Fast")."""
    found = {}
    for mark in marks:
        name = max((n for n in names if n in mark["label"]), key=len, default=None)
        assert name and name not in found, (mark["label"], names)
        found[name] = mark
    return found


def _alpha(css_colour):
    """The alpha of a computed CSS colour ("rgb(…)" is opaque; "none" or "transparent" is not painted)."""
    if css_colour.startswith("rgba("):
        return float(css_colour.rstrip(")").split(",")[3])
    return 1.0 if css_colour.startswith("rgb(") else 0.0


def _rgb(css_colour):
    return tuple(int(float(part)) for part in css_colour[css_colour.index("(") + 1:].rstrip(")").split(",")[:3])


def _painted(page, chart, marks):
    """Each mark is painted: opaque fill, not faded, and the screenshot's pixel at its centre is its colour."""
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    scale = shot.width / page.viewport_size["width"]
    for name, mark in marks.items():
        assert _alpha(mark["fill"]) > 0.5 and mark["opacity"] >= 0.5 and mark["fillOpacity"] >= 0.5, (chart, name, mark)
        pixel = shot.getpixel((round(mark["x"] * scale), round(mark["y"] * scale)))
        assert sum(abs(a - b) for a, b in zip(pixel[:3], _rgb(mark["fill"]), strict=True)) < 60, (
            chart, name, pixel, mark["fill"])


def _linear(positions, figures, what):
    """Screen positions are a linear function of the figures (a numeric scale): the extremes fix the line, every
    other mark lies on it within 3 px. Evenly spaced categories would miss by tens of pixels here."""
    lo, hi = min(figures, key=figures.get), max(figures, key=figures.get)
    for name, figure in figures.items():
        share = (figure - figures[lo]) / (figures[hi] - figures[lo])
        expected = positions[lo] + share * (positions[hi] - positions[lo])
        assert abs(positions[name] - expected) <= 3, (what, name, positions, figures)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_rating_against_cost_draws_a_labelled_point_per_endpoint_on_numeric_axes(browser, board, size):
    url, table = board
    page = _open_leaderboard(browser, url, size, len(table))
    chart = page.locator("#leaderboard-value")
    chart.scroll_into_view_if_needed()
    points = _by_endpoint(page.evaluate(MARKS, ["leaderboard-value", "point"]), list(table.index))
    assert set(points) == set(table.index)
    _painted(page, "value", points)
    cost, rating = table.mean_cost_usd.to_dict(), table.bt_rating.to_dict()
    by_cost = sorted(cost, key=cost.get)
    assert [points[n]["x"] for n in by_cost] == sorted(points[n]["x"] for n in by_cost)  # cheaper is further left
    by_rating = sorted(rating, key=rating.get)
    higher_up = sorted((points[n]["y"] for n in by_rating), reverse=True)  # screen y grows downwards
    assert [points[n]["y"] for n in by_rating] == higher_up
    _linear({n: p["x"] for n, p in points.items()}, cost, "x = mean cost")
    _linear({n: p["y"] for n, p in points.items()}, rating, "y = rating")
    frame = page.evaluate(FRAME, "leaderboard-value")
    texts = page.evaluate(TEXTS, "leaderboard-value")
    for name, point in points.items():
        assert frame["left"] <= point["x"] <= frame["right"] and frame["top"] <= point["y"] <= frame["bottom"], name
        label = next((t for t in texts if t["text"] == name and abs(t["x"] - point["x"]) < 60
                      and abs(t["y"] - point["y"]) < 30), None)
        assert label, (name, point, texts)  # named beside its point
        assert 0 <= label["left"] and label["right"] <= size[0], (name, label)  # and readable on this screen
    assert all("linear scale" in axis for axis in page.evaluate(AXES, "leaderboard-value"))
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= size[0]
    shoot(page, f"leaderboard-{size[0]}", full_page=True)
    chart.screenshot(path=str(ARTIFACTS / f"leaderboard-value-{size[0]}.png"))


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_win_rate_bars_are_drawn_on_a_zero_to_one_axis(browser, board, size):
    url, table = board
    page = _open_leaderboard(browser, url, size, len(table))
    chart = page.locator("#leaderboard-wins")
    chart.scroll_into_view_if_needed()
    bars = _by_endpoint(page.evaluate(MARKS, ["leaderboard-wins", "bar"]), list(table.index))
    assert set(bars) == set(table.index)
    rate = table.win_rate.to_dict()
    _painted(page, "wins", {n: b for n, b in bars.items() if rate[n] > 0})
    frame = page.evaluate(FRAME, "leaderboard-wins")
    for name, bar in bars.items():  # horizontal bars from 0 at the left edge to the rate, the full width being 1
        assert abs(bar["left"] - frame["left"]) <= 2, (name, bar, frame)
        assert abs(bar["right"] - (frame["left"] + rate[name] * frame["width"])) <= 2, (name, rate[name], bar, frame)
    assert any("linear scale" in axis and "0%" in axis and "100%" in axis
               for axis in page.evaluate(AXES, "leaderboard-wins"))
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= size[0]
    ARTIFACTS.mkdir(exist_ok=True)
    chart.screenshot(path=str(ARTIFACTS / f"leaderboard-wins-{size[0]}.png"))


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_model_judges_section_says_no_judge_has_judged_yet(browser, board, size):
    """Until a model judge has judged a row, the section under people's standings says so, on fal votes (none)
    and on offline ones (people's, here), and shows neither of its tables."""
    from playwright.sync_api import expect

    url, table = board
    page = _open_leaderboard(browser, url, size, len(table))
    about, note = page.locator("#leaderboard-judges-about"), page.locator("#leaderboard-judges-note")
    expect(note).to_contain_text("No model judge has judged a row yet.", timeout=15000)
    note.scroll_into_view_if_needed()
    for part in (about, note):
        expect(part).to_be_visible()
        box = part.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= size[0], box  # readable without scrolling sideways
    expect(about).to_contain_text("never pooled")
    for hidden in ("#leaderboard-judge-ratings", "#leaderboard-judge-agreement"):
        expect(page.locator(hidden)).to_be_hidden()
    assert page.locator("#leaderboard-table").bounding_box()["y"] < about.bounding_box()["y"]  # under people's
    shoot(page, f"leaderboard-judges-{size[0]}")
