"""The comparison grid as HTML: one synced player row per prompt × seed (the page's sync_grid.js drives it).

Blind mode shuffles each row in an order fixed by the batch and row (so re-renders agree with the vote
choices) and shows only "Clip A, B, …" — no endpoint, cost or timing — until that row has been voted on.
"""

from __future__ import annotations

import hashlib
import html
import random
import string
from collections.abc import Callable
from typing import Any

SPEEDS = (0.25, 0.5, 1, 1.5, 2)


def rows(snapshot: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Cells grouped by prompt × seed, in plan order."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for cell in snapshot["cells"]:
        grouped.setdefault(cell["row"], []).append(cell)
    return grouped


def blind_order(batch_id: str, row: str, cells: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """("Clip A", cell)… in a shuffled order that is the same every time for this batch and row."""
    shuffled = list(cells)
    random.Random(f"{batch_id}/{row}").shuffle(shuffled)
    return [(f"Clip {string.ascii_uppercase[i]}", cell) for i, cell in enumerate(shuffled)]


def shown_cells(snapshot: dict[str, Any], row: str, blind: bool,
                revealed: set[str]) -> list[tuple[str, dict[str, Any]]]:
    """(label, cell) for a row as the page shows it: blind letters until revealed, then the endpoint beside its
    letter in the same order (the clips do not move when a vote reveals them); plan order with names otherwise."""
    cells = rows(snapshot).get(row, [])
    if not blind:
        return [(cell["label"], cell) for cell in cells]
    shuffled = blind_order(snapshot["batch_id"], row, cells)
    if row in revealed:
        return [(f"{cell['label']} ({letter})", cell) for letter, cell in shuffled]
    return shuffled


ENLARGE = '<button type="button" data-enlarge aria-pressed="false">⤢ Enlarge</button>'
COLUMNS = {1: 1, 2: 2, 3: 3, 4: 2, 5: 3, 6: 3}  # clips in a row → columns that keep tiles large and rows even


def clip_key(batch_id: str, index: int) -> str:
    """An opaque, stable name for a cell (the page keeps a loaded clip by it; a choice list sends it back)."""
    return hashlib.sha256(f"{batch_id}/{index}".encode()).hexdigest()[:16]


def _caption(label: str, cell: dict[str, Any], hidden: bool) -> str:
    if hidden:
        return html.escape(label)
    parts = [label, f"seed {cell['seed']}", f"${cell['estimated_cost_usd']:.4f}"]
    if cell.get("billed_cost_usd") is not None:
        parts.append(f"billed ${cell['billed_cost_usd']:.4f}")
    if cell.get("served_by"):
        parts.append(f"⚠️ served by {cell['served_by']}")
    if cell.get("total_s") is not None:
        parts.append(f"{cell['total_s']:.1f} s")
    if cell.get("width"):
        parts.append(f"{cell['width']}×{cell['height']}, {cell['duration_s']:g} s clip")
    return html.escape(" · ".join(parts))


def _cell(label: str, cell: dict[str, Any], hidden: bool, batch_id: str, file_url: Callable[[str], str]) -> str:
    """One clip (or where it stands). A hidden (blind) cell shows its letter and its bare status, nothing more:
    its log, error, queue and cost could each tell which endpoint it is."""
    caption = (f'<figcaption><span class="cmp-caption">{_caption(label, cell, hidden)}</span>'
               f'{"" if cell["status"] != "completed" else ENLARGE}</figcaption>')
    if cell["status"] == "completed" and cell.get("video_path"):
        source, key = html.escape(file_url(cell["video_path"]), quote=True), clip_key(batch_id, cell["cell"])
        return (f'<figure class="cmp-cell"><video muted playsinline preload="none" data-clip="{key}" src="{source}">'
                f"</video>{caption}</figure>")
    detail = cell["status"]
    if not hidden and cell.get("error"):
        detail += f": {cell['error']}"
    if cell["status"] == "queued" and cell.get("position") is not None:
        detail += f" (position {cell['position']})"
    return f'<figure class="cmp-cell"><div class="cmp-placeholder">{html.escape(detail)}</div>{caption}</figure>'


def _controls() -> str:
    speeds = "".join(f'<option value="{s}"{" selected" if s == 1 else ""}>{s}×</option>' for s in SPEEDS)
    return ('<div class="sync-controls">'
            '<button type="button" data-sync-action="play">▶ Play all</button>'
            '<button type="button" data-sync-action="pause">❚❚ Pause</button>'
            '<button type="button" data-sync-action="restart">⟲ From start</button>'
            '<label><input type="checkbox" data-sync-loop checked> Loop</label>'
            f'<label>Speed <select data-sync-speed>{speeds}</select></label>'
            '<input type="range" data-sync-seek min="0" max="1000" value="0" aria-label="Seek all">'
            '<span data-sync-time>0.00 s</span></div>')


def grid_html(snapshot: dict[str, Any] | None, blind: bool, revealed: set[str], file_url: Callable[[str], str]) -> str:
    """The whole grid; an empty-state hint before any comparison ran."""
    if not snapshot or not snapshot.get("cells"):
        return '<div class="cmp-empty">Run a comparison to see its clips here, side by side.</div>'
    sections = []
    for row, cells in rows(snapshot).items():
        hidden = blind and row not in revealed
        shown = shown_cells(snapshot, row, blind, revealed)
        prompt = html.escape(cells[0]["prompt"])
        title = html.escape(cells[0]["row_label"]) + (" · blind until you vote" if hidden else "")
        body = "".join(_cell(label, cell, hidden, snapshot["batch_id"], file_url) for label, cell in shown)
        columns = COLUMNS.get(len(shown), 4)
        sections.append(f'<section class="sync-group" data-row="{html.escape(row, quote=True)}">'
                        f'<header><b>{title}</b> <span class="cmp-prompt">{prompt}</span></header>{_controls()}'
                        f'<div class="cmp-cells" style="--cols: {columns}">{body}</div></section>')
    return f'<div class="cmp-grid" data-batch="{html.escape(snapshot["batch_id"], quote=True)}">{"".join(sections)}</div>'
