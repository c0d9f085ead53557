"""The comparison grid as HTML: one synced player row per prompt × seed (the page's sync_grid.js drives it,
judging.js adds enlarge, sound, wipe and the vote keys; this file only says what each row holds).

Blind mode shuffles each row in an order fixed by the batch and row (so re-renders agree with the vote
choices) and shows only "Clip A, B, …" — no endpoint, cost or timing — until that row has been voted on. Nothing
else that differs by tier shows before the vote either: a row whose clips differ in sound offers no sound
controls, and a row whose clips differ in length plays them all on the shortest one's span, unannounced.
"""

from __future__ import annotations

import hashlib
import html
import random
import string
from collections.abc import Callable

from playground.compare.cells import BatchCell, CellStatus
from playground.compare.judge_present import clip_verdicts_html, row_verdicts_html
from playground.compare.snapshot import BatchSnapshot
from playground.compare.verdicts import RowJudgement
from playground.signal_board import signals_line

SPEEDS = (0.25, 0.5, 1, 1.5, 2)
Labelled = list[tuple[str, BatchCell]]  # a row's cells, each with the label it shows under


def blind_order(batch_id: str, row: str, cells: list[BatchCell]) -> Labelled:
    """("Clip A", cell)… in a shuffled order that is the same every time for this batch and row."""
    shuffled = list(cells)
    random.Random(f"{batch_id}/{row}").shuffle(shuffled)
    return [(f"Clip {string.ascii_uppercase[i]}", cell) for i, cell in enumerate(shuffled)]


def shown_cells(snapshot: BatchSnapshot, row: str, blind: bool, revealed: set[str]) -> Labelled:
    """(label, cell) for a row as the page shows it: blind letters until revealed, then the endpoint beside its
    letter in the same order (the clips do not move when a vote reveals them); plan order with names otherwise."""
    cells = snapshot.rows().get(row, [])
    if not blind:
        return [(cell.label, cell) for cell in cells]
    shuffled = blind_order(snapshot.batch_id, row, cells)
    if row in revealed:
        return [(f"{cell.label} ({letter})", cell) for letter, cell in shuffled]
    return shuffled


ENLARGE = '<button type="button" data-enlarge aria-pressed="false">⤢ Enlarge</button>'
SOUND = ('<button type="button" data-sound aria-pressed="false" title="Sound on or off for this clip">Sound: off'
         '</button><button type="button" data-solo aria-pressed="false" title="Hear only this clip">Solo</button>')
SILENT = '<button type="button" disabled title="This clip has no sound track">No sound</button>'
SOUND_AFTER_VOTE = ('<button type="button" disabled title="Some clips of this row have sound and some do not: that '
                    'would tell them apart, so sound is offered once you vote">Sound after your vote</button>')
SAME_LENGTH_S = 0.05  # clips closer than about a frame in length play in plain time
COLUMNS = {1: 1, 2: 2, 3: 3, 4: 2, 5: 3, 6: 3}  # clips in a row → columns that keep tiles large and rows even


def clip_key(batch_id: str, index: int) -> str:
    """An opaque, stable name for a cell (the page keeps a loaded clip by it; a choice list sends it back)."""
    return hashlib.sha256(f"{batch_id}/{index}".encode()).hexdigest()[:16]


def _caption(label: str, cell: BatchCell, hidden: bool) -> str:
    if hidden:
        return html.escape(label)
    run = cell.run
    parts = [label, f"seed {cell.seed}", f"${run.estimated_cost_usd:.4f}"]
    if run.billed_cost_usd is not None:
        parts.append(f"billed ${run.billed_cost_usd:.4f}")
    if run.served_by:
        parts.append(f"⚠️ served by {run.served_by}")
    if run.total_s is not None:
        parts.append(f"{run.total_s:.1f} s")
    if run.width:
        parts.append(f"{run.width}×{run.height}, {run.duration_s:g} s clip")
    if measured := signals_line(run):
        parts.append(measured)
    return html.escape(" · ".join(parts))


