"""The Leaderboard's "Model judges": each model judge's ratings beside people's, never pooled, and how often each
judge agrees with people on the rows both judged, so a person knows when a judge's verdict is worth trusting.

A model judge's vote is not a person's. Each judge (endpoint · model · instruction version) is rated from its own
votes alone, exactly as people's are (``leaderboard.standings``), and shown in its own columns beside people's.
Judges get short labels ("judge 1", "judge 2", …; not letters, which already name a row's clips) with a legend line
naming each in full: full names are too long for a column header on a phone. One wide table (an endpoint per row)
rather than a long one, because the question it answers is "does the judge rank the endpoints as people do?", read
across a row; with a rating and its interval per rater it stays narrow enough for one or two judges on a phone.
"""

from __future__ import annotations

import re

import pandas as pd

from playground.agreement import Agreement, agreement
from playground.leaderboard import JudgeBoard, standings
from playground.record import COLUMNS as RESULT_COLUMNS
from playground.text import escape_surrogates

ALL = "all"  # the backend filter that keeps every backend (as ``standings`` takes it)
ROW = ["batch_id", "row"]  # how a judge's vote and a person's are matched to one comparison row
ENOUGH_PAIRS = 10  # below this many pairs the share's 95 % interval spans over half the scale: too few to say
# Landis & Koch (1977), "The measurement of observer agreement for categorical data": each band's lower bound.
KAPPA_BANDS = ((-1.0, "poor"), (0.0, "slight"), (0.21, "fair"), (0.41, "moderate"), (0.61, "substantial"),
               (0.81, "almost perfect"))
AGREEMENT_COLUMNS = ["judge", "rows", "pairs", "agreed", "agree %", "agree 95 %", "kappa", "kappa 95 %"]
PEOPLE = "people"
LONGEST_NAME = 200  # a judge's full name in the legend is cut after this many characters


def _on_backend(votes: pd.DataFrame, backend: str) -> pd.DataFrame:
    return votes if backend == ALL or votes.empty else votes[votes.backend == backend]


def short_labels(models: pd.DataFrame) -> dict[str, str]:
    """Each model judge's full name → its short label, numbered in the order of the full names (so a judge keeps
    its label while the others stay)."""
    return {name: f"judge {i}" for i, name in enumerate(sorted(set(models.judge)), start=1)}


