"""Judging a finished batch: one vote per prompt × seed row — a clip, a tie (all equally good) or all bad.

The page votes on the batch it shows (blind letters as shuffled there); `/vote` on a batch kept on disk by its
id, naming the row as "prompt index × seed" and a clip by its letter in the order `/compare` listed the row's
cells (A first), or "tie" / "none". A vote on a row that has one changes it (the newest vote counts).

A clip fal served with another endpoint than the one asked (``served_by``) is credited to the endpoint that made
it: that is the model the person judged. A row where two clips came from one endpoint compares a model with
itself and takes no vote.
"""

from __future__ import annotations

import re
import string
from typing import Any

from playground.compare.cells import CellStatus
from playground.compare.grid import Labelled, shown_cells
from playground.compare.kept import KeptBatches
from playground.compare.present import ALL_BAD_CHOICE, TIE_CHOICE, vote_choices
from playground.compare.snapshot import BatchSnapshot
from playground.errors import InputError
from playground.presets import markdown_literal
from playground.visitor import Visitor
from playground.votes import ALL_BAD, TIE, Vote, VotesLog

ROW = re.compile(r"\s*p?(\d+)\s*(?:[×xX*,·]|-s|\s)\s*(?:seed\s*)?(\d+)\s*")
KEYS = {"0": TIE_CHOICE, "x": ALL_BAD_CHOICE}  # and 1–9: the clip in that place
WORDS = {TIE_CHOICE: TIE, ALL_BAD_CHOICE: ALL_BAD, TIE: TIE, ALL_BAD: ALL_BAD, "all bad": ALL_BAD}


