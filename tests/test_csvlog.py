"""The CSV appender under results.csv and votes.csv: incremental cached reads, upgrades, in-place updates."""

import json

import pandas as pd
import pytest

from playground.csvlog import CsvLog
from playground.errors import PlaygroundError


def test_reads_follow_appends_incrementally(tmp_path):
    log = CsvLog(tmp_path / "x.csv", ["id", "text"])
    log.append({"id": "1", "text": "a,\n\"b\""})
    first = log.read()
    assert log.read() is first  # nothing new: the cached frame
    log.append({"id": "2", "text": "NA"})
    other_writer = CsvLog(tmp_path / "x.csv", ["id", "text"])  # another process appending
    other_writer.append({"id": "3", "text": ""})
    assert log.read().to_dict(orient="records") == [{"id": "1", "text": "a,\n\"b\""}, {"id": "2", "text": "NA"},
                                                     {"id": "3", "text": ""}]


def test_an_older_file_gets_the_new_columns(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("id,text\n1,old row\n")
    log = CsvLog(path, ["id", "text", "checks"])
    assert list(log.read().columns) == ["id", "text", "checks"]
    log.append({"id": "2", "text": "new", "checks": "ok"})
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert frame.to_dict(orient="records") == [{"id": "1", "text": "old row", "checks": ""},
                                               {"id": "2", "text": "new", "checks": "ok"}]


def test_a_foreign_file_is_refused_not_rewritten(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("something,else\n1,2\n")
    with pytest.raises(PlaygroundError, match="unexpected columns"):
        CsvLog(path, ["id"]).append({"id": "1"})
    assert path.read_text() == "something,else\n1,2\n"


def test_update_changes_one_row_in_place(tmp_path):
    log = CsvLog(tmp_path / "x.csv", ["id", "text"])
    for i in range(3):
        log.append({"id": str(i), "text": f"t{i}"})
    assert log.update("id", "1", {"text": "changed"}) and not log.update("id", "9", {"text": "x"})
    assert list(log.read().text) == ["t0", "changed", "t2"]


def _set_aside(path):
    side = path.with_name(path.name + ".set-aside.jsonl")
    return [json.loads(line) for line in side.read_text().splitlines()] if side.exists() else []


def test_a_torn_last_row_is_set_aside_and_the_log_goes_on(tmp_path):
    path = tmp_path / "x.csv"
    log = CsvLog(path, ["id", "text"])
    log.append({"id": "1", "text": "first,\n\"quoted\""})
    torn = b'"2","half a row\nstill inside the quotes'
    with open(path, "ab") as handle:  # a writer killed half way through a row with a newline in it
        handle.write(torn)
    assert list(CsvLog(path, ["id", "text"]).read().id) == ["1"]
    (kept,) = _set_aside(path)  # never deleted: kept byte for byte beside the log
    assert kept["text"].encode("utf-8", "surrogateescape") == torn and kept["line"] == 4 and "incomplete" in kept["why"]
    log.append({"id": "3", "text": "after"})
    assert list(pd.read_csv(path, dtype=str, keep_default_na=False).id) == ["1", "3"]


@pytest.mark.parametrize("last", [b'"2","complete"', b'"2","with\r\nbreaks ""and"" quotes"'])
def test_a_complete_last_row_missing_only_its_newline_is_kept(tmp_path, last):
    path = tmp_path / "x.csv"
    path.write_bytes(b'"id","text"\n"1","first"\n' + last)  # e.g. saved by an editor that drops the final newline
    log = CsvLog(path, ["id", "text"])
    assert list(log.read().id) == ["1", "2"] and not _set_aside(path)
    log.append({"id": "3", "text": "after"})
    assert list(CsvLog(path, ["id", "text"]).read().id) == ["1", "2", "3"]


BAD_ROWS = {  # each is put between two good rows; what a person might leave behind in a spreadsheet or a crash
    "extra field": b'"b","x","surplus"\n',
    "missing field": b'"b"\n',
    "unclosed quote": b'"b","never closed\n',
    "text after a closing quote": b'"b","x"y"\n',
    "unclosed quote, then lines": b'"b","open\n"c1","look like rows\n',
}


@pytest.mark.parametrize("name", BAD_ROWS)
def test_unreadable_rows_are_set_aside_and_every_other_row_is_read(tmp_path, name):
    path = tmp_path / "x.csv"
    log = CsvLog(path, ["id", "text"])
    log.append({"id": "a", "text": "before,\n\"quoted\"\u2028"})
    with open(path, "ab") as handle:
        handle.write(BAD_ROWS[name])
    log.append({"id": "z", "text": "after"})
    fresh = CsvLog(path, ["id", "text"])  # another process, reading the damaged file for the first time
    frame = fresh.read()
    assert list(frame.id) == ["a", "z"] and frame.text[0] == "before,\n\"quoted\"\u2028"
    aside = b"".join(entry["text"].encode("utf-8", "surrogateescape") for entry in _set_aside(path))
    assert aside == BAD_ROWS[name]  # exactly what was there, nothing more, nothing less
    assert "set aside" in fresh.set_aside_note() and "x.csv.set-aside.jsonl" in fresh.set_aside_note()
    assert list(pd.read_csv(path, dtype=str, keep_default_na=False).id) == ["a", "z"]  # the log reads cleanly again
    log.append({"id": "after-that", "text": ""})  # and goes on, for the first writer too
    assert list(log.read().id) == ["a", "z", "after-that"]


def test_a_byte_that_is_not_utf8_leaves_its_row_readable(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b'"id","text"\n"1","caf\xe9"\n"2","fine"\n')  # Latin-1 saved by some editor
    frame = CsvLog(path, ["id", "text"]).read()
    assert frame.to_dict(orient="records") == [{"id": "1", "text": "caf\\xe9"}, {"id": "2", "text": "fine"}]
    assert not _set_aside(path)


def test_the_incremental_read_meets_an_unreadable_row_appended_by_someone_else(tmp_path):
    path = tmp_path / "x.csv"
    log = CsvLog(path, ["id", "text"])
    log.append({"id": "1", "text": "x"})
    assert list(log.read().id) == ["1"]
    with open(path, "ab") as handle:
        handle.write(b'"2","x","y"\n"3","z"\n')
    assert list(log.read().id) == ["1", "3"] and len(_set_aside(path)) == 1
