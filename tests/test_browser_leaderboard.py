"""The Decide tab (the Leaderboard that was) in Debian Chromium, measured from what the page draws (issue 27,
must-show 3): the pool's verdict in words at the top; every endpoint with a cost per second a visible point where a
numeric scale puts it (cheaper further left, higher rated further up, spacing in proportion to the figures), named
beside it without one name covering another; the head-to-head heatmap showing, in each winner's row and opponent's
column, the count the votes give. At desktop and phone sizes, after the path a person takes: the tab opens on fal
votes (none here), then they choose offline. Screenshots go to test-artifacts/ (look at them)."""

import asyncio
import io
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from browser_kit import ARTIFACTS, DESKTOP, PHONE, open_page, shoot, wait
from conftest import LITE_T2V, PRO_FAST_T2V, PRO_T2V, V2_FAST_T2V

V15_T2V = "fal-ai/bytedance/seedance/v1.5/pro/text-to-video"
# Four endpoints whose costs at 480p × 4 s are far from evenly spaced: a chart that treats cost as a category
# spaces them evenly, a numeric one does not. Four people vote on each of the 7 rows (their winners below; "tie",
# "none" for all bad), so each endpoint is in more than 20 votes; a fifth endpoint, in a smaller comparison of 3
# rows with one person voting, stays provisional.
ENDPOINTS = [LITE_T2V, PRO_T2V, PRO_FAST_T2V, V2_FAST_T2V]
VOTES = {"Ann": {1: V2_FAST_T2V, 2: V2_FAST_T2V, 3: V2_FAST_T2V, 4: PRO_FAST_T2V, 5: PRO_FAST_T2V, 6: LITE_T2V, 7: "none"},
         "Bo": {1: V2_FAST_T2V, 2: V2_FAST_T2V, 3: PRO_FAST_T2V, 4: PRO_FAST_T2V, 5: V2_FAST_T2V, 6: PRO_T2V, 7: LITE_T2V},
         "Cy": {1: V2_FAST_T2V, 2: PRO_FAST_T2V, 3: V2_FAST_T2V, 4: V2_FAST_T2V, 5: LITE_T2V, 6: PRO_FAST_T2V, 7: "tie"},
         "Di": {1: PRO_FAST_T2V, 2: V2_FAST_T2V, 3: V2_FAST_T2V, 4: LITE_T2V, 5: PRO_FAST_T2V, 6: V2_FAST_T2V, 7: PRO_T2V}}
FEW = {1: V15_T2V, 2: LITE_T2V, 3: V15_T2V}  # the provisional one's comparison: V15 against Lite

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
TEXTS = """([id, group]) => [...document.querySelectorAll(`#${id} svg.marks ${group} text`)].map(t => {
  const box = t.getBoundingClientRect(), style = getComputedStyle(t);
  return {text: t.textContent, lines: [...t.querySelectorAll('tspan')].map(s => s.textContent), fill: style.fill,
          opacity: Number(style.opacity), left: box.left, right: box.right, top: box.top, bottom: box.bottom,
          x: box.x + box.width / 2, y: box.y + box.height / 2};
})"""
AXES = """(id) => [...document.querySelectorAll(`#${id} svg.marks [aria-roledescription='axis']`)]
  .map(axis => axis.getAttribute('aria-label'))"""
FRAME = """(id) => {  // the plotting area: the root view's background rectangle
  const box = document.querySelector(`#${id} svg.marks .role-frame.root > g > path.background`).getBoundingClientRect();
  return {left: box.left, right: box.right, top: box.top, bottom: box.bottom, width: box.width};
}"""
AXIS_NAMES = """(id) => Object.fromEntries([...document.querySelectorAll(`#${id} svg.marks [aria-roledescription='axis']`)]
  .map(axis => [axis.getAttribute('aria-label').split(' ')[0], [...axis.querySelectorAll('.role-axis-label text')]
    .map(t => { const box = t.getBoundingClientRect();
                return {text: t.textContent, left: box.left, right: box.right, x: box.x + box.width / 2,
                        y: box.y + box.height / 2}; })]))"""  # {"X-axis": [names], "Y-axis": [names]}
COUNTS = "g.mark-text.role-mark"  # the matrix's counts (the axes' names are role-axis-label)