def _standing(votes: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """endpoint_id → rating and its interval, from these votes alone (no runs: costs play no part here)."""
    table, _ = standings(votes, pd.DataFrame(columns=RESULT_COLUMNS), labels)
    return table.set_index("endpoint_id")[["bt_rating", "ci_low", "ci_high"]]


def _span(low: float, high: float, digits: int) -> str:
    """An interval as text, "980–1100" ('' when there is none)."""
    return "" if pd.isna(low) or pd.isna(high) else f"{low:.{digits}f}–{high:.{digits}f}"


def side_by_side(people: pd.DataFrame, judged: dict[str, pd.DataFrame], labels: dict[str, str]) -> pd.DataFrame:
    """One row per endpoint: people's rating and its 95 % interval, then each judge's (``judged``: short label →
    that judge's votes), each fitted on its own votes. People's best first; an endpoint only a judge rated after."""
    fitted = {PEOPLE: _standing(people, labels), **{name: _standing(votes, labels) for name, votes in judged.items()}}
    order: list[str] = []
    for table in fitted.values():
        order += [endpoint for endpoint in table.index if endpoint not in order]
    side = pd.DataFrame({"endpoint": [labels.get(endpoint, endpoint) for endpoint in order]})
    for name, table in fitted.items():
        aligned = table.reindex(order)
        side[name] = aligned.bt_rating.to_numpy(dtype="float64")
        side[f"{name} 95 %"] = [_span(low, high, 0) for low, high in zip(aligned.ci_low, aligned.ci_high, strict=True)]
    return side


def pairs(judge: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """(the judge's pick, a person's pick) for every person who voted on a row the judge also judged, rows matched
    on (batch_id, row): a row judged by three people gives three pairs, each person's pick weighed alike. Columns
    batch_id, row, judge_pick, person_pick."""
    if judge.empty or people.empty:
        return pd.DataFrame(columns=[*ROW, "judge_pick", "person_pick"])
    picks = judge[[*ROW, "winner"]].drop_duplicates(ROW, keep="last").rename(columns={"winner": "judge_pick"})
    return picks.merge(people[[*ROW, "winner"]].rename(columns={"winner": "person_pick"}), on=ROW)


def kappa_band(kappa: float) -> str:
    """Landis & Koch's word for a kappa, read at the two decimals it is shown with."""
    shown = round(kappa, 2)
    return next((name for low, name in reversed(KAPPA_BANDS) if shown >= low), KAPPA_BANDS[0][1])


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


def _percent(share: float | None) -> str:
    return "" if share is None else f"{100 * share:.0f}"


def reading(found: Agreement, rows: int) -> str:
    """How far people can trust a judge, in one line: its agreement and kappa with their intervals, or why not."""
    if found.rows == 0:
        return "has judged no row people voted on yet."
    said = f"{_count(found.rows, 'pick')} over {_count(rows, 'row')} both judged"
    if found.rows < ENOUGH_PAIRS:
        return f"too few rows both judged to say ({said}; fewer than {ENOUGH_PAIRS} picks)."
    share = (f"agrees with people on {found.agreed} of {said} ({_percent(found.share)} %, 95 %: "
             f"{_percent(found.share_low)}–{_percent(found.share_high)} %)")
    if found.kappa is None or found.kappa_low is None or found.kappa_high is None:
        return f"{share}; no kappa: the judge and people gave one and the same answer throughout."
    chance = ("better than chance" if found.kappa_low > 0 else "worse than chance" if found.kappa_high < 0
              else "not clearly better than chance")
    return (f"{share}; kappa {found.kappa:.2f} ({found.kappa_low:.2f} to {found.kappa_high:.2f}): "
            f"{kappa_band(found.kappa)} — {chance}.")


def _agreement_row(label: str, both: pd.DataFrame) -> tuple[dict[str, object], str]:
    found = agreement(zip(both.judge_pick, both.person_pick, strict=True))
    rows = len(both[ROW].drop_duplicates())
    kappa_span = "" if found.kappa_low is None else f"{found.kappa_low:.2f} to {found.kappa_high:.2f}"
    row: dict[str, object] = {
        "judge": label, "rows": rows, "pairs": found.rows, "agreed": found.agreed,
        "agree %": float("nan") if found.share is None else round(100 * found.share, 1),
        "agree 95 %": "" if found.share is None else f"{_percent(found.share_low)}–{_percent(found.share_high)}",
        "kappa": float("nan") if found.kappa is None else round(found.kappa, 2), "kappa 95 %": kappa_span}
    return row, reading(found, rows)


def _markdown(name: str) -> str:
    """A judge's name as plain text in Markdown: one line of at most ``LONGEST_NAME`` characters, its markup
    characters escaped (a lone surrogate as its escape: the page could not carry it)."""
    line = " ".join(escape_surrogates(name).split())
    line = line if len(line) <= LONGEST_NAME else line[:LONGEST_NAME - 1] + "…"
    return re.sub(r"([\\`*_{}\[\]()<>#+!|~-])", r"\\\1", line)


def judge_board(people: pd.DataFrame, models: pd.DataFrame | None, labels: dict[str, str],
                backend: str = ALL) -> JudgeBoard:
    """The Model judges section from people's current votes and the model judges' votes (``Vote`` rows, one per
    judge per row; None or empty: no judge yet), both kept to ``backend`` here whatever the caller did."""
    people, models = _on_backend(people, backend), _on_backend(models if models is not None else people[:0], backend)
    if models.empty:
        return JudgeBoard()
    names = short_labels(models)
    judged = {label: models[models.judge == name] for name, label in names.items()}
    rows, lines = [], []
    for name, label in names.items():
        row, said = _agreement_row(label, pairs(judged[label], people))
        rows.append(row)
        lines.append(f"- **{label}** = {_markdown(name)} ({_count(len(judged[label]), 'row')} judged): {said}")
    return JudgeBoard(side_by_side(people, judged, labels),
                      pd.DataFrame(rows, columns=AGREEMENT_COLUMNS).astype({"agree %": "float64", "kappa": "float64"}),
                      "\n".join(lines))
