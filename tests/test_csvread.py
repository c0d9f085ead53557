"""Tolerant reading of a log's CSV bytes: every readable row, the rest apart with its line and why."""

import pytest

from playground.csvread import complete_length, parse_rows

COLUMNS = ["id", "text", "n"]
GOOD = b'"1","a","1"\n"2","b ""q"", c","2"\n'


@pytest.mark.parametrize("data, whole", [
    (b"a,b\n1,2\n", 8), (b"a,b\n1,2", 4), (b'a,b\n1,"x\ny"\n', 12), (b'a,b\n1,"x\ny', 4), (b'a,b\n1,"say ""hi"""\n', 19),
    (b"", 0), (b'"unclosed\n', 0),
])
def test_complete_length(data, whole):
    assert complete_length(data) == whole


LINE_BREAKS = ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("brk", LINE_BREAKS, ids=[repr(b) for b in LINE_BREAKS])
def test_every_line_break_inside_a_field_reads_back(brk):
    text = f"one{brk}two{brk}"
    data = GOOD + f'"3","{text}","3"\n'.encode()
    parsed = parse_rows(data, COLUMNS)
    assert list(parsed.frame.id) == ["1", "2", "3"] and parsed.frame.text[2] == text and not parsed.unreadable
    assert parsed.frame.text[1] == 'b "q", c'


@pytest.mark.parametrize("bad, why", [
    (b'"x","y","z","surplus"\n', "4 fields where 3 are expected"),
    (b'"x","y"\n', "2 fields where 3 are expected"),
    (b'"x","unclosed,"z"\n', "unclosed quote"),
    (b'"x","y"z","w"\n', "unclosed quote"),
])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_one_bad_row_costs_only_itself(bad, why, where):
    rows = {"first": bad + GOOD, "middle": GOOD[:12] + bad + GOOD[12:], "last": GOOD + bad}[where]
    parsed = parse_rows(rows, COLUMNS, first_line=2)
    assert list(parsed.frame.id) == ["1", "2"]
    (unreadable,) = parsed.unreadable
    assert unreadable.data == bad and why in unreadable.why
    assert unreadable.line == {"first": 2, "middle": 3, "last": 4}[where]
    assert parse_rows(parsed.rows, COLUMNS).frame.equals(parsed.frame)  # what is kept is exactly the good rows


def test_huge_fields_surrogate_escapes_and_blank_lines():
    big = "é" * 100_000
    data = f'"1","{big}","1"\n\n"2","\\ud800","2"\n\n'.encode()
    parsed = parse_rows(data, COLUMNS)
    assert list(parsed.frame.id) == ["1", "2"] and parsed.frame.text[0] == big and not parsed.unreadable


def test_a_spreadsheet_saved_with_crlf_and_unquoted_fields_reads():
    parsed = parse_rows(b"1,plain,1\r\n2,\"quoted, comma\",2\r\n", COLUMNS)
    assert parsed.frame.to_dict(orient="records") == [{"id": "1", "text": "plain", "n": "1"},
                                                      {"id": "2", "text": "quoted, comma", "n": "2"}]


@pytest.mark.parametrize("data", [
    b'"1","' + b"x" * 200_000 + b'","1"\n',  # a long judge answer, well formed
    b'"1","' + b"x" * 200_000 + b'","1"\n"2","a\rb","2"\n',  # beside a row that sends reading row by row
    b'"1","' + b"x" * 200_000 + b'","1"\n"2","unclosed,"2"\n"3","c","3"\n',  # beside one set apart
])
def test_a_field_longer_than_the_csv_modules_default_limit_is_read(data):
    """Python's csv reader refuses fields over 131,072 characters by default: a judge's answer can be longer, and its
    row must be read, not set apart."""
    parsed = parse_rows(data, COLUMNS)
    assert parsed.frame.iloc[0].text == "x" * 200_000 and parsed.frame.iloc[0].id == "1"


def test_a_long_field_is_still_one_whole_row():
    """How a log's unterminated last row is judged whole (and mended) rather than torn: a long field is not torn."""
    from playground.csvread import whole_row

    assert whole_row(b'"1","' + b"x" * 200_000 + b'","1"\n', 3)