def _has_audio(cell: BatchCell) -> bool:
    return cell.run.has_audio is True


def _buttons(cell: BatchCell, blind_sound: bool) -> str:
    """Enlarge, and sound and solo for a clip that has a sound track (1.5 Pro and 2.0 make one); on a blind row
    whose clips differ in sound (``blind_sound``), the same neutral button on every clip."""
    if cell.status is not CellStatus.COMPLETED:
        return ""
    if blind_sound:
        return ENLARGE + SOUND_AFTER_VOTE
    return ENLARGE + (SOUND if _has_audio(cell) else SILENT)


def _cell(label: str, cell: BatchCell, hidden: bool, batch_id: str, file_url: Callable[[str], str],
          vote_key: str, blind_sound: bool = False, judged: str = "") -> str:
    """One clip (or where it stands), with the key that votes for it when the row takes votes. A hidden (blind)
    cell shows its letter and its bare status, nothing more: its log, error, queue and cost could each tell
    which endpoint it is."""
    badge = (f'<kbd title="Press {vote_key} to vote for this clip">{vote_key}</kbd>' if vote_key and cell.playable
             else "<kbd hidden></kbd>")
    caption = (f'<figcaption>{badge}<span class="cmp-caption">{_caption(label, cell, hidden)}</span>'
               f'{_buttons(cell, blind_sound)}</figcaption>')
    if cell.playable:
        source, key = html.escape(file_url(cell.run.video_path), quote=True), clip_key(batch_id, cell.index)
        return (f'<figure class="cmp-cell"><video muted playsinline preload="none" data-clip="{key}" src="{source}">'
                f"</video>{caption}{judged}</figure>")
    detail = cell.status.value
    if not hidden and cell.error:
        detail += f": {cell.error}"
    if cell.status is CellStatus.QUEUED and cell.position is not None:
        detail += f" (position {cell.position})"
    return (f'<figure class="cmp-cell"><div class="cmp-placeholder">{html.escape(detail)}</div>{caption}{judged}'
            "</figure>")


def _wipe(shown: Labelled, batch_id: str) -> str:
    """Two clips of the row over one another, a divider to drag between them: which two (the first two at first)."""
    done = [(label, clip_key(batch_id, cell.index)) for label, cell in shown if cell.playable]
    if len(done) < 2:
        return ""
    sides = "".join(
        f'<select data-wipe-side="{side}" aria-label="{name} of the wipe">' + "".join(
            f'<option value="{key}"{" selected" if n == pick else ""}>{html.escape(label)}</option>'
            for n, (label, key) in enumerate(done)) + "</select>"
        for side, name, pick in (("a", "Left", 0), ("b", "Right", 1)))
    return (f'<button type="button" data-wipe aria-pressed="false" title="Two clips over one another, a divider to '
            f'drag between them">◧ Wipe</button><span class="wipe-pick">{sides}</span>')


def timing_note(cells: list[BatchCell]) -> str:
    """What the row says when its clips differ in length or frame rate ('' when they agree): then they play on
    normalised time, each at the same fraction of its own length, rather than the shorter ones stopping early."""
    done = [cell.run for cell in cells if cell.playable]
    lengths = sorted({round(run.duration_s, 2) for run in done if run.duration_s})
    rates = sorted({round(run.fps, 2) for run in done if run.fps})
    differs = []
    if lengths and lengths[-1] - lengths[0] > SAME_LENGTH_S:
        differs.append("length (" + ", ".join(f"{v:g} s" for v in lengths) + ")")
    if len(rates) > 1:
        differs.append("frame rate (" + ", ".join(f"{v:g} fps" for v in rates) + ")")
    if not differs:
        return ""
    return ("Clips differ in " + " and ".join(differs) + ": synced on normalised time, each clip at the same "
            "fraction of its own length")


