"""Model judges' verdicts as the grid and `/judge` show them: always labelled as a model's, kept apart from votes,
and on a blind row only once the person has voted on it (a verdict names what it liked, which would tell)."""

from __future__ import annotations

import html
from typing import Any

from playground.compare.verdicts import WHOLE_ROW, ClipVerdict, RowJudgement
from playground.judging.verdict import Rubric, Score
from playground.record import RunRecord, Status
from playground.votes import ALL_BAD, TIE

AXES = ("adherence", "artifacts", "motion", "sound")
RAW_SHOWN = 2000  # characters of an unreadable answer shown on the page (all of it is in the results log)
RAW_ANSWERED = 20_000  # and given by /judge, with its whole length (``raw_chars``)
TAG = '<b class="judge-tag">Model judge</b>'  # what marks a model's verdict apart from people's votes (page.css)


def _scores(rubric: Rubric) -> list[tuple[str, Score]]:
    scores = [(axis, getattr(rubric, axis)) for axis in AXES]
    return [(axis, score) for axis, score in scores if score is not None]


def _clip_html(judge: str, verdict: ClipVerdict) -> str:
    name = html.escape(judge)
    if verdict.pending:  # its call has not ended yet (another event redrew the grid meanwhile): no error
        return f'<div class="judge-verdict judge-pending">{TAG} {name}: judging…</div>'
    if verdict.rubric is None:
        raw = (f"<details><summary>the judge's answer, as it came</summary><pre>{html.escape(verdict.raw[:RAW_SHOWN])}"
               "</pre></details>" if verdict.raw else "")
        return (f'<div class="judge-verdict judge-error">{TAG} {name}: '
                f"{html.escape(verdict.problem)}{raw}</div>")
    rubric = verdict.rubric
    items = "".join(f"<li><b>{axis} {score.score}/5</b> {html.escape(score.reason)}</li>"
                    for axis, score in _scores(rubric))
    elements = []
    if rubric.present:
        elements.append("present: " + ", ".join(rubric.present))
    if rubric.missing:
        elements.append("missing: " + ", ".join(rubric.missing))
    listed = f'<li class="judge-elements">{html.escape(" · ".join(elements))}</li>' if elements else ""
    return (f'<div class="judge-verdict">{TAG} {name}: <b class="judge-mean">{rubric.mean:.1f}/5</b>'
            f"<ul>{items}{listed}</ul></div>")


def clip_verdicts_html(judgements: list[RowJudgement], cell: int, hidden: bool) -> str:
    """Under one clip: each judge's rubric for it (or its judge error with the raw answer); an empty, hidden box when
    there is none or the row is blind for this person (the box stays, so the grid's HTML keeps its shape)."""
    parts = [] if hidden else [_clip_html(j.judge, v) for j in judgements if (v := j.for_cell(cell)) is not None]
    return f'<div class="cmp-judge"{"" if parts else " hidden"}>{"".join(parts)}</div>'


def _pick_words(judgement: RowJudgement, labels: dict[int, str]) -> str:
    """The pick in the page's words: clips by the labels under them, never by the judge's numbers (it saw the row in
    the blind order, which a row shown with names does not follow)."""
    per_clip, cells = judgement.subject.clip != WHOLE_ROW, judgement.subject.cells
    if judgement.pick is None and any(v.pending for v in judgement.clips):
        return "no pick yet: still judging"
    if judgement.pick is None:
        unread = [labels.get(v.cell, v.endpoint_id) for v in judgement.clips if v.rubric is None]
        if per_clip and unread:
            return f"no pick: no readable verdict on {', '.join(unread)}"
        return f"no pick ({judgement.why})" if judgement.why else "no pick"
    if judgement.pick == TIE:
        return "a tie: the same top mean score" if per_clip else "a tie"
    if judgement.pick == ALL_BAD:
        return "all bad"
    endpoints = judgement.subject.endpoints
    cell = cells[endpoints.index(judgement.pick)] if judgement.pick in endpoints else None
    label = labels.get(cell, judgement.pick) if cell is not None else judgement.pick
    verdict = judgement.for_cell(cell) if cell is not None else None
    if per_clip and verdict is not None and verdict.rubric is not None:
        return f"picks {label}: the highest mean score, {verdict.rubric.mean:.1f}/5"
    return f"picks {label}"