@pytest.fixture(scope="module")
def board(tmp_path_factory, catalog):
    """An app over its own data dir holding two offline comparisons voted on by people (made through the core, as
    the page would), and the decision the core makes of them (the figures the page must show)."""
    from playground.backends.offline import OfflineBackend
    from playground.service import Playground
    from playground.ui import build_app, launch_options
    from playground.visitor import Visitor

    playground = Playground(catalog, tmp_path_factory.mktemp("board") / "data", "auto",
                            offline=OfflineBackend(step_delay_s=0))
    arguments = {"resolution": "480p", "duration": "4"}

    async def run(endpoints, seeds):
        spec = {"prompts": ["A paper boat on a rain gutter"], "endpoints": endpoints, "seeds": seeds,
                "arguments": arguments}
        return [snapshot async for snapshot in playground.comparisons.run(spec, Visitor(key=None))][-1]

    for endpoints, votes in ((ENDPOINTS, VOTES), ([V15_T2V, LITE_T2V], {"Ed": FEW})):
        seeds = sorted(next(iter(votes.values())))
        with ThreadPoolExecutor(1) as thread:  # Playwright's sync API keeps an event loop running in this one
            final = thread.submit(asyncio.run, run(endpoints, seeds)).result()
        assert final["counts"]["completed"] == len(endpoints) * len(seeds)
        for name, winners in votes.items():
            for seed, winner in winners.items():
                row = [c["endpoint_id"] for c in final["cells"] if c["seed"] == seed]
                choice = winner if winner in ("none", "tie") else "ABCD"[row.index(winner)]
                playground.api.vote(final["batch_id"], f"1 × {seed}", choice, Visitor(key=None, name=name))
    decision = playground.compare.decide({"backend": "offline"})
    assert len(decision.points) == 5 and all(p.cost_per_second for p in decision.points), decision
    assert [p.provisional for p in decision.points].count(True) == 1, decision.points  # V15: 3 votes
    assert len({p.rating for p in decision.points}) == 5, decision.points  # "higher" means something for each

    demo = build_app(playground)
    demo.queue(default_concurrency_limit=8)
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True,
                            **launch_options(playground))
    yield url.rstrip("/") + "/", decision
    demo.close()


def _open_decide(browser, url, size, decision):
    """Decide as a person reaches it: opened on fal votes (none: the pictures' first value is empty), then offline
    chosen; returns once the cost chart shows every point and the matrix every count."""
    from playwright.sync_api import expect

    page = open_page(browser, url, size)
    page.get_by_role("tab", name="Decide").click()
    expect(page.locator("#leaderboard-note")).to_contain_text("No votes on fal runs yet", timeout=15000)
    expect(page.locator("#decide-verdict")).to_contain_text("Not enough votes yet")
    page.locator("#leaderboard-backend input").click()
    page.get_by_role("option", name="offline", exact=True).click()
    size_ = len(decision.points)
    wait(lambda: len(page.evaluate(MARKS, ["decide-cost-rating", "point"])) == size_, 30,
         f"{size_} points in #decide-cost-rating")
    wait(lambda: len(page.evaluate(TEXTS, ["decide-matrix", COUNTS])) == size_ * (size_ - 1), 30,
         f"{size_ * (size_ - 1)} counts in #decide-matrix")
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


def _overlap(a, b):
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_verdict_is_said_at_the_top_of_decide(browser, board, size):
    from playwright.sync_api import expect

    url, decision = board
    page = _open_decide(browser, url, size, decision)
    verdict = page.locator("#decide-verdict")
    words = decision.verdict.replace("**", "")  # the Markdown's bold is drawn, not shown
    expect(verdict).to_contain_text(words[:60])
    expect(verdict).to_contain_text(decision.pool)
    expect(page.locator("#decide-pool input")).to_have_value(decision.pool)
    page.evaluate("window.scrollTo(0, 0)")
    box, filters = verdict.bounding_box(), page.locator("#decide-filters").bounding_box()
    assert box["y"] + box["height"] <= filters["y"] + 1, (box, filters)  # above the filters and the pictures
    assert 0 <= box["y"] < size[1] and box["x"] >= 0 and box["x"] + box["width"] <= size[0], box  # on the first screen
    shoot(page, f"decide-top-{size[0]}")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_cost_rating_chart_draws_a_visible_point_per_endpoint_on_numeric_axes(browser, board, size):
    url, decision = board
    page = _open_decide(browser, url, size, decision)
    chart = page.locator("#decide-cost-rating")
    chart.scroll_into_view_if_needed()
    names = [p.label for p in decision.points]
    points = _by_endpoint(page.evaluate(MARKS, ["decide-cost-rating", "point"]), names)
    assert set(points) == set(names)
    _painted(page, "cost-rating", points)
    cost = {p.label: p.cost_per_second for p in decision.points}
    rating = {p.label: p.rating for p in decision.points}
    by_cost = sorted(cost, key=cost.get)
    assert [points[n]["x"] for n in by_cost] == sorted(points[n]["x"] for n in by_cost)  # cheaper is further left
    by_rating = sorted(rating, key=rating.get)
    higher_up = sorted((points[n]["y"] for n in by_rating), reverse=True)  # screen y grows downwards
    assert [points[n]["y"] for n in by_rating] == higher_up
    _linear({n: p["x"] for n, p in points.items()}, cost, "x = cost per second")
    _linear({n: p["y"] for n, p in points.items()}, rating, "y = rating")
    greyed = {p.label for p in decision.points if p.provisional}
    assert {n for n, p in points.items() if _rgb(p["fill"]) == (156, 163, 175)} == greyed  # #9ca3af: provisional
    frame = page.evaluate(FRAME, "decide-cost-rating")
    labels = [t for t in page.evaluate(TEXTS, ["decide-cost-rating", "g.mark-text.role-mark"]) if t["text"] in names]
    assert sorted(t["text"] for t in labels) == sorted(names)  # each named once
    for name, point in points.items():
        assert frame["left"] <= point["x"] <= frame["right"] and frame["top"] <= point["y"] <= frame["bottom"], name
        label = next(t for t in labels if t["text"] == name)
        assert abs(label["x"] - point["x"]) < 90 and abs(label["y"] - point["y"]) < 40, (name, point, label)  # beside
        assert 0 <= label["left"] and label["right"] <= size[0], (name, label)  # and readable on this screen
    for i, one in enumerate(labels):  # no name written over another
        for other in labels[i + 1:]:
            assert not _overlap(one, other), (one, other)
    assert all("linear scale" in axis for axis in page.evaluate(AXES, "decide-cost-rating"))
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= size[0]
    shoot(page, f"decide-{size[0]}", full_page=True)
    chart.screenshot(path=str(ARTIFACTS / f"decide-cost-rating-{size[0]}.png"))


