"""Prompt variants from a template: ``{dusk|dawn} over {the sea|a city}`` is four prompts (the cartesian product of
its ``{…|…}`` groups, in reading order). Braces without a ``|`` inside are left as they are, so ordinary text
with braces is one prompt. The count is known before anything is expanded, so a huge template is refused, not
built.

Groups do not nest. A group that holds braces (``{a|{b|c}}``, ``{a|b{c|d}}``), a group never closed (``{a|b``) and
a ``}`` closing a group never opened (``a|b}``) are refused with a message saying how to write them flat: sent
as text, their braces would reach the model as literal characters of a prompt the person meant as a template.

The scan is one pass over the braces (split out by a one-character class, so nothing backtracks; the text between
them is searched for ``|`` at C speed): its time grows with the line's length, never with its square.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

COUNT_CEILING = 10**9  # counting stops here: a template of 20,000 groups has a count too long to even print
_BRACE = re.compile(r"([{}])")
_RUN_OF_SPACES = re.compile(r" {2,}")
FLAT = "write the choices flat in one group, e.g. {a|b|c} for {a|{b|c}} or {a|bc|bd} for {a|b{c|d}}"


class TemplateError(ValueError):
    """A line that reads as a template but cannot be expanded as written; the message says how to fix it."""


@dataclass(frozen=True)
class Template:
    """A line read once: its text pieces and, between them, each group's trimmed options."""

    line: str
    pieces: tuple[str | tuple[str, ...], ...]  # text, options, text, options, …, text

    @property
    def count(self) -> int:
        """How many prompts the line stands for (1 without groups), at most ``COUNT_CEILING``."""
        count = 1
        for piece in self.pieces:
            if isinstance(piece, tuple):
                count = min(count * len(piece), COUNT_CEILING)
        return count

    def variants(self) -> list[str]:
        """Every prompt, first group varying slowest; call only once ``count`` is known to be small. A line without
        groups comes back exactly as given (line breaks inside a listed prompt included)."""
        if len(self.pieces) == 1:
            return [self.line]
        choices = [(piece,) if isinstance(piece, str) else piece for piece in self.pieces]
        return [_RUN_OF_SPACES.sub(" ", "".join(combo)).strip()  # "a {|x} b": the empty option leaves one space
                for combo in itertools.product(*choices)]


def parse(line: str) -> Template:
    """``line`` split into text and groups in one pass, or TemplateError (nested, unclosed or unopened group)."""
    texts_and_braces = _BRACE.split(line)  # text, brace, text, brace, …, text
    groups: list[tuple[int, int]] = []
    opened: list[int] = []  # where each "{" not yet closed is
    barred: list[bool] = []  # whether it has a "|" of its own (not inside a brace within it)
    bar_outside = "|" in texts_and_braces[0]  # a "|" outside every brace since the last "}": a lone "}" then errs
    at, previous = len(texts_and_braces[0]), -1  # where the brace being read is, and the brace before it
    for brace, text in zip(texts_and_braces[1::2], texts_and_braces[2::2], strict=True):
        if brace == "{":
            opened.append(at)
            barred.append(False)
        elif opened:
            start, has_bar = opened.pop(), barred.pop()
            if has_bar and previous != start:  # a brace came between its "{" and this "}"
                raise TemplateError(f"has a group inside a group (the one opened at character {start + 1}): "
                                    f"groups do not nest; {FLAT}")
            if has_bar:
                groups.append((start, at))
            bar_outside = bar_outside and bool(opened)
        elif bar_outside:
            raise TemplateError(f"has a }} at character {at + 1} that closes a group never opened; "
                                "open it with {, e.g. {a|b}")
        if "|" in text:
            if barred:
                barred[-1] = True
            else:
                bar_outside = True
        previous, at = at, at + 1 + len(text)
    if any(barred):
        raise TemplateError(f"has a group opened at character {opened[barred.index(True)] + 1} that is never "
                            "closed; close it with }, e.g. {a|b}")
    return Template(line, _pieces(line, groups))


def _pieces(line: str, groups: list[tuple[int, int]]) -> tuple[str | tuple[str, ...], ...]:
    """Text and options in reading order (groups hold no braces, so they never overlap and close in order)."""
    pieces: list[str | tuple[str, ...]] = []
    end = -1
    for start, close in groups:
        pieces += [line[end + 1:start], tuple(option.strip() for option in line[start + 1:close].split("|"))]
        end = close
    pieces.append(line[end + 1:])
    return tuple(pieces)