class Voting:
    """Votes on batches, checked against what was on show."""

    def __init__(self, votes: VotesLog, kept: KeptBatches):
        self.votes, self.kept = votes, kept

    def revealed(self, snapshot: BatchSnapshot | None, judge: str = "") -> set[str]:
        """Rows of this batch that ``judge`` has voted on (blind mode shows them their labels; another judge's vote
        reveals nothing to them)."""
        return self.votes.voted_rows(snapshot.batch_id, judge) if snapshot else set()

    def choices(self, snapshot: BatchSnapshot | None, row: str, blind: bool, judge: str = "") -> list[str]:
        """What a vote on a row can say, as the page labels it: each finished clip, then tie and all bad."""
        return vote_choices(snapshot, row, blind, self.revealed(snapshot, judge)) if snapshot else []

    def vote(self, batch: BatchSnapshot | None, row: str, choice: str, blind: bool, judge: str = "") -> str:
        """Record ``judge``'s vote on a row as the page shows it; the message says what was recorded."""
        if batch is None or not batch.done:
            raise InputError([("vote", "run a comparison and let it finish first")])
        shown = self._on_show(shown_cells(batch, row, blind, self.revealed(batch, judge)))
        word = WORDS.get(choice)
        winner = None if word else next((cell for label, cell in shown if label == choice), None)
        if word is None and winner is None:
            raise InputError([("vote", f"choose one of {[label for label, _ in shown] + [TIE_CHOICE, ALL_BAD_CHOICE]}")])
        earlier = self.votes.vote_on(batch.batch_id, row, judge)
        self._record(batch, row, shown, word or (winner.credited if winner else ""), blind, judge)
        said = "Vote changed" if earlier else "Vote recorded"
        by = f" — as {judge_label(judge)}"
        row_label = shown[0][1].row_label
        if word == TIE:
            return f"{said}: a **tie** on {row_label} (half a win each){by}"
        if word == ALL_BAD:
            return f"{said}: **all bad** on {row_label} (left out of ratings, counted per endpoint){by}"
        assert winner is not None
        served = f", served by {winner.served_by}" if winner.served_by else ""
        return f"{said}: **{winner.label}**{served} wins {row_label}" + (f" (it was {choice})" if blind else "") + by

    def choice_for_key(self, snapshot: BatchSnapshot | None, row: str, key: str, blind: bool, judge: str = "") -> str:
        """The vote a key pressed on a row of the grid stands for: 1–9 the clip in that place (as the row shows
        them), 0 a tie, x all bad; InputError for any other key or a place with no clip."""
        if snapshot is None or not snapshot.done:
            raise InputError([("vote", "run a comparison and let it finish first")])
        shown = shown_cells(snapshot, row, blind, self.revealed(snapshot, judge))
        text = (key or "").strip().lower()
        if text in KEYS:
            return KEYS[text]
        if not (len(text) == 1 and "1" <= text <= "9"):
            raise InputError([("vote", "keys on the grid: 1–9 a clip, 0 a tie, x all bad")])
        if int(text) > len(shown):
            raise InputError([("vote", f"this row has {len(shown)} clip(s); key {text} picks none")])
        return shown[int(text) - 1][0]

    def vote_by_id(self, batch_id: str, row: str, choice: str, visitor: Visitor) -> dict[str, Any]:
        """`/vote`: a kept batch the caller may see; ``row`` as "prompt index × seed", ``choice`` a letter, tie or
        none; the vote is the caller's judge's (``Visitor.judge``). The answer: the vote's id, its row, winner and
        judge, the endpoints on show, and the vote of that judge's it replaced."""
        snapshot = self.kept.get(batch_id, visitor).snapshot
        key = row_key(snapshot, row)
        shown = self._on_show(lettered(snapshot, key))
        text = (choice or "").strip()
        word = WORDS.get(text.lower())
        letter = text.upper().removeprefix("CLIP ").strip()
        winner = None if word else next((cell for label, cell in shown if label == letter), None)
        if word is None and winner is None:
            raise InputError([("choice", f"a clip letter of this row ({[label for label, _ in shown]}), "
                                         f"\"{TIE}\" or \"{ALL_BAD}\"")])
        earlier = self.votes.vote_on(snapshot.batch_id, key, visitor.judge)
        vote = self._record(snapshot, key, shown, word or (winner.credited if winner else ""), False, visitor.judge)
        return {"vote_id": vote.vote_id, "batch_id": snapshot.batch_id, "row": row_name(key),
                "winner": vote.winner, "candidates": list(vote.candidates), "judge": vote.judge,
                "replaced": earlier.vote_id if earlier else ""}

    def _on_show(self, labelled: Labelled) -> Labelled:
        shown = [(label, cell) for label, cell in labelled if cell.status is CellStatus.COMPLETED]
        if len(shown) < 2:
            raise InputError([("vote", "needs at least two finished clips in this row")])
        makers: dict[str, str] = {}
        for label, cell in shown:
            other = makers.setdefault(cell.credited, label)
            if other != label:
                raise InputError([("vote", f"{label} was made by {cell.credited}, as was {other} (fal served a clip "
                                           "with another endpoint than asked): this row compares that model with "
                                           "itself, so it takes no vote")])
        return shown

    def _record(self, snapshot: BatchSnapshot, row: str, shown: Labelled, winner: str, blind: bool,
                judge: str) -> Vote:
        first = shown[0][1]
        return self.votes.record(Vote.cast(snapshot.batch_id, row, first.prompt, first.seed, winner,
                                           [cell.credited for _, cell in shown], blind, snapshot.backend, judge))


def judge_label(judge: str) -> str:
    """A judge as a message names them: a given name in bold; an id (``s-…``/``k-…``) as "this session"."""
    if not judge or judge.startswith("s-") and len(judge) == 18:
        return "this session (give your name above to sign your votes)"
    if judge.startswith("k-") and len(judge) == 18:
        return "the holder of this key"
    return f"**{markdown_literal(judge)}**"


def row_key(snapshot: BatchSnapshot, row: str) -> str:
    """"2 × 7" (or "2x7", "p2-s7") → the row's key in ``snapshot``, or InputError naming the rows there are."""
    match = ROW.fullmatch(row or "")
    key = f"p{int(match[1])}-s{int(match[2])}" if match else ""
    rows = snapshot.rows()
    if key not in rows:
        raise InputError([("row", f"give the row as prompt index × seed, one of {[row_name(k) for k in rows]}")])
    return key


def lettered(snapshot: BatchSnapshot, key: str) -> Labelled:
    """A row's cells as the API names them: A, B, … in the order `/compare` listed them."""
    return [(string.ascii_uppercase[i], cell) for i, cell in enumerate(snapshot.rows()[key])]


def row_name(key: str) -> str:
    """"p2-s7" as `/vote` takes it: "2 × 7"."""
    prompt, seed = key[1:].split("-s")
    return f"{prompt} × {seed}"