def _controls(wipe: str) -> str:
    speeds = "".join(f'<option value="{s}"{" selected" if s == 1 else ""}>{s}×</option>' for s in SPEEDS)
    return ('<div class="sync-controls">'
            '<button type="button" data-sync-action="play">▶ Play all</button>'
            '<button type="button" data-sync-action="pause">❚❚ Pause</button>'
            '<button type="button" data-sync-action="restart">⟲ From start</button>'
            '<label><input type="checkbox" data-sync-loop checked> Loop</label>'
            f'<label>Speed <select data-sync-speed>{speeds}</select></label>'
            '<input type="range" data-sync-seek min="0" max="1000" value="0" aria-label="Seek all">'
            f'<span data-sync-time>0.00 s</span>{wipe}</div>')


def _note(note: str) -> str:
    return f'<p class="sync-note"{"" if note else " hidden"}>{html.escape(note)}</p>'


def _keys(shown: Labelled, keyed: bool, voted: bool) -> str:
    if not keyed:
        return '<p class="vote-keys" hidden></p>'
    how = (f'<kbd>1</kbd>–<kbd>{min(len(shown), 9)}</kbd> the clip, <kbd>0</kbd> a tie, <kbd>x</kbd> all bad '
           '(click the row first)')
    return (f'<p class="vote-keys">Voted: change your vote with the keys: {how}</p>' if voted else
            f'<p class="vote-keys">Vote with the keys: {how}</p>')


def grid_html(snapshot: BatchSnapshot | None, blind: bool, revealed: set[str],
              file_url: Callable[[str], str], votes: bool = False,
              verdicts: dict[str, list[RowJudgement]] | None = None) -> str:
    """The whole grid; an empty-state hint before any comparison ran. With ``votes`` (a finished batch on the
    Compare tab), each row not yet voted on names the keys that vote on it.

    A vote can be changed, so a voted row keeps its keys (and says it was voted on).

    Every row has the same elements in the same places whatever it says (empty ones hidden): Gradio patches
    the grid's HTML position by position, and an element that moves is replaced, which stops its clips."""
    if snapshot is None or not snapshot.cells:
        return '<div class="cmp-empty">Run a comparison to see its clips here, side by side.</div>'
    sections = []
    for row, cells in snapshot.rows().items():
        hidden = blind and row not in revealed
        shown = shown_cells(snapshot, row, blind, revealed)
        keyed = votes and sum(cell.playable for _, cell in shown) >= 2
        prompt = html.escape(cells[0].prompt)
        title = html.escape(cells[0].row_label) + (" · blind until you vote" if hidden else "")
        done = [cell for cell in cells if cell.playable]
        blind_sound = hidden and len({_has_audio(cell) for cell in done}) > 1
        judged = (verdicts or {}).get(row, [])
        body = "".join(_cell(label, cell, hidden, snapshot.batch_id, file_url, str(n) if keyed and n <= 9 else "",
                             blind_sound, clip_verdicts_html(judged, cell.index, hidden))
                       for n, (label, cell) in enumerate(shown, 1))
        picks = row_verdicts_html(judged, {cell.index: label for label, cell in shown}, hidden)
        note = timing_note(cells)
        mode = ("shortest" if hidden else "normalised") if note else "plain"
        columns = COLUMNS.get(len(shown), 4)
        sections.append(f'<section class="sync-group" tabindex="0" data-row="{html.escape(row, quote=True)}"'
                        f' data-sync="{mode}"{" data-votes" if keyed else ""}>'
                        f'<header><b>{title}</b> <span class="cmp-prompt">{prompt}</span></header>'
                        f'{_note("" if hidden else note)}'
                        f'{_keys(shown, keyed, row in revealed)}{picks}{_controls(_wipe(shown, snapshot.batch_id))}'
                        f'<div class="cmp-cells" style="--cols: {columns}">{body}</div></section>')
    return f'<div class="cmp-grid" data-batch="{html.escape(snapshot.batch_id, quote=True)}">{"".join(sections)}</div>'