def _reason(judgement: RowJudgement, labels: dict[int, str]) -> str:
    """A whole-row judge's own reason, quoted; with how it numbered the clips when the page shows them otherwise."""
    if judgement.subject.clip != WHOLE_ROW or judgement.pick is None or not judgement.why:
        return ""
    cells = judgement.subject.cells
    numbering = ("" if list(cells) == list(labels) else " (its clips: " + ", ".join(
        f"{n} = {labels.get(cell, '?')}" for n, cell in enumerate(cells, 1)) + ")")
    return f" — its reason: “{judgement.why}”{numbering}"


def _unseen(judgement: RowJudgement, labels: dict[int, str]) -> str:
    """Which of the row's clips the verdict did not see (added by an extension after it judged, or not finished),
    so its pick is not read as made among them."""
    unseen = [label for cell, label in labels.items() if cell not in judgement.subject.cells]
    return (f" — judged {len(judgement.subject.cells)} of this row's {len(labels)} clips (not {', '.join(unseen)})"
            if unseen else "")


def _cost(judgement: RowJudgement) -> str:
    billed = f", billed ${judgement.billed_usd:.4f}" if judgement.billed_usd is not None else ""
    return f"estimated ${judgement.estimated_usd:.4f}{billed}"


def row_verdicts_html(judgements: list[RowJudgement], labels: dict[int, str], hidden: bool) -> str:
    """Above a row's clips: each judge's pick, why and what it cost; on a blind row not yet voted on, only that
    verdicts wait for the vote. ``labels``: cell → the label under it, in the order the row shows them."""
    if not judgements:
        return '<p class="judge-row" hidden></p>'
    if hidden:
        return (f'<p class="judge-row">{TAG} {len(judgements)} verdict(s) on this row: shown once you vote, so '
                "they cannot sway you.</p>")
    lines = [f"{TAG} {html.escape(j.judge)}: <b>{html.escape(_pick_words(j, labels))}</b>"
             f"{html.escape(_reason(j, labels) + _unseen(j, labels))} <span class=\"judge-cost\">· {_cost(j)}</span>"
             for j in judgements]
    return f'<p class="judge-row">{"<br>".join(lines)}</p>'


def rubric_dict(rubric: Rubric) -> dict[str, Any]:
    return {"present": list(rubric.present), "missing": list(rubric.missing), "mean": round(rubric.mean, 3),
            **{axis: {"score": score.score, "reason": score.reason} for axis, score in _scores(rubric)}}


def judgement_dict(judgement: RowJudgement, letters: dict[int, str]) -> dict[str, Any]:
    """`/judge`'s answer: the judge, its pick (an endpoint id, tie, none or null) and why, the cost, and per clip
    (by the letter `/vote` uses) its rubric, or its error with the judge's raw answer."""
    return {"judge": judgement.judge, "pick": judgement.pick, "why": judgement.why,
            "estimated_usd": judgement.estimated_usd, "billed_usd": judgement.billed_usd,
            "clips": [{"clip": letters.get(v.cell, ""), "endpoint_id": v.endpoint_id,
                       "rubric": rubric_dict(v.rubric) if v.rubric else None, "error": v.problem,
                       "raw": v.raw[:RAW_ANSWERED], "raw_chars": len(v.raw)} for v in judgement.clips]}


def judged_said(records: list[RunRecord]) -> str:
    """What the page says once a judge's calls have ended: how many did, what they cost, what failed (the verdicts
    themselves are under the clips)."""
    done = sum(record.status == Status.COMPLETED for record in records)
    estimated = sum(record.estimated_cost_usd for record in records)
    billed = [record.billed_cost_usd for record in records]
    cost = f"estimated ${estimated:.4f}" + (f", billed ${sum(b for b in billed if b is not None):.4f}"
                                             if billed and None not in billed else "")
    failed = [f"{record.status}: {record.error}" for record in records if record.status != Status.COMPLETED]
    said = f"Model judge: {done} of {len(records)} call(s) answered · {cost}."
    return said + (" Failed: " + "; ".join(failed) if failed else "")
