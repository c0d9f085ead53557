"""What a decision is made from: the filters `/decide` takes (``Filters``) and the votes and runs they keep.

A filter narrows the votes (and the runs whose costs are counted) before they are pooled: by backend (as the
leaderboard does), by the day or moment a vote was given (``since``/``until`` on ``created_at``, UTC; a bare date
covers that whole day), by judge (a person's name, or everyone: model judges' picks are not in the votes log, so
they never pool with people's), by pool (``mode``, ``sound``), and by prompt suite or tag, which the caller
resolves into the batches and prompt texts they cover (``SuiteScope``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pandas as pd

from playground.backends.registry import ALL, names
from playground.catalog.modes import MODE_NAMES
from playground.errors import InputError
from playground.text import escape_surrogates, is_blank, surrogate_problem
from playground.votes import EVERY_JUDGE, by_judge

WITH_SOUND, SILENT, MIXED_SOUND, UNKNOWN_SOUND = "with sound", "silent", "mixed sound", "unknown sound"
SOUNDS = (WITH_SOUND, SILENT, MIXED_SOUND, UNKNOWN_SOUND)
MAX_TEXT = 200  # a suite's name, a tag or a judge's name longer than this is not one

Scope = tuple[frozenset[str] | None, frozenset[str] | None]  # (batch ids, prompt texts); None: no filter
SuiteScope = Callable[[str, str], Scope]  # (suite, tag) → the batches and prompts they cover


def no_suites(suite: str, tag: str) -> Scope:
    """The suite hook before prompt suites exist: nothing to resolve, so asking for a suite or tag is refused
    rather than silently ignored."""
    if suite or tag:
        raise InputError([("suite" if suite else "tag", "this app has no prompt suites yet")])
    return None, None


def _text(key: str, value: Any, default: str) -> str:
    if value is None:
        return default
    if not isinstance(value, str):
        raise InputError([(key, f"give text (got {type(value).__name__})")])
    if problem := surrogate_problem(value):
        raise InputError([(key, problem)])
    if len(value) > MAX_TEXT:
        raise InputError([(key, f"is {len(value):,} characters long; at most {MAX_TEXT} are allowed")])
    return default if is_blank(value) else value.strip()


def _moment(key: str, text: str) -> datetime | None:
    """A date ("2026-01-31") or an ISO date and time; UTC unless it says otherwise."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError([(key, f'give a date as YYYY-MM-DD (e.g. "2026-01-31") or an ISO date and time, or nothing '
                                f"for no limit (got {escape_surrogates(text)[:40]!r})")]) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _choice(key: str, text: str, allowed: tuple[str, ...]) -> str:
    if text and text not in allowed:
        said = ", ".join(f'"{name}"' for name in allowed)
        raise InputError([(key, f"give one of {said}, or nothing for every one (got {text[:40]!r})")])
    return text


@dataclass(frozen=True)
class Filters:
    """What `/decide` takes as JSON (``{}`` for all). ``""`` for ``mode`` or ``sound`` means every pool."""

    backend: str = ALL
    since: str = ""  # ISO dates on the vote's created_at (UTC), both ends included
    until: str = ""
    suite: str = ""  # a prompt suite's name / a prompt tag, resolved by the caller (``SuiteScope``)
    tag: str = ""
    judge: str = EVERY_JUDGE
    mode: str = ""
    sound: str = ""

    @classmethod
    def parse(cls, raw: dict[str, Any] | str | None) -> Filters:
        """Filters from JSON text or a dict; an unknown key or a bad value is an InputError naming the key."""
        if raw is None or isinstance(raw, str) and is_blank(raw):
            return cls()
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError as exc:
                raise InputError([("filters", f'give a JSON object, e.g. {{"backend": "offline"}} ({{}} for all): '
                                              f"{exc}")]) from None
        if not isinstance(raw, dict):
            raise InputError([("filters", f'give a JSON object, e.g. {{"backend": "offline"}} ({{}} for all), '
                                          f"not {type(raw).__name__}")])
        known = [f for f in cls.__dataclass_fields__]
        for key in raw:
            if key not in known:
                shown = escape_surrogates(str(key))[:40]
                raise InputError([(shown or '""', f"is not a filter; the filters are {', '.join(known)}")])
        text = {key: _text(key, raw.get(key), getattr(cls, key)) for key in known}
        allowed = (*names(), ALL)
        if text["backend"] not in allowed:
            said = ", ".join(f'"{name}"' for name in allowed)
            raise InputError([("backend", f"give one of {said} (got {text['backend'][:40]!r})")])
        filters = cls(text["backend"], text["since"], text["until"], text["suite"], text["tag"], text["judge"],
                      _choice("mode", text["mode"], MODE_NAMES), _choice("sound", text["sound"], SOUNDS))
        start, stop = filters.window()
        if start is not None and stop is not None and stop <= start:
            raise InputError([("until", f"ends before since begins ({filters.until} is before {filters.since})")])
        return filters

    def window(self) -> tuple[datetime | None, datetime | None]:
        """[start, stop): the moments kept (None: open). ``until`` as a bare date keeps all of that day."""
        start, stop = _moment("since", self.since), _moment("until", self.until)
        if stop is not None and _bare_date(self.until):
            stop += timedelta(days=1)
        elif stop is not None:
            stop += timedelta(microseconds=1)
        return start, stop

    def as_dict(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in self.__dataclass_fields__}


def _bare_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _in_window(frame: pd.DataFrame, filters: Filters) -> pd.Series:
    start, stop = filters.window()
    keep = pd.Series(True, index=frame.index)
    if start is None and stop is None:
        return keep
    moment = pd.to_datetime(frame.created_at, utc=True, errors="coerce", format="ISO8601")
    if start is not None:
        keep &= moment >= pd.Timestamp(start)
    if stop is not None:
        keep &= moment < pd.Timestamp(stop)
    return keep  # a moment that does not parse compares False: left out once a date is asked for


def _scoped(frame: pd.DataFrame, filters: Filters, batches: frozenset[str] | None,
            prompts: frozenset[str] | None) -> pd.DataFrame:
    if filters.backend != ALL:
        frame = frame[frame.backend == filters.backend]
    keep = _in_window(frame, filters)
    if batches is not None:
        keep &= frame.batch_id.isin(batches)
    if prompts is not None:
        keep &= frame.prompt.isin(prompts)
    return frame[keep]


def kept_votes(votes: pd.DataFrame, filters: Filters, batches: frozenset[str] | None = None,
               prompts: frozenset[str] | None = None) -> pd.DataFrame:
    """The votes these filters keep (before pooling; ``mode`` and ``sound`` pick pools afterwards)."""
    if votes.empty:
        return votes
    return _scoped(by_judge(votes, filters.judge), filters, batches, prompts)


def kept_runs(results: pd.DataFrame, filters: Filters, batches: frozenset[str] | None = None,
              prompts: frozenset[str] | None = None) -> pd.DataFrame:
    """The completed generations (not judge calls) these filters keep: whose costs and durations are counted."""
    if results.empty:
        return results
    judged = results["judged"] if "judged" in results else pd.Series("", index=results.index)
    done = results[(results.status == "completed") & (judged.fillna("") == "")]
    return _scoped(done, filters, batches, prompts)
