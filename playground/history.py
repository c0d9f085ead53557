"""The results log as a person browses it: newest first, filtered, paged, and exported.

Pages come from the log's cached frame (see ``playground.csvlog``), so paging a 100,000-row log costs a
filter and a slice, not a parse. The spreadsheet export neutralises cells that a spreadsheet would run
as formulas; the JSON export and the log itself keep every value exactly.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from playground.csvlog import write_frame

PAGE_SIZE = 12  # the rows the table shows without scrolling inside it (500 px at most): a page is what is seen
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Filters:
    """What to show; empty means any."""

    endpoint_id: str = ""
    status: str = ""
    batch_id: str = ""
    backend: str = ""
    text: str = ""  # found in the prompt, case-insensitive


def owned_by(frame: pd.DataFrame, owners: frozenset[str] | None) -> pd.DataFrame:
    """The rows whose ``owner`` is one of ``owners`` (every row when None: a shared workspace)."""
    return frame if owners is None else frame[frame.owner.isin(owners)]


def _columns(filters: Filters) -> tuple[dict[str, str], dict[str, str]]:
    """The filters other than the prompt text, as (columns equal to, columns starting with)."""
    equal = {column: wanted for column, wanted in (("endpoint_id", filters.endpoint_id), ("status", filters.status),
                                                  ("backend", filters.backend)) if wanted}
    return equal, ({"batch_id": filters.batch_id.strip()} if filters.batch_id.strip() else {})


def conditions(filters: Filters) -> tuple[dict[str, str], dict[str, str]] | None:
    """``select``'s filters as (columns equal to, columns starting with) for a store that pages itself; None when
    the prompt text is sought (its case-insensitive match is pandas', which a database's collation may not share)."""
    return None if filters.text.strip() else _columns(filters)


def select(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows matching ``filters``, newest first."""
    mask = pd.Series(True, index=frame.index)
    equal, starting = _columns(filters)
    for column, wanted in equal.items():
        mask &= frame[column] == wanted
    for column, prefix in starting.items():
        mask &= frame[column].str.startswith(prefix)
    if filters.text.strip():
        mask &= frame["prompt"].str.contains(filters.text.strip(), case=False, regex=False)
    return frame[mask].iloc[::-1]


def page_span(rows: int, number: int | float | None, size: int = PAGE_SIZE) -> tuple[int, int]:
    """(page ``number`` clamped to 1 … pages, pages) for ``rows`` rows, ``size`` a page."""
    pages = max(1, -(-rows // size))
    return min(max(1, int(number or 1)), pages), pages


def page(frame: pd.DataFrame, number: int, size: int = PAGE_SIZE) -> tuple[pd.DataFrame, int, int]:
    """(rows of page ``number`` (1-based, clamped), that page number, how many pages)."""
    number, pages = page_span(len(frame), number, size)
    return frame.iloc[(number - 1) * size:number * size], number, pages


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet will show as text, never run: formula-like starts get a leading apostrophe."""
    if isinstance(value, str) and _FORMULA_START.match(value) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def export(frame: pd.DataFrame, fmt: str, directory: Path) -> Path:
    """Write ``frame`` as ``csv`` (for spreadsheets: formula cells neutralised) or ``json`` (exact values)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"results-{uuid.uuid4().hex[:8]}.{fmt}"
    if fmt == "csv":
        write_frame(frame.map(spreadsheet_safe), path)
    elif fmt == "json":
        path.write_text(json.dumps(frame.to_dict(orient="records"), ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return path


@dataclass(frozen=True)
class BatchSummary:
    """A comparison as the results log knows it: its id, its newest cell's time, its first prompt, its cells."""

    batch_id: str
    at: str
    prompt: str
    cells: int


def batches(frame: pd.DataFrame, limit: int) -> list[BatchSummary]:
    """The comparisons in a results frame, newest first (by their newest logged cell), at most ``limit``."""
    frame = frame[frame.batch_id != ""]
    if frame.empty:
        return []
    grouped = frame.groupby("batch_id", sort=False).agg(at=("created_at", "max"), prompt=("prompt", "first"),
                                                        cells=("run_id", "size"))
    grouped = grouped.sort_values("at", ascending=False).head(limit)
    return [BatchSummary(str(batch_id), str(at), str(prompt), int(cells))
            for batch_id, at, prompt, cells in zip(grouped.index, grouped["at"], grouped["prompt"], grouped["cells"],
                                                   strict=True)]
