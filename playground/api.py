"""The named API: what `/catalog`, `/estimate`, `/snippets`, `/generate`, `/compare`, `/history`, `/vote`,
`/judge`, `/signals`, `/leaderboard` and `/decide` do, JSON text in and JSON out, for ``gradio_client`` users and the page's API tab.

Answers go out as the caller may see them (``shown``: on a public deployment, without server paths).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from concurrent.futures import BrokenExecutor
from pathlib import Path
from typing import Any

from playground.backends.registry import ALL, names
from playground.compare.comparisons import Comparisons
from playground.compare.judge_present import judgement_dict
from playground.compare.voting import lettered, row_key, row_name
from playground.decide import decide_in
from playground.decide_filters import SuiteScope, no_suites
from playground.errors import InputError, RunError
from playground.events import Queued, Submitted
from playground.launcher import Launcher
from playground.leaderboard import leaderboard
from playground.present import Answer, Progress, Shown, code_panes, event_text
from playground.record import RunRecord
from playground.request import parse_arguments
from playground.revisit import Revisits
from playground.text import is_blank
from playground.visitor import Visitor
from playground.votes import EVERY_JUDGE, by_judge


def _arguments(value: dict[str, Any] | str) -> dict[str, Any]:
    """Arguments as the API receives them (JSON text) or as the core passes them (a dict)."""
    return parse_arguments(value) if isinstance(value, str) else value


class NamedApi:
    """One method per named endpoint of the app."""

    def __init__(self, launcher: Launcher, comparisons: Comparisons, revisits: Revisits, shown: Shown):
        self.launcher, self.comparisons, self.revisits, self.shown = launcher, comparisons, revisits, shown
        self.suite_scope: SuiteScope = no_suites  # (suite, tag) → (batch ids, prompts): `/decide`'s suite and tag

    def vote(self, batch_id: str, row: str, choice: str, visitor: Visitor) -> dict[str, Any]:
        """One vote on a finished batch the caller may see: a clip letter, "tie" or "none" (all bad), by the
        caller's judge (the name given, else their sign-in, else their session: ``Visitor.judge``)."""
        return self.comparisons.voting.vote_by_id(batch_id, row, choice, visitor)

    def export_row(self, batch_id: str, row: str, audio: str | None, visitor: Visitor) -> Path:
        """A row of a finished batch of the caller's as one side-by-side MP4 (``audio``: a clip letter, or none)."""
        return self.comparisons.exports.by_id(batch_id, row, audio, visitor)

    def leaderboard(self, query: dict[str, Any] | str) -> list[dict[str, Any]]:
        """The leaderboard rows (``{"backend": <a backend's name, e.g. fal or offline> | "all", "judge": <a judge's
        name> | "everyone"}``, all by default), with the rating's 95 % interval as ``ci_low``/``ci_high``; missing
        figures are null."""
        asked = {} if isinstance(query, str) and is_blank(query) else _arguments(query)
        backend, judge = asked.get("backend", ALL), asked.get("judge", EVERY_JUDGE)
        allowed = [*names(), ALL]
        if not isinstance(judge, str):
            raise InputError([("judge", f'give a judge\'s name as text, or "{EVERY_JUDGE}"')])
        if any(k not in ("backend", "judge") for k in asked) or not isinstance(backend, str) or backend not in allowed:
            quoted = [f'"{name}"' for name in allowed]  # the names in double quotes, as JSON has them
            said = f'{{"backend": {quoted[0]}}}' + "".join(f", {q}" for q in quoted[1:-1]) + (
                f" or {quoted[-1]}" if len(quoted) > 1 else "")
            raise InputError([("backend", f"give {said} (or nothing for all)")])
        labels = self.launcher.catalog.short_labels()
        votes = by_judge(self.comparisons.votes.current(), judge)
        table = leaderboard(votes, self.launcher.runner.results.read(), labels, backend)
        rows: list[dict[str, Any]] = json.loads(table.to_json(orient="records"))  # NaN → null, numpy → JSON numbers
        return rows

    def decide(self, filters: dict[str, Any] | str) -> dict[str, Any]:
        """What the votes decide (``playground.decide``), filtered (``{}`` or "" for all; e.g. ``{"backend":
        "offline"}``): the best-populated pool's verdict, tie-classes, win matrix and points, and every pool's
        decision under ``pools``. An unknown key or a bad value is an InputError naming the key."""
        pools = [decision.as_dict() for decision in decide_in(
            self.launcher.catalog, self.comparisons.votes.current(), self.launcher.runner.results.read(), filters,
            self.suite_scope)]
        first = pools[0]
        return {"pool": first["pool"], "verdict": first["verdict"], "classes": first["classes"],
                "matrix": first["matrix"], "points": first["points"], "votes": first["votes"], "pools": pools}

    def catalog(self) -> list[dict[str, str]]:
        return [endpoint.summary() for endpoint in self.launcher.catalog.values()]

    def estimate(self, endpoint_id: str, arguments: dict[str, Any] | str) -> dict[str, Any]:
        return self.launcher.price(endpoint_id, _arguments(arguments))[2].as_dict()

    def snippets(self, endpoint_id: str, arguments: dict[str, Any] | str) -> dict[str, str]:
        """The Python, JavaScript and cURL code a tab shows for these arguments (not validated: a tab shows code for
        a form that is not finished yet)."""
        code = code_panes(self.launcher.endpoint(endpoint_id).endpoint_id,
                          self.launcher.inputs.to_data_uris(_arguments(arguments)))
        return {"python": code["Python"], "javascript": code["JavaScript"], "curl": code["cURL"]}

    async def generate(self, endpoint_id: str, arguments: dict[str, Any] | str,
                       visitor: Visitor) -> AsyncIterator[Progress | Answer]:
        """One run: its progress, then the `/generate` answer and its video (a failed run raises RunError)."""
        async for item in self.launcher.generate(endpoint_id, _arguments(arguments), visitor):
            if isinstance(item, RunRecord):
                yield Answer(self.shown(item.as_dict()), item.video_path)
                return
            yield Progress(0.0 if isinstance(item, (Submitted, Queued)) else 0.5, event_text(item))
        raise RunError("the run ended without a result")

    async def compare(self, spec: dict[str, Any] | str, visitor: Visitor) -> AsyncIterator[Progress | Answer]:
        """A whole comparison: cells finished so far, then the last snapshot (batch_id, cells, fairness, total_usd)."""
        final: dict[str, Any] = {}
        async for final in self.comparisons.run(parse_arguments(spec, "spec") if isinstance(spec, str) else spec,
                                                visitor):
            finished = sum(final["counts"].values())
            yield Progress((finished, len(final["cells"])), f"{finished} of {len(final['cells'])} cells finished")
        yield Answer(self.shown(final))

    async def judge(self, batch_id: str, row: str, judge: str, visitor: Visitor) -> dict[str, Any]:
        """A model judge on a row of a kept batch the caller may use (``row`` as "prompt index × seed", ``judge`` a
        name from the judges' list, empty for the default): its calls run (priced, capped, logged), then its verdict
        as `judgement_dict` says, clips named by the letters `/vote` uses, and the judge runs' ids."""
        snapshot = self.comparisons.kept.get(batch_id, visitor).snapshot
        key = row_key(snapshot, row)
        judging = self.comparisons.judging
        records = await judging.judge(snapshot, key, judge, visitor)
        name = judging.judges.get(judge).name
        verdict = judging.verdicts(snapshot.batch_id).get((snapshot.batch_id, key, name))
        letters = {cell.index: letter for letter, cell in lettered(snapshot, key)}
        answer = judgement_dict(verdict, letters) if verdict else {"judge": name, "pick": None, "clips": []}
        return self.shown({"batch_id": snapshot.batch_id, "row": row_name(key), **answer,
                           "runs": [{"run_id": r.run_id, "status": str(r.status), "error": r.error} for r in records]})

    async def signals(self, run_id: str, visitor: Visitor) -> dict[str, Any]:
        """A run's signals, as measured on its saved clip when it finished (measured now, off the serving process,
        for a run logged before signals were measured and whose clip is still here), each with its definition."""
        from playground.signals import DEFINITIONS

        run = self.revisits.record((run_id or "").strip(), visitor.owners)
        values: dict[str, Any] = {name: getattr(run, name) for name in DEFINITIONS}
        measured_now = False
        if run.sharpness is None and run.video_path and Path(run.video_path).is_file():
            try:
                measured = await self.launcher.runner.outputs.measure(Path(run.video_path))
            except (OSError, ValueError, BrokenExecutor) as exc:  # MediaError is a ValueError; no path is said
                why = (exc.strerror or "it cannot be read") if isinstance(exc, OSError) else (
                    "the measuring process died on it" if isinstance(exc, BrokenExecutor) else str(exc))
                raise InputError([("run", f"its saved clip could not be measured: {why}")]) from None
            values = {"motion": measured.probe.motion, **measured.signals.columns()}
            measured_now = True
        cuts = [int(frame) for frame in str(values.get("cuts") or "").split()]
        return self.shown({"run_id": run.run_id, **values, "cuts": cuts, "measured_now": measured_now,
                           "definitions": DEFINITIONS})

    def history(self, limit: float | str | None, visitor: Visitor) -> list[dict[str, Any]]:
        """The newest rows of the results log the caller may see (in public mode, only their own); ``limit`` as a
        number or its text (empty: 50)."""
        return [self.shown(row) for row in self.revisits.newest(history_limit(limit), visitor.owners)]


MAX_HISTORY_ROWS = 10_000


def history_limit(limit: float | str | None) -> int:
    """How many rows `/history` was asked for, or InputError naming ``limit``."""
    if limit is None or (isinstance(limit, str) and is_blank(limit)):
        return 50
    try:
        number = float(limit.strip() if isinstance(limit, str) else limit)
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(limit, bool) or not number.is_integer() or not 0 <= number <= MAX_HISTORY_ROWS:
        raise InputError([("limit", f"give a whole number of rows from 0 to {MAX_HISTORY_ROWS:,}, e.g. 50 "
                                    f"(got {str(limit)[:40]!r})")])
    return int(number)
