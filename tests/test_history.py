"""Browsing the results log: filters, newest-first paging, and exports safe for spreadsheets but exact in JSON."""

import json

import pandas as pd
import pytest

from playground.history import Filters, export, page, select, spreadsheet_safe
from playground.results import COLUMNS, ResultsLog

ROWS = [  # run_id, endpoint, status, backend, batch, prompt
    ("r1", "lite", "completed", "offline", "", "A red kite"),
    ("r2", "pro", "failed", "fal", "batch-aa", "=HYPERLINK(\"http://evil\",\"x\")"),
    ("r3", "lite", "completed", "fal", "batch-aa", "a RED balloon"),
    ("r4", "pro", "cancelled", "fal", "batch-bb", "+cmd|' /C calc'!A0"),
    ("r5", "lite", "completed", "offline", "", "@SUM(1+1) and -2+3"),
]


@pytest.fixture
def log(tmp_path):
    results = ResultsLog(tmp_path / "results.csv")
    for run_id, endpoint_id, status, backend, batch_id, prompt in ROWS:
        results.append({"run_id": run_id, "endpoint_id": endpoint_id, "status": status, "backend": backend,
                        "batch_id": batch_id, "prompt": prompt, "seed": "-1", "estimated_cost_usd": "0.18"})
    return results


@pytest.mark.parametrize("filters, expected", [
    (Filters(), ["r5", "r4", "r3", "r2", "r1"]),
    (Filters(endpoint_id="lite"), ["r5", "r3", "r1"]),
    (Filters(status="completed", backend="fal"), ["r3"]),
    (Filters(batch_id="batch-a"), ["r3", "r2"]),  # a batch id prefix is enough
    (Filters(text="red"), ["r3", "r1"]),  # case-insensitive, plain text (no regex)
    (Filters(text="(1+1)"), ["r5"]),
    (Filters(endpoint_id="lite", status="failed"), []),
])
def test_filters_newest_first(log, filters, expected):
    assert list(select(log.read(), filters).run_id) == expected


def test_paging_is_clamped(log):
    rows, number, pages = page(select(log.read(), Filters()), 2, size=2)
    assert (list(rows.run_id), number, pages) == (["r3", "r2"], 2, 3)
    assert page(select(log.read(), Filters()), 99, size=2)[1] == 3
    assert page(select(log.read(), Filters(text="nothing")), 1, size=2)[1:] == (1, 1)


@pytest.mark.parametrize("value, safe", [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("-1", "-1"), ("+3.5", "+3.5"), ("1e-3", "1e-3"), ("plain", "plain"), ("", ""),
])
def test_spreadsheet_safe(value, safe):
    assert spreadsheet_safe(value) == safe


def test_exports_csv_neutralised_and_json_exact(log, tmp_path):
    frame = select(log.read(), Filters())
    csv_path, json_path = export(frame, "csv", tmp_path / "x"), export(frame, "json", tmp_path / "x")
    as_csv = pd.read_csv(csv_path, dtype=str, keep_default_na=False).set_index("run_id")
    assert as_csv.loc["r2", "prompt"] == "'" + ROWS[1][5] and as_csv.loc["r4", "prompt"] == "'" + ROWS[3][5]
    assert as_csv.loc["r1", "prompt"] == "A red kite" and as_csv.loc["r1", "seed"] == "-1"
    records = {r["run_id"]: r for r in json.loads(json_path.read_text(encoding="utf-8"))}
    assert [records[r[0]]["prompt"] for r in ROWS] == [r[5] for r in ROWS]  # exact text, formulas and all
    assert list(records["r1"]) == COLUMNS
    assert log.read().set_index("run_id").loc["r2", "prompt"] == ROWS[1][5]  # the app's own log is untouched


def test_revisits_page_shows_the_history_columns(playground):
    import asyncio

    async def two():
        for seed in (1, 2):
            async for _ in playground.generate("fal-ai/bytedance/seedance/v1/lite/text-to-video",
                                               {"prompt": f"p{seed}", "resolution": "480p", "duration": "2",
                                                "seed": seed}):
                pass

    asyncio.run(two())
    rows, number, pages, total = playground.revisits.page(Filters(), 1, size=1)
    assert (number, pages, total) == (1, 2, 2) and rows[0]["prompt"] == "p2" and rows[0]["checks"] == "ok"