def _squeezed(text):
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_heatmap_shows_each_head_to_head_count_in_its_cell(browser, board, size):
    url, decision = board
    page = _open_decide(browser, url, size, decision)
    chart = page.locator("#decide-matrix")
    chart.scroll_into_view_if_needed()
    matrix, names = decision.matrix, decision.matrix["labels"]
    axes = page.evaluate(AXIS_NAMES, "decide-matrix")
    rows = {_squeezed(t["text"]): t for t in axes["Y-axis"]}  # the winners, down the side
    columns = {_squeezed(t["text"]): t for t in axes["X-axis"]}  # the opponents, across the top
    assert set(rows) == set(columns) == {_squeezed(n) for n in names}, (rows, columns)
    counts = page.evaluate(TEXTS, ["decide-matrix", COUNTS])
    shown = {}
    for count in counts:  # each count in the row and the column whose names are level with it
        row = min(rows, key=lambda n: abs(rows[n]["y"] - count["y"]))
        column = min(columns, key=lambda n: abs(columns[n]["x"] - count["x"]))
        assert abs(rows[row]["y"] - count["y"]) < 12 and abs(columns[column]["x"] - count["x"]) < 12, count
        assert (row, column) not in shown and row != column, (row, column)  # one per cell, the diagonal empty
        shown[(row, column)] = count
        assert _alpha(count["fill"]) > 0.5 and count["opacity"] >= 0.5, count  # painted
    expected = {(_squeezed(names[i]), _squeezed(names[j])): str(matrix["wins"][i][j])
                for i in range(len(names)) for j in range(len(names)) if i != j}
    assert {cell: count["text"] for cell, count in shown.items()} == expected
    order = [_squeezed(label) for label in matrix["labels"]]  # the classes' order, best first, down and across
    assert sorted(order, key=lambda n: rows[n]["y"]) == order and sorted(order, key=lambda n: columns[n]["x"]) == order
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= size[0]
    for name in [*rows.values(), *columns.values()]:  # every name on the screen
        assert 0 <= name["left"] and name["right"] <= size[0], name
    chart.screenshot(path=str(ARTIFACTS / f"decide-matrix-{size[0]}.png"))


ODD_DATES = [("31/01/2026", "YYYY-MM-DD"), ("x" * 100_000, "100,000 characters"),
             ("\ud800", "surrogate|\ufffd")]  # a lone surrogate (the browser may pass it on as U+FFFD)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_odd_date_is_said_and_changes_nothing(browser, board, size):
    from playwright.sync_api import expect

    url, decision = board
    page = _open_decide(browser, url, size, decision)
    verdict, problem = page.locator("#decide-verdict"), page.locator("#decide-problem")
    before = verdict.inner_text()
    since = page.locator("#decide-since textarea, #decide-since input").first
    for odd, said in ODD_DATES:
        since.fill(odd)
        since.press("Enter")
        expect(problem).to_contain_text(re.compile(said), timeout=15000)
        expect(problem).to_contain_text("since")
        assert verdict.inner_text() == before
        assert len(page.evaluate(MARKS, ["decide-cost-rating", "point"])) == len(decision.points)
        if odd == ODD_DATES[0][0]:
            shoot(page, f"decide-bad-date-{size[0]}")
    since.fill("")  # empty: no limit, and the message goes
    since.press("Enter")
    expect(problem).to_have_text("", timeout=15000)
    assert verdict.inner_text() == before


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_model_judges_section_says_no_judge_has_judged_yet(browser, board, size):
    """Until a model judge has judged a row, the section under people's standings says so, on fal votes (none)
    and on offline ones (people's, here), and shows neither of its tables."""
    from playwright.sync_api import expect

    url, decision = board
    page = _open_decide(browser, url, size, decision)
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
