"""Reading a log's CSV bytes the way a person would want it read: every row that can be read, and the rest set
apart, never guessed at and never the reason nothing is shown.

A log is written by one program (``csvlog``: every field quoted, ``\\n`` after each row), but it lives on disk
where a person may edit it in a spreadsheet, a disk may fill, and a file may be damaged. So a row with an extra
field, a missing one or an unclosed quote is *unreadable*: it is returned apart (with its line and why) and the
rows around it are read as usual. A byte that is not UTF-8 does not make a row unreadable: it is read as its
``\\xNN`` escape. Blank lines are skipped.

The common case stays fast: one vectorised pass finds each record's end (a newline outside quotes) and counts its
fields (commas outside quotes), then pandas parses every well-formed record at once. Only a stretch of malformed
records is walked line by line, each line tried as the start of a record, so one unclosed quote costs one line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

QUOTE, COMMA, NEWLINE, CARRIAGE = 34, 44, 10, 13
MAX_FIELD_CHARS = 1 << 26  # csv's own default (131,072 characters) is less than a long judge's answer or prompt
csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))  # the process's csv module reads such fields
MAX_RECORD_LINES = 100_000
CHUNK = 1 << 22  # bytes read at a time when finding records  # a record that spans more lines than this is not one of ours


@dataclass(frozen=True)
class Unreadable:
    """A stretch of a log that is not a row: where it starts (1-based line), its exact bytes, and why."""

    line: int
    data: bytes
    why: str


def _fields(record: bytes) -> int | None:
    """How many fields ``record`` (one row, ending in a newline) holds, or None if it is not one well-formed row."""
    try:
        rows = list(csv.reader(io.StringIO(record.decode("utf-8", "backslashreplace"), newline=""), strict=True))
    except csv.Error:
        return None
    return len(rows[0]) if len(rows) == 1 else None


def whole_row(record: bytes, width: int) -> bool:
    """Whether ``record`` is exactly one row of ``width`` fields."""
    return _fields(record) == width


def _boundaries(data: bytes, strict: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, end, commas outside quotes) of every record of ``data``: a record ends at a newline outside
    quotes (``end`` is that newline's offset). Bytes after the last such newline are not a record. Read a few MB at
    a time (quote parity and commas carried over), so a large log costs no large temporary arrays. ``strict``: a
    record with a quote where CSV allows none (text right after a closing quote, or before an opening one) counts
    -1 commas, so it is never taken for a row (slower; for when the quick reading did not add up)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    ends_parts, commas_parts = [], []
    odd, commas = 0, 0  # quote parity and commas outside quotes, carried from the chunks before
    for offset in range(0, len(raw), CHUNK):
        part = raw[offset:offset + CHUNK]
        where = np.flatnonzero((part == QUOTE) | (part == COMMA) | (part == NEWLINE))  # only these bytes matter
        marks = part[where]
        is_quote = marks == QUOTE
        outside = ((np.cumsum(is_quote, dtype=np.int64) + odd) & 1) == 0  # after an even number of quotes
        record_end = outside & (marks == NEWLINE)
        so_far = np.cumsum(outside & (marks == COMMA), dtype=np.int64) + commas
        ends_parts.append(where[record_end] + offset)
        commas_parts.append(so_far[record_end])
        odd = (odd + int(np.count_nonzero(is_quote))) & 1
        commas = int(so_far[-1]) if len(so_far) else commas
    ends = np.concatenate(ends_parts) if ends_parts else np.zeros(0, dtype=np.int64)
    separators = np.diff(np.concatenate(commas_parts) if commas_parts else ends, prepend=0)
    starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    if strict and len(ends):
        separators[_strays(raw, ends)] = -1
    return starts, ends, separators


def _strays(raw: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Indexes of the records holding a quote where CSV allows none."""
    quotes = np.flatnonzero(raw == QUOTE)
    closing, opening = quotes[1::2], quotes[0::2]
    after = raw[np.minimum(closing + 1, len(raw) - 1)]  # what follows a closing quote: a comma, a row end, a quote
    after[closing + 1 >= len(raw)] = NEWLINE
    before = raw[np.maximum(opening - 1, 0)]  # what precedes an opening quote: a comma, a row start, a quote
    stray = np.concatenate((closing[~np.isin(after, (COMMA, NEWLINE, CARRIAGE, QUOTE))],
                            opening[(opening > 0) & ~np.isin(before, (COMMA, NEWLINE, QUOTE))]))
    return np.unique(np.minimum(np.searchsorted(ends, stray), len(ends) - 1))


def header_length(data: bytes) -> int:
    """How many leading bytes of ``data`` are its header line (a log's header is column names: one line)."""
    return data.index(b"\n") + 1 if b"\n" in data else 0


