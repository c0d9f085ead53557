"""Text from people and from remote services, checked before it is stored, sent or shown.

UTF-8 has no form for a lone UTF-16 surrogate (``"\\ud800"``, which JSON and browsers can produce), so
such text can be neither written to the results log nor sent to fal: user input with one is refused with
a field message; remote text with one (an error fal sends) is kept as its backslash escape.
"""

from __future__ import annotations

import unicodedata
from typing import Any

# Characters that show nothing: a prompt made only of these (and spaces) is blank.
_INVISIBLE = {"\u115f", "\u1160", "\u2800", "\u3164", "\uffa0"}


def surrogate_at(text: str) -> int | None:
    """Index of the first lone surrogate in ``text``, or None when UTF-8 can hold all of it."""
    try:
        text.encode("utf-8")
        return None
    except UnicodeEncodeError as exc:
        return exc.start


def surrogate_problem(text: str) -> str | None:
    """The field message for text with a lone surrogate (None when the text is fine)."""
    at = surrogate_at(text)
    if at is None:
        return None
    return (f"contains a broken character (a lone UTF-16 surrogate, U+{ord(text[at]):04X}, at character {at + 1}) "
            "that cannot be stored or sent; retype that part or paste the text again")


def escape_surrogates(text: str) -> str:
    """Remote text made storable: each lone surrogate becomes its escape (``\\ud800``); other text is unchanged."""
    if surrogate_at(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def is_blank(text: str) -> bool:
    """True when ``text`` shows nothing: only spaces, line breaks, zero-width and other invisible characters."""
    return all(c.isspace() or c in _INVISIBLE or unicodedata.category(c) in ("Cf", "Cc") for c in text)


def surrogate_problems(value: Any, path: str = "") -> list[tuple[str, str]]:
    """(where, message) for each lone surrogate in a decoded JSON value's keys and strings (``a.b[2]`` paths)."""
    if isinstance(value, str):
        problem = surrogate_problem(value)
        return [(path or "value", problem)] if problem else []
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in surrogate_problems(item, f"{path}[{i}]")]
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            where = f"{path}.{escape_surrogates(str(key))}" if path else escape_surrogates(str(key))
            key_problem = surrogate_problem(str(key))
            found += [(where, f"(the field name) {key_problem}")] if key_problem else surrogate_problems(item, where)
        return found
    return []
