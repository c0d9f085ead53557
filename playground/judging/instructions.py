"""The judge's instructions: a data file a person can edit (``instructions.json`` here, or an operator's own file),
read once, checked, and filled in with a row's prompt without ever formatting user text.

Placeholders are the few known names in braces (``{prompt}``, ``{count}``, ``{sound}``, ``{clip}``), replaced in
one pass: anything else in braces — the JSON shapes the templates spell out, a prompt that itself contains
``{prompt}`` — stays as written. The version a judge's name carries is the file's declared version plus six hex
digits of a hash of its content, so an edited file is a different judge even if nobody bumps the version.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playground.errors import CatalogError
from playground.judging.verdict import DuplicateKey, no_duplicates
from playground.small_files import SmallFileError, read_small_text
from playground.text import surrogate_at

INSTRUCTIONS_PATH = Path(__file__).with_name("instructions.json")
MAX_BYTES = 256_000
MAX_VERSION = 60
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Each template, the placeholders it may hold, and how many times each must appear: (least, most or None).
TEMPLATES: dict[str, dict[str, tuple[int, int | None]]] = {
    "system": {},
    "clip": {"prompt": (1, 1), "sound": (1, None)},
    "row": {"prompt": (1, 1), "count": (1, None), "sound": (1, None)},
    "sound_with": {},
    "sound_without": {},
    "sound_line": {"clip": (1, None), "sound": (1, 1)},
}
OPTIONAL_KEYS = {"about"}  # words for whoever edits the file; not part of the judge


def fill(template: str, values: dict[str, str]) -> str:
    """``template`` with each known ``{name}`` replaced by its value, in one pass (values are never re-read, so a
    value holding ``{prompt}`` or a backslash stays verbatim); other braces are left alone."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


@dataclass(frozen=True)
class Instructions:
    """What the judge is told. ``digest`` is the SHA-256 of the content that reaches the judge (every template and
    the version, not the ``about`` note or the file's layout)."""

    version: str
    digest: str
    system: str
    clip: str
    row: str
    sound_with: str
    sound_without: str
    sound_line: str

    @property
    def tag(self) -> str:
        """The version as a judge's name carries it: ``rubric 1#a3f9c2``."""
        return f"{self.version}#{self.digest[:6]}"

    def clip_prompt(self, prompt: str, has_audio: bool) -> str:
        """The whole instruction for judging one clip (a per-clip endpoint takes no system prompt)."""
        return fill(self.clip, {"prompt": prompt, "sound": self.sound_with if has_audio else self.sound_without})

    def row_prompt(self, prompt: str, count: int, sounds: list[bool]) -> str:
        """The instruction for judging a row's ``count`` clips in one call; ``sounds[i]``: clip i+1 has sound."""
        if count < 1 or len(sounds) != count:
            raise ValueError(f"a row of {count} clips needs {count} sound flags, got {len(sounds)}")
        lines = [fill(self.sound_line, {"clip": str(number), "sound": self.sound_with if has else self.sound_without})
                 for number, has in enumerate(sounds, start=1)]
        return fill(self.row, {"prompt": prompt, "count": str(count), "sound": "\n".join(lines)})


def _check_template(name: str, text: Any, file: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise CatalogError(file, name, f"must be non-empty text, got {text!r:.80}")
    if (at := surrogate_at(text)) is not None:
        raise CatalogError(file, name, f"holds a lone surrogate at character {at + 1}, which cannot be sent")
    allowed = TEMPLATES[name]
    found = [m.group(1) for m in PLACEHOLDER.finditer(text)]
    if unknown := sorted({p for p in found if p not in allowed}):
        known = ", ".join(f"{{{p}}}" for p in allowed) or "none"
        raise CatalogError(file, name, f"unknown placeholder {{{unknown[0]}}}; this text may hold: {known}")
    for placeholder, (least, most) in allowed.items():
        times = found.count(placeholder)
        if times < least or (most is not None and times > most):
            wanted = f"exactly {least} time" if least == most else f"at least {least} time"
            raise CatalogError(file, name, f"must hold {{{placeholder}}} {wanted}{'s' if least != 1 else ''}, "
                                           f"holds it {times} time{'s' if times != 1 else ''}")
    return text


def parse_instructions(raw: Any, file: str) -> Instructions:
    """Instructions from a decoded JSON value; CatalogError naming ``file`` and the key at the first problem."""
    if not isinstance(raw, dict):
        raise CatalogError(file, "-", "must be a JSON object")
    keys = set(TEMPLATES) | {"version"}
    if unknown := sorted(set(raw) - keys - OPTIONAL_KEYS):
        raise CatalogError(file, unknown[0], f"unknown key; allowed: {sorted(keys | OPTIONAL_KEYS)}")
    if missing := sorted(keys - set(raw)):
        raise CatalogError(file, missing[0], "missing")
    version = raw["version"]
    if not isinstance(version, str) or not version.strip() or len(version) > MAX_VERSION \
            or not version.isprintable() or surrogate_at(version) is not None:
        raise CatalogError(file, "version", f"must be one printable line of at most {MAX_VERSION} characters "
                                            f"(\"rubric 2\"), got {version!r:.80}")
    version = version.strip()
    texts = {name: _check_template(name, raw[name], file) for name in TEMPLATES}
    content = json.dumps({"version": version, **texts}, sort_keys=True, ensure_ascii=False)
    return Instructions(version=version, digest=hashlib.sha256(content.encode("utf-8")).hexdigest(), **texts)


def read_data(path: Path, max_bytes: int = MAX_BYTES) -> Any:
    """A small JSON data file a person may have edited, decoded, with no key given twice; CatalogError naming the
    file and what is wrong (the judges' facts files are read the same way)."""
    try:
        return json.loads(read_small_text(path, max_bytes), object_pairs_hook=no_duplicates)
    except SmallFileError as exc:
        raise CatalogError(str(path), "-", exc.reason) from None
    except json.JSONDecodeError as exc:
        raise CatalogError(str(path), f"line {exc.lineno}", f"invalid JSON: {exc.msg}") from None
    except DuplicateKey as exc:
        raise CatalogError(str(path), exc.key, "appears twice (which one would count?)") from None
    except RecursionError:
        raise CatalogError(str(path), "-", "JSON nested too deeply to read") from None


def load_instructions(path: Path | None = None) -> Instructions:
    """The instructions in ``path`` (the package's own file when None); CatalogError naming the file and what is
    wrong. The caller decides the path (config.py reads ``PLAYGROUND_JUDGE_INSTRUCTIONS``)."""
    path = path or INSTRUCTIONS_PATH
    return parse_instructions(read_data(path), str(path))
