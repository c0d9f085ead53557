"""Prompt variants from a template: ``{dusk|dawn} over {the sea|a city}`` is four prompts (the cartesian product of
its ``{…|…}`` groups, in reading order). Braces without a ``|`` inside are left as they are, so ordinary text
with braces is one prompt. The count is known before anything is expanded, so a huge template is refused, not
built."""

from __future__ import annotations

import itertools
import re

GROUP = re.compile(r"\{([^{}]*\|[^{}]*)\}")


COUNT_CEILING = 10**9  # counting stops here: a template of 20,000 groups has a count too long to even print


def variant_count(line: str) -> int:
    """How many prompts ``line`` expands to (1 for a line without groups), at most ``COUNT_CEILING``."""
    count = 1
    for group in GROUP.findall(line):
        count = min(count * len(group.split("|")), COUNT_CEILING)
    return count


def expand(line: str) -> list[str]:
    """Every prompt ``line`` stands for, first group varying slowest; call only after ``variant_count`` is known.
    A line without groups comes back exactly as given (line breaks inside a listed prompt included)."""
    parts = GROUP.split(line)  # text, group, text, group, …, text
    if len(parts) == 1:
        return [line]
    choices = [[part] if index % 2 == 0 else [option.strip() for option in part.split("|")]
               for index, part in enumerate(parts)]
    return [re.sub(r" {2,}", " ", "".join(combo)).strip() for combo in itertools.product(*choices)]  # "a {|x} b"
