"""A judge's answer read strictly: exactly one JSON object of the shape the instructions spell out, or Unreadable.

Strict means no repair and no fishing: ``json.loads`` of the answer, allowing only whitespace around it and ONE
Markdown code fence around the whole of it (models add ```` ```json ```` even when told not to; that fence hides
nothing). Every score is an int from 1 to 5 (not a bool, not 4.5, not "4"); reasons are text, made one line and
capped; a key given twice, an unknown key, a missing one, a clip judged twice or never make the answer Unreadable,
which keeps the answer exactly as it came and says what was wrong — a verdict is never made up.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from playground.text import escape_surrogates

MAX_ANSWER = 200_000  # characters; a row of many clips answers a few thousand
MAX_LINE = 300  # a reason or an element, made one line, is cut to this many characters
AXES = ("adherence", "artifacts", "motion")
RUBRIC_KEYS = {"present", "missing", *AXES, "sound"}
FENCE = re.compile(r"```(?:json|JSON)?[ \t]*\r?\n(.*)```", re.DOTALL)
JSON_KINDS = {list: "list", str: "string", int: "number", float: "number", bool: "true or false", type(None): "null"}
TIE = "tie"  # pick_from_rubrics's word when the top is shared (a vote's "tie")


class DuplicateKey(ValueError):
    """A JSON object that names a key twice: ``json`` would keep the last silently."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(f"the key {key!r} appears twice")


def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for ``json.loads`` that refuses a key given twice."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKey(key)
        result[key] = value
    return result


@dataclass(frozen=True)
class Score:
    score: int
    reason: str


@dataclass(frozen=True)
class Rubric:
    """One clip's verdict. ``sound`` is None when the clip has no sound (whatever the judge said about it)."""

    present: tuple[str, ...]
    missing: tuple[str, ...]
    adherence: Score
    artifacts: Score
    motion: Score
    sound: Score | None

    @property
    def scores(self) -> tuple[int, ...]:
        given = (self.adherence, self.artifacts, self.motion) + ((self.sound,) if self.sound else ())
        return tuple(s.score for s in given)

    @property
    def mean(self) -> float:
        """The mean of the scores given (three, or four with sound)."""
        return sum(self.scores) / len(self.scores)


@dataclass(frozen=True)
class Unreadable:
    """A judge's answer that could not be read: ``raw`` exactly as it came (not trimmed; it may hold a lone
    surrogate, so escape it before storing), ``why`` in a short line."""

    raw: str
    why: str


@dataclass(frozen=True)
class RowVerdict:
    """A row judged in one call: a rubric per clip in clip order (a clip whose part could not be read is
    Unreadable, with the whole answer as ``raw``), and the pick: ``best`` (0-based), else ``tie`` or ``none``."""

    rubrics: tuple[Rubric | Unreadable, ...]
    best: int | None
    tie: bool
    none: bool
    reason: str


class _Bad(Exception):
    def __init__(self, why: str):
        self.why = why
        super().__init__(why)


def _show(value: Any) -> str:
    return f"{value!r:.40}"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _object(text: str) -> dict[str, Any]:
    """The one JSON object the answer is (in one optional fence), or _Bad."""
    if len(text) > MAX_ANSWER:
        raise _Bad(f"the answer is {len(text):,} characters; a verdict is at most {MAX_ANSWER:,}")
    body = text.strip()
    if not body:
        raise _Bad("the answer is empty")
    if body.startswith("```"):
        fenced = FENCE.fullmatch(body)
        if fenced is None:
            raise _Bad("a Markdown fence that does not wrap the whole answer")
        body = fenced.group(1)
    try:
        value = json.loads(body, object_pairs_hook=no_duplicates, parse_constant=_reject_constant)
    except DuplicateKey as exc:
        raise _Bad(f"the key {_show(exc.key)} appears twice") from None
    except json.JSONDecodeError as exc:
        raise _Bad(f"not one JSON object: {exc.msg} (character {exc.pos + 1})") from None
    except ValueError as exc:
        raise _Bad(f"not one JSON object: {exc}") from None
    except RecursionError:
        raise _Bad("JSON nested too deeply") from None
    if not isinstance(value, dict):
        raise _Bad(f"a JSON {JSON_KINDS.get(type(value), 'value')}, not an object")
    return value


def _line(value: Any, where: str) -> str:
    """Text made one line (every kind of line break and run of spaces becomes one space) and capped."""
    if not isinstance(value, str):
        raise _Bad(f"{where} must be text, got {_show(value)}")
    line = escape_surrogates(" ".join(value.split()))
    if not line:
        raise _Bad(f"{where} is empty")
    return line if len(line) <= MAX_LINE else line[:MAX_LINE - 1] + "…"


def _score(value: Any, where: str) -> Score:
    if not isinstance(value, dict) or set(value) != {"score", "reason"}:
        raise _Bad(f'{where} must be {{"score": 1-5, "reason": "…"}}, got {_show(value)}')
    score = value["score"]
    if type(score) is not int or not 1 <= score <= 5:
        raise _Bad(f"{where}.score must be a whole number from 1 to 5, got {_show(score)}")
    return Score(score, _line(value["reason"], f"{where}.reason"))


