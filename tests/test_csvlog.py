"""The CSV appender under results.csv and votes.csv: incremental cached reads, upgrades, in-place updates."""

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


def test_a_torn_last_row_is_cut_off_and_the_log_goes_on(tmp_path):
    path = tmp_path / "x.csv"
    log = CsvLog(path, ["id", "text"])
    log.append({"id": "1", "text": "first,\n\"quoted\""})
    with open(path, "ab") as handle:  # a writer killed half way through a row with a newline in it
        handle.write(b'2,"half a row\nstill inside the quotes')
    assert list(CsvLog(path, ["id", "text"]).read().id) == ["1"]
    log.append({"id": "3", "text": "after"})
    assert list(pd.read_csv(path, dtype=str, keep_default_na=False).id) == ["1", "3"]


@pytest.mark.parametrize("data, whole", [
    (b"a,b\n1,2\n", 8), (b"a,b\n1,2", 4), (b'a,b\n1,"x\ny"\n', 12), (b'a,b\n1,"x\ny', 4), (b'a,b\n1,"say ""hi"""\n', 19),
])
def test_complete_length(data, whole):
    from playground.csvlog import complete_length

    assert complete_length(data) == whole
