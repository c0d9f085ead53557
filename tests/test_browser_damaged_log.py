"""History on a damaged results log, in Chromium at desktop and phone size: every readable run is in the table,
and the page says that unreadable rows were set aside (and where), instead of failing or showing nothing."""

import pytest

from playground.record import COLUMNS

from browser_kit import DESKTOP, PHONE, open_page, shoot
from test_damaged_log import _row


@pytest.fixture(scope="module")
def damaged_app(tmp_path_factory, catalog):
    from playground.service import Playground
    from playground.ui import build_app, launch_options

    data_dir = tmp_path_factory.mktemp("damaged") / "data"
    data_dir.mkdir()
    header = ",".join(f'"{c}"' for c in COLUMNS)
    rows = [_row(f"good{i:012d}", f"a readable run number {i}") for i in range(3)]
    broken = [_row("extra0000000000", "x") + ',"surplus"', _row("quote0000000000", "x").replace('"x"', '"unclosed')]
    (data_dir / "results.csv").write_text("\n".join([header, rows[0], broken[0], rows[1], broken[1], rows[2]]) + "\n")
    playground = Playground(catalog, data_dir, "offline")
    demo = build_app(playground)
    demo.queue()
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True,
                            **launch_options(playground))
    yield url
    demo.close()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_history_shows_every_readable_run_and_says_what_was_set_aside(browser, damaged_app, size):
    from playwright.sync_api import expect

    page = open_page(browser, damaged_app, size)
    page.get_by_role("tab", name="History").click()
    info = page.locator("#history-info")
    expect(info).to_contain_text("3 run(s)", timeout=30000)
    expect(info).to_contain_text("2 unreadable row(s) of results.csv were set aside")
    expect(info).to_contain_text("results.csv.set-aside.jsonl")
    table = page.locator("#history-table").inner_text()
    assert all(f"a readable run number {i}" in table for i in range(3)) and "surplus" not in table
    info.scroll_into_view_if_needed()
    shoot(page, f"history-set-aside-{size[0]}")
