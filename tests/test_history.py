"""Browsing the results log: filters, newest-first paging, exports safe for spreadsheets but exact in JSON, and a
run read as its RunRecord for the table and the details."""

import json
from pathlib import Path

import pandas as pd
import pytest

from playground.history import Filters, export, page, select, spreadsheet_safe
from playground.history_present import details_markdown, run_label, table_row
from playground.record import RunRecord, Status
from playground.results import COLUMNS, ResultsLog

from test_typed_state import string_key_reads

PLAYGROUND = Path(__file__).resolve().parent.parent / "playground"
# module: the functions that may read a dict by a string key, and what they read
EDGES = {"history_present": {}, "history_facade": {},
         "revisit": {"Revisits._seed": "the seed in the run's own arguments (what was sent)"}}

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
    assert (number, pages, total) == (1, 2, 2) and rows[0].prompt == "p2" and rows[0].checks == "ok"


LITE = "fal-ai/bytedance/seedance/v1/lite/text-to-video"
LOGGED = RunRecord(run_id="r1", created_at="2026-12-01T10:05:09.123+00:00", backend="offline", endpoint_id=LITE,
                   status=Status.COMPLETED, prompt="a kite " * 30, seed=7, width=864, height=480, fps=24.0, frames=48,
                   duration_s=2.0, queue_s=1.2, run_s=29.8, total_s=31.04, estimated_cost_usd=0.0875, checks="ok",
                   has_audio=False, video_path="/data/outputs/r1.mp4")


def test_a_run_is_one_short_table_row(catalog):
    prompt = ("a kite " * 30)[:69] + "…"  # a line of 70 characters
    assert table_row(LOGGED, run_label(catalog, LITE)) == [
        "12-01 10:05", "1.0 Lite · T2V", "completed", "offline", "7", prompt, "0.0875", "31.0 s"]
    unknown = RunRecord(created_at="2026-12-01T10:05:09", endpoint_id="gone/endpoint", status=Status.FAILED,
                        prompt="short")
    assert table_row(unknown, run_label(catalog, "gone/endpoint")) == [
        "12-01 10:05", "gone/endpoint", "failed", "", "", "short", "0.0000", ""]


def test_a_chosen_run_is_said_as_its_tab_said_it(catalog):
    said = details_markdown(LOGGED, run_label(catalog, LITE))
    assert said.startswith(f"**1.0 Lite · T2V** `{LITE}` · run `r1` · 2026-12-01 10:05:09 UTC\n\n")
    assert "**Completed** with seed **7** · backend: offline preview (synthetic clip, not model output)" in said
    assert ("Probed: 864×480 · 24 fps · 48 frames · 2 s · estimated cost $0.0875 · queue 1.2 s, run 29.8 s"
            in said)
    assert "Checks: ✅ matches the request · no audio track" in said and "`r1.mp4`" in said


def test_a_row_whose_numbers_cannot_be_read_is_still_said(catalog):
    """Read as a RunRecord, what does not parse is unknown (it made History's details fail before)."""
    row = {**LOGGED.to_row(), "seed": "seven", "width": "864", "fps": "fast", "frames": "", "duration_s": "\u2028",
           "estimated_cost_usd": "a lot", "queue_s": "", "run_s": "1e400"}
    said = details_markdown(RunRecord.from_row(row), LITE)
    assert "with seed **?**" in said and "Probed: 864×480 · 0 fps ·  frames · 0 s · estimated cost $0.0000" in said
    assert "queue –, run inf s" in said  # no queue time; a run time too large for a float reads as infinite


@pytest.mark.parametrize("path", sorted(PLAYGROUND / f"{name}.py" for name in EDGES), ids=lambda p: p.name)
def test_history_reads_a_run_only_through_its_record(path):
    """History's table, details and actions read a run's fields from its RunRecord: nothing in these modules reads a
    dict by a string key except the named edges."""
    reads = string_key_reads(path.read_text(encoding="utf-8"))
    allowed = EDGES[path.stem]
    stray = [f"{path.name}:{line} in {where}: {key}" for where, line, key in reads
             if not any(where == name or where.startswith(f"{name}.") for name in allowed)]
    assert stray == []
    for name in allowed:  # an edge that reads nothing any more comes off the list
        assert any(where == name or where.startswith(f"{name}.") for where, _, _ in reads), name
