"""What model judges said about comparison rows, read back from their runs' rows in the results log.

A judge's call is a run (``Launcher.start_judge``): its row keeps the answer whole (``output_text``) and what it
judged (``judged``, a ``Subject``). Nothing else is stored, so a verdict is always the answer as fal gave it, read
strictly here each time it is shown (``playground.judging.verdict``): an answer that cannot be read stays that
clip's judge error with its raw text, and a run recovered after a crash is a verdict like any other. A person's
judging again makes a new attempt; the newest attempt of a judge on a row is the one that counts.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from playground.judging.verdict import Rubric, Unreadable, pick_from_rubrics, read_clip, read_row
from playground.record import RunRecord, Status
from playground.text import escape_surrogates
from playground.votes import ALL_BAD, COLUMNS, TIE

WHOLE_ROW = -1  # a Subject's ``clip`` when one call judged the whole row


@dataclass(frozen=True)
class Subject:
    """What one judge run judged: a row of a batch (its clips in the order the judge saw them, as cell indexes,
    the endpoints credited with them and whether each has sound), by which judge, in which attempt, and which of
    the clips this call was about (``WHOLE_ROW`` for all of them)."""

    batch: str
    row: str
    judge: str
    attempt: str
    clip: int
    cells: tuple[int, ...]
    endpoints: tuple[str, ...]
    sounds: tuple[bool, ...]
    backend: str = ""  # the backend that made the clips (the leaderboard's filter)
    prompt: str = ""
    seed: int | None = None

    def text(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def read(cls, text: str) -> Subject | None:
        """The subject a row's ``judged`` column holds; None when it holds none (a generation) or is not one."""
        try:
            raw: Any = json.loads(text) if text else None
            fields: dict[str, Any] = {name: escape_surrogates(value) if isinstance(value, str) else value
                                      for name, value in raw.items()}  # JSON's "\ud800" kept as its escape
            subject = cls(**{**fields, "cells": tuple(raw["cells"]), "sounds": tuple(raw["sounds"]),
                             "endpoints": tuple(escape_surrogates(e) for e in raw["endpoints"])})
        except (TypeError, ValueError, KeyError, AttributeError):
            return None
        same = len(subject.cells) == len(subject.endpoints) == len(subject.sounds)
        return subject if same and (subject.clip == WHOLE_ROW or 0 <= subject.clip < len(subject.cells)) else None


@dataclass(frozen=True)
class ClipVerdict:
    """A judge on one clip: its rubric, or what went wrong (the run's error, or why its answer could not be read,
    with the answer itself kept in ``raw``)."""

    cell: int
    endpoint_id: str
    rubric: Rubric | None = None
    problem: str = ""
    raw: str = ""
    pending: bool = False


@dataclass(frozen=True)
class RowJudgement:
    """A judge's newest verdict on a row: per clip, the pick (an endpoint id, ``tie``, ``none``; None: no pick),
    why, and what it cost (estimated; billed where fal said)."""

    judge: str
    attempt: str
    at: str
    clips: tuple[ClipVerdict, ...]
    pick: str | None
    why: str
    estimated_usd: float
    billed_usd: float | None
    subject: Subject = field(repr=False, compare=False, default=Subject("", "", "", "", WHOLE_ROW, (), (), ()))

    def for_cell(self, cell: int) -> ClipVerdict | None:
        return next((clip for clip in self.clips if clip.cell == cell), None)


def _records(results: pd.DataFrame) -> list[tuple[Subject, RunRecord]]:
    if results.empty or "judged" not in results:
        return []
    judged = results[results.judged.astype(str) != ""]
    pairs = []
    for row in judged.to_dict("records"):
        subject = Subject.read(str(row.get("judged", "")))
        if subject is not None:
            pairs.append((subject, RunRecord.from_row({str(name): value for name, value in row.items()})))
    return pairs


def _problem(run: RunRecord) -> str:
    return f"the judge run {run.status}: {run.error}" if run.error else f"the judge run {run.status}"


def _whole_row(subject: Subject, run: RunRecord) -> tuple[list[ClipVerdict], str | None, str]:
    """The verdicts and pick of one call that judged the whole row."""
    places = list(zip(subject.cells, subject.endpoints, strict=True))
    if run.status != Status.COMPLETED:
        return [ClipVerdict(c, e, problem=_problem(run)) for c, e in places], None, "the judge run did not complete"
    read = read_row(run.output_text, len(places), list(subject.sounds))
    if isinstance(read, Unreadable):
        return ([ClipVerdict(c, e, problem=f"unreadable answer: {read.why}", raw=read.raw) for c, e in places], None,
                "the answer could not be read")
    clips = [ClipVerdict(c, e, rubric=r) if isinstance(r, Rubric) else
             ClipVerdict(c, e, problem=f"unreadable verdict: {r.why}", raw=r.raw)
             for (c, e), r in zip(places, read.rubrics, strict=True)]
    pick = TIE if read.tie else ALL_BAD if read.none else subject.endpoints[read.best] if read.best is not None else None
    return clips, pick, read.reason


