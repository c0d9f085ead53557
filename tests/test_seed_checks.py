"""seed_checks.csv, one typed SeedCheck per row: its columns unchanged, written as text and read back as the record,
odd text kept and numbers that cannot be read left empty."""

import pytest

from playground.checks import SeedVerdict
from playground.record import RunRecord
from playground.seed_checks import COLUMNS, SeedCheck, SeedChecksLog

from conftest import LITE_T2V

# The file's columns, a contract (people open it in a spreadsheet), written out by hand.
FILE_COLUMNS = ["check_id", "created_at", "endpoint_id", "backend", "first_run", "second_run", "seed", "verdict",
                "frames_equal", "frames", "psnr_db"]
NEAR = SeedCheck("c1", "2026-12-01T10:00:00.000+00:00", LITE_T2V, "offline", "r1", "r2", 7, "near", 40, 48, 37.25)
SAME = SeedCheck("c2", "2026-12-01T10:01:00.000+00:00", LITE_T2V, "fal", "r3", "r4", 0, "identical", 48, 48, None)


def test_the_columns_are_the_files():
    assert COLUMNS == FILE_COLUMNS


def test_a_check_is_one_row_of_text_in_the_files_columns(tmp_path):
    log = SeedChecksLog(tmp_path / "seed_checks.csv")
    assert log.record(NEAR) is NEAR
    log.record(SAME)
    header, near, same = (tmp_path / "seed_checks.csv").read_text(encoding="utf-8").splitlines()
    assert header == ",".join(f'"{c}"' for c in FILE_COLUMNS)
    assert near == f'"c1","2026-12-01T10:00:00.000+00:00","{LITE_T2V}","offline","r1","r2","7","near","40","48","37.25"'
    assert same == f'"c2","2026-12-01T10:01:00.000+00:00","{LITE_T2V}","fal","r3","r4","0","identical","48","48",""'
    assert log.checks() == [NEAR, SAME]


def test_a_check_made_now_names_both_runs_and_the_verdict():
    second = RunRecord(run_id="r9", endpoint_id=LITE_T2V, backend="offline")
    check = SeedCheck.made("r8", second, 5, SeedVerdict("different", 3, 48, 21.5))
    assert (check.endpoint_id, check.backend, check.first_run, check.second_run, check.seed) == \
        (LITE_T2V, "offline", "r8", "r9", 5)
    assert (check.verdict, check.frames_equal, check.frames, check.psnr_db) == ("different", 3, 48, 21.5)
    assert len(check.check_id) == 12 and check.created_at.startswith("20")
    assert SeedCheck.made("r8", second, 5, SeedVerdict("different", 3, 48, 21.5)).check_id != check.check_id


BREAKS = "\n\r\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # every line break str.splitlines knows


@pytest.mark.parametrize("row, expected", [
    ({}, SeedCheck()),  # nothing known: every default
    ({"check_id": None, "seed": None, "psnr_db": None}, SeedCheck()),
    ({"seed": "seven", "frames_equal": "4.5", "frames": "", "psnr_db": "n/a"}, SeedCheck()),
    ({"seed": " 7\n", "frames_equal": "-1", "frames": 48, "psnr_db": "35"}, SeedCheck(seed=7, frames_equal=-1,
                                                                                       frames=48, psnr_db=35.0)),
    ({"seed": "1" * 100_000, "frames": "²", "psnr_db": "1" * 100_000}, SeedCheck(psnr_db=float("inf"))),
    ({"verdict": f"near{BREAKS}", "backend": "a\ud800b", "first_run": ""}, SeedCheck(verdict=f"near{BREAKS}",
                                                                                     backend="a\ud800b")),
    ({"check_id": "x" * 100_000, "colour": "red"}, SeedCheck(check_id="x" * 100_000)),  # an unknown column: ignored
], ids=["empty", "None", "not numbers", "numbers with spaces", "100k digits and a superscript", "odd text",
        "100k characters"])
def test_a_row_reads_back_as_a_check(row, expected):
    assert SeedCheck.from_row(row) == expected


def test_odd_text_survives_the_file(tmp_path):
    log = SeedChecksLog(tmp_path / "seed_checks.csv")
    odd = SeedCheck(check_id="c3", verdict=f"near{BREAKS}", backend="x" * 100_000, seed=3)
    log.record(odd)
    assert log.checks() == [odd]
