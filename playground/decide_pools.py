"""Pools: the votes that may be rated together. Pools never mix modes or sound.

A vote's **mode** is its candidates' catalog mode (text-, image- or reference-to-video); candidates of several
modes, or an endpoint the catalog does not know, make "unknown mode". A vote's **sound** comes from the results
log: its clips are the completed runs of the vote's batch with its prompt and seed, one per candidate (the
endpoint that made the clip, as votes credit it). "with sound" when every clip had a sound track (``has_audio``),
"silent" when none had, "mixed sound" otherwise. A clip reused from an earlier batch is not in the vote's batch;
it is then found by its endpoint, prompt and seed anywhere in the log, and only if every such run agrees. A vote
with a clip that cannot be found (or whose runs disagree, or never said) goes to "unknown sound" rather than
being guessed. "All bad" votes say nothing about which clip is better and are left out, as the leaderboard does.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import pandas as pd

from playground.catalog.modes import MODE_NAMES
from playground.decide_filters import MIXED_SOUND, SILENT, SOUNDS, UNKNOWN_SOUND, WITH_SOUND
from playground.votes import ALL_BAD, TIE

UNKNOWN_MODE = "unknown mode"


@dataclass(frozen=True)
class Judged:
    """One vote that picked a winner or a tie, with its pool."""

    winner: str | None  # None: a tie
    shown: tuple[str, ...]  # the endpoints on show
    mode: str
    sound: str

    @property
    def pool(self) -> str:
        return pool_name(self.mode, self.sound)


def pool_name(mode: str, sound: str) -> str:
    """"text-to-video · with sound"."""
    return f"{mode} · {sound}"


def pool_order(mode: str, sound: str) -> tuple[int, int]:
    """Where a pool sorts among pools with as many votes: the catalog's order of modes, then ``SOUNDS``' order."""
    return (MODE_NAMES.index(mode) if mode in MODE_NAMES else len(MODE_NAMES),
            SOUNDS.index(sound) if sound in SOUNDS else len(SOUNDS))


class ClipSounds:
    """Whether each clip of the results log had sound, looked up as a vote names its clips."""

    def __init__(self, results: pd.DataFrame):
        self.in_batch: dict[tuple[object, ...], str] = {}  # (batch, prompt, seed, endpoint) → "true", …
        self.anywhere: dict[tuple[object, ...], str] = {}  # "true" or "false" where every run agrees, "?" where they do not
        if results.empty:
            return
        done = results[results.status == "completed"]
        served = done.served_by.fillna("").astype(str) if "served_by" in done else pd.Series("", index=done.index)
        clips = pd.DataFrame({"batch": done.batch_id.astype(str), "prompt": done.prompt.astype(str),
                              "seed": done.seed.fillna("").astype(str).str.strip(),
                              "endpoint": served.where(served != "", done.endpoint_id.astype(str)),
                              "said": done.has_audio.fillna("").astype(str).str.strip().str.lower()})
        self.in_batch = _agreed(clips, ["batch", "prompt", "seed", "endpoint"])
        self.anywhere = _agreed(clips, ["prompt", "seed", "endpoint"])

    def sound(self, batch: str, prompt: str, seed: str, shown: tuple[str, ...]) -> str:
        """The sound of a vote's row (one of ``SOUNDS``)."""
        heard = set()
        for endpoint in shown:
            said = self.in_batch.get((batch, prompt, seed, endpoint)) or self.anywhere.get((prompt, seed, endpoint))
            if said not in ("true", "false"):
                return UNKNOWN_SOUND
            heard.add(said)
        return WITH_SOUND if heard == {"true"} else SILENT if heard == {"false"} else MIXED_SOUND


def _agreed(clips: pd.DataFrame, keys: list[str]) -> dict[tuple[object, ...], str]:
    """Per key, what every run under it said of its sound ("true" or "false"), or "?" where they differ or never
    said; worked out on whole columns (a loop over 40k runs took 0.3 s)."""
    said = clips.drop_duplicates([*keys, "said"])
    agreed = ~said.duplicated(keys, keep=False) & said.said.isin(["true", "false"])
    said = said.assign(said=said.said.where(agreed, "?")).drop_duplicates(keys)
    return dict(zip(zip(*_lists(*(said[key] for key in keys)), strict=True), said.said.tolist(), strict=True))


def _lists(*columns: pd.Series) -> list[list[object]]:
    """Columns as Python lists: iterating a pandas string column item by item costs ~40× more (0.4 s at 40k rows)."""
    return [column.tolist() for column in columns]


def _seed(value: object) -> str:
    """A seed as both logs write it ("7"; "" for none, which a frame may hold as NaN)."""
    return "" if value is None or isinstance(value, float) and math.isnan(value) else str(value).strip()


def _shown(text: object) -> tuple[str, ...] | None:
    """The endpoints on show, or None when the log's list cannot be read or shows fewer than two."""
    try:
        shown = json.loads(str(text))
    except ValueError:
        return None
    if not isinstance(shown, list) or len(set(map(str, shown))) != len(shown) or len(shown) < 2:
        return None
    return tuple(str(endpoint) for endpoint in shown)


def judged_votes(votes: pd.DataFrame, results: pd.DataFrame, modes: dict[str, str]) -> list[Judged]:
    """Every vote that picked a winner or a tie, with its mode and sound; "all bad" votes and rows the log cannot
    hold (an unreadable list of clips, a winner not on show) are left out."""
    if votes.empty:
        return []
    sounds, found = ClipSounds(results), []
    for batch, prompt, seed, winner, candidates in zip(*_lists(votes.batch_id, votes.prompt, votes.seed,
                                                               votes.winner, votes.candidates), strict=True):
        shown = _shown(candidates)
        if shown is None or winner == ALL_BAD or (winner != TIE and winner not in shown):
            continue
        kinds = {modes.get(endpoint, UNKNOWN_MODE) for endpoint in shown}
        mode = kinds.pop() if len(kinds) == 1 else UNKNOWN_MODE
        found.append(Judged(None if winner == TIE else str(winner), shown, mode,
                            sounds.sound(str(batch), str(prompt), _seed(seed), shown)))
    return found