def _per_clip(subject: Subject, runs: dict[int, RunRecord]) -> tuple[list[ClipVerdict], str | None, str]:
    """The verdicts of one call per clip, and the pick their scores make (only when every clip was read)."""
    clips: list[ClipVerdict] = []
    rubrics: list[Rubric | Unreadable] = []
    called_off = any(run.status == Status.CANCELLED for run in runs.values())  # the rest were never sent
    for place, (cell, endpoint) in enumerate(zip(subject.cells, subject.endpoints, strict=True)):
        run = runs.get(place)
        if run is None:
            clips.append(ClipVerdict(cell, endpoint, pending=not called_off,
                                     problem="not judged: the row's calls were called off" if called_off else
                                     "not judged (yet)"))
            rubrics.append(Unreadable("", "not judged"))
        elif run.status != Status.COMPLETED:
            clips.append(ClipVerdict(cell, endpoint, problem=_problem(run)))
            rubrics.append(Unreadable("", "the judge run did not complete"))
        else:
            read = read_clip(run.output_text, subject.sounds[place])
            rubrics.append(read)
            clips.append(ClipVerdict(cell, endpoint, rubric=read) if isinstance(read, Rubric) else
                         ClipVerdict(cell, endpoint, problem=f"unreadable answer: {read.why}", raw=read.raw))
    best, why = pick_from_rubrics(rubrics)
    if best is None:
        return clips, TIE if why.startswith("tie") else None, why
    return clips, subject.endpoints[best], why


def _judgement(group: list[tuple[Subject, RunRecord]]) -> RowJudgement:
    subject = group[0][0]
    if subject.clip == WHOLE_ROW:
        clips, pick, why = _whole_row(subject, group[0][1])
    else:
        clips, pick, why = _per_clip(subject, {s.clip: run for s, run in group})
    billed = [run.billed_cost_usd for _, run in group]
    return RowJudgement(subject.judge, subject.attempt, max(run.created_at for _, run in group), tuple(clips), pick,
                        why, round(sum(run.estimated_cost_usd for _, run in group), 6),
                        None if None in billed else round(sum(b for b in billed if b is not None), 6), subject)


def judgements(results: pd.DataFrame, batch_id: str | None = None) -> dict[tuple[str, str, str], RowJudgement]:
    """(batch, row, judge) → that judge's newest verdict on that row (of one batch, or of every batch)."""
    attempts: dict[tuple[str, str, str, str], list[tuple[Subject, RunRecord]]] = {}
    for subject, run in _records(results):
        if batch_id is None or subject.batch == batch_id:
            attempts.setdefault((subject.batch, subject.row, subject.judge, subject.attempt), []).append((subject, run))
    newest: dict[tuple[str, str, str], tuple[bool, RowJudgement]] = {}
    for (batch, row, judge, _), group in attempts.items():
        judgement, counts = _judgement(group), not _called_off(group)
        earlier = newest.get((batch, row, judge))
        if earlier is None or (counts, judgement.at) > (earlier[0], earlier[1].at):
            newest[(batch, row, judge)] = (counts, judgement)
    return {key: judgement for key, (_, judgement) in newest.items()}


def _called_off(group: list[tuple[Subject, RunRecord]]) -> bool:
    """An attempt whose calls were called off before any answered (a later call of the row could not start): it
    does not replace the verdict before it."""
    return all(run.status == Status.CANCELLED for _, run in group)


def model_votes(results: pd.DataFrame) -> pd.DataFrame:
    """Every judge's picks as votes (the votes log's columns, ``judge`` the model judge's name): one per judge per
    row, from its newest verdict there when that made a pick (a newer attempt that failed leaves the row without
    one), for the leaderboard to rate apart from people's votes."""
    rows: list[dict[str, Any]] = []
    for (batch, row, judge), verdict in judgements(results).items():
        if verdict.pick is None:
            continue
        subject = verdict.subject
        rows.append({"vote_id": f"judge-{verdict.attempt}", "created_at": verdict.at, "batch_id": batch, "row": row,
                     "prompt": subject.prompt, "seed": "" if subject.seed is None else str(subject.seed),
                     "winner": verdict.pick, "candidates": json.dumps(list(subject.endpoints)), "blind": "false",
                     "backend": subject.backend, "judge": judge})
    return pd.DataFrame(rows, columns=COLUMNS).astype(str)