def _elements(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _Bad(f"{where} must be a list of text, got {_show(value)}")
    return tuple(_line(item, f"{where}[{i}]") for i, item in enumerate(value))


def _rubric(found: dict[str, Any], has_audio: bool, at: str = "", more: frozenset[str] = frozenset()) -> Rubric:
    required = (RUBRIC_KEYS - (set() if has_audio else {"sound"})) | more
    if unknown := sorted(set(found) - RUBRIC_KEYS - more):
        raise _Bad(f"{at}unexpected key {_show(unknown[0])}")
    if missing := sorted(required - set(found)):
        raise _Bad(f"{at}lacks the key {missing[0]!r}" + (" (the clip has sound)" if missing[0] == "sound" else ""))
    if has_audio and found["sound"] is None:
        raise _Bad(f"{at}sound is null, but the clip has sound")
    return Rubric(present=_elements(found["present"], f"{at}present"),
                  missing=_elements(found["missing"], f"{at}missing"),
                  adherence=_score(found["adherence"], f"{at}adherence"),
                  artifacts=_score(found["artifacts"], f"{at}artifacts"),
                  motion=_score(found["motion"], f"{at}motion"),
                  sound=_score(found["sound"], f"{at}sound") if has_audio else None)


def read_clip(text: str, has_audio: bool) -> Rubric | Unreadable:
    """A per-clip judge's answer: the clip's rubric, or Unreadable (``sound`` required when the clip has sound,
    ignored when it has none)."""
    try:
        return _rubric(_object(text), has_audio)
    except _Bad as bad:
        return Unreadable(text, bad.why)


def _numbered(clips: Any, count: int) -> dict[int, dict[str, Any]]:
    """The row's clip objects by their number, each of 1..count exactly once."""
    if not isinstance(clips, list):
        raise _Bad(f"clips must be a list, got {_show(clips)}")
    if len(clips) != count:
        raise _Bad(f"clips holds {len(clips)} verdicts for {count} clips")
    by_number: dict[int, dict[str, Any]] = {}
    for i, item in enumerate(clips):
        number = item.get("clip") if isinstance(item, dict) else None
        if not isinstance(item, dict) or type(number) is not int or not 1 <= number <= count:
            raise _Bad(f"clips[{i}] must be an object whose clip is a number from 1 to {count}, got {_show(item)}")
        if number in by_number:
            raise _Bad(f"clip {number} is judged twice")
        by_number[number] = item
    return by_number


def _best(value: Any, count: int) -> tuple[int | None, bool, bool]:
    if type(value) is int and 1 <= value <= count:
        return value - 1, False, False
    if value in ("tie", "none"):
        return None, value == "tie", value == "none"
    raise _Bad(f'best must be a clip number from 1 to {count}, "tie" or "none", got {_show(value)}')


def _in_row(found: dict[str, Any], has_audio: bool, number: int, text: str) -> Rubric | Unreadable:
    try:
        return _rubric(found, has_audio, f"clip {number}: ", frozenset({"clip"}))
    except _Bad as bad:
        return Unreadable(text, bad.why)


def read_row(text: str, count: int, sounds: list[bool]) -> RowVerdict | Unreadable:
    """A whole-row judge's answer: a rubric per clip (``sounds[i]``: clip i+1 has sound) and its pick, or
    Unreadable when the answer's frame is wrong (a clip's part alone being wrong makes that clip Unreadable)."""
    if count < 1 or len(sounds) != count:
        raise ValueError(f"a row of {count} clips needs {count} sound flags, got {len(sounds)}")
    try:
        found = _object(text)
        if unknown := sorted(set(found) - {"clips", "best", "reason"}):
            raise _Bad(f"unexpected key {_show(unknown[0])}")
        if missing := sorted({"clips", "best", "reason"} - set(found)):
            raise _Bad(f"lacks the key {missing[0]!r}")
        by_number = _numbered(found["clips"], count)
        best, tie, none = _best(found["best"], count)
        reason = _line(found["reason"], "reason")
    except _Bad as bad:
        return Unreadable(text, bad.why)
    rubrics = tuple(_in_row(by_number[n], sounds[n - 1], n, text) for n in range(1, count + 1))
    return RowVerdict(rubrics, best, tie, none, reason)


def pick_from_rubrics(rubrics: list[Rubric | Unreadable]) -> tuple[int | None, str]:
    """A per-clip judge's pick for its row: (the 0-based index of the one clip with the highest mean, why);
    (None, ``TIE``) when the top mean is shared; (None, why) when there is nothing to pick from or any clip's
    verdict could not be read (a pick among the rest could favour a clip only because another went unread)."""
    if not rubrics:
        return None, "no clips to pick from"
    unread = [str(i + 1) for i, r in enumerate(rubrics) if isinstance(r, Unreadable)]
    if unread:
        return None, f"no pick: the verdict on clip{'s' if len(unread) > 1 else ''} {', '.join(unread)} " \
                     f"could not be read"
    means = [Fraction(sum(r.scores), len(r.scores)) for r in rubrics if isinstance(r, Rubric)]
    top = max(means)
    leaders = [i for i, mean in enumerate(means) if mean == top]
    if len(leaders) > 1:
        return None, TIE
    return leaders[0], f"clip {leaders[0] + 1} has the highest mean score, {float(top):.2f}"