def complete_length(data: bytes) -> int:
    """How many leading bytes of ``data`` are whole records, by quote parity (up to the last newline outside
    quotes). Only meaningful for well-formed data: an unclosed quote moves it back (``parse_rows`` copes)."""
    _, ends, _ = _boundaries(data)
    return int(ends[-1]) + 1 if len(ends) else 0


INCOMPLETE = "an incomplete last row (its writer stopped mid-write; it was never acknowledged)"


def _resync(stretch: bytes, width: int, first_line: int) -> tuple[list[bytes], list[Unreadable]]:
    """Rows and unreadable lines of a stretch of malformed records, trying each line as the start of a row. A
    stretch at the end of a file may lack its last newline: a whole row there is kept (and given one), and the
    unreadable lines that end it with no row after them are one row cut short."""
    lines = stretch.split(b"\n")
    torn = lines.pop()  # b"" when the stretch ends with a newline, else a last line without one
    if torn:
        lines.append(torn)
    rows: list[bytes] = []
    bad: list[tuple[int, Unreadable]] = []
    i = 0
    while i < len(lines):
        odd, j = 0, i
        while j < len(lines) and j - i < MAX_RECORD_LINES:
            odd ^= lines[j].count(b'"') & 1
            j += 1
            if not odd:
                break
        record = b"\n".join(lines[i:j]) + b"\n"
        if not odd and whole_row(record, width):
            rows.append(record)
            i = j
            continue
        if lines[i].strip():
            found = _fields(lines[i] + b"\n")
            why = (f"{found} fields where {width} are expected" if found is not None else
                   "an unclosed quote or text after a closing quote")
            bad.append((i, Unreadable(first_line + i, lines[i] + b"\n", why)))
        i += 1
    if torn and bad and bad[-1][0] == len(lines) - 1:  # the end of the file is a row its writer never finished
        start = len(bad) - 1
        while start and bad[start - 1][0] == bad[start][0] - 1:
            start -= 1
        first = bad[start][0]
        bad[start:] = [(first, Unreadable(first_line + first, b"\n".join(lines[first:]), INCOMPLETE))]
    return rows, [unreadable for _, unreadable in bad]


@dataclass(frozen=True)
class Parsed:
    """What a stretch of a log holds: its rows as a text frame, their exact bytes (each row ending in a newline),
    and what is not a row."""

    frame: pd.DataFrame
    rows: bytes
    unreadable: list[Unreadable]


def parse_rows(data: bytes, columns: list[str], first_line: int = 1) -> Parsed:
    """The rows of CSV ``data`` (no header) as a text frame, and the stretches that are not rows. ``first_line`` is
    the line number ``data`` starts at in its file. ``data`` may end without a newline (a torn or unterminated last
    row): that last line is read if it is a whole row, else it is unreadable."""
    try:
        return _parse(data, columns, first_line, strict=False)
    except (pd.errors.ParserError, _Mismatch):  # a stray quote the quick count let through: look closer
        return _parse(data, columns, first_line, strict=True)


class _Mismatch(Exception):
    """pandas read another number of rows than there are records."""


def _parse(data: bytes, columns: list[str], first_line: int, strict: bool) -> Parsed:
    width = len(columns)
    starts, ends, separators = _boundaries(data, strict)
    good = separators == width - 1
    stretches = [(int(starts[i]), int(ends[i]) + 1) for i in np.flatnonzero(~good)]
    tail = int(ends[-1]) + 1 if len(ends) else 0
    if tail < len(data):  # an unclosed quote runs to the end, or a last row lacks its newline
        stretches.append((tail, len(data)))
    chunks: list[bytes] = []
    bad: list[Unreadable] = []
    if stretches:
        line_starts = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == NEWLINE) + 1
        done = 0
        for start, end in stretches:
            chunks.append(data[done:start])
            line = first_line + int(np.searchsorted(line_starts, start, side="right"))
            rows, unreadable = _resync(data[start:end], width, line)
            chunks += rows
            bad += unreadable
            done = end
        chunks.append(data[done:])
    else:
        chunks.append(data)
    text = data if not stretches else b"".join(chunks)
    if not text.strip():
        return Parsed(pd.DataFrame(columns=columns), b"", bad)
    frame = pd.read_csv(io.BytesIO(text), names=columns, header=None, dtype=str, keep_default_na=False,
                        encoding_errors="backslashreplace", index_col=False)
    if stretches:  # the records of what is kept (when nothing was set apart, they are the ones counted above)
        starts, ends, _ = _boundaries(text)
    if len(frame) != len(ends):
        if not strict:
            raise _Mismatch
        # pandas saw other row ends (a bare carriage return outside quotes): row by row
        frame = pd.DataFrame([next(csv.reader(io.StringIO(text[a:b + 1].decode("utf-8", "backslashreplace"),
                                                          newline=""))) for a, b in zip(starts, ends, strict=True)],
                             columns=columns, dtype=str)
    return Parsed(frame, text, bad)
