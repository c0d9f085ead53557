"""Compare's state is typed, read from the code: inside playground/compare/ nothing is read from a dict by a
string key (``x["status"]``, ``x.get("status")``) except in the few functions that are its edges, each named here
with what it reads. A new cell field is then a field of ``BatchCell`` that mypy follows, not a key found by grep."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

COMPARE = Path(__file__).resolve().parent.parent / "playground" / "compare"

# module: functions that may read string keys, and what they read
EDGES = {
    "cells": {"BatchCell.from_dict": "a cell of a kept file or of the /compare answer",
              "Fairness.from_dict": "a fairness row of the same"},
    "snapshot": {"BatchSnapshot.from_dict": "a kept file's snapshot or the /compare answer"},
    "adapt": {"Change.from_dict": "a fairness row's change"},
    "spec": {"StoredSpec.from_dict": "a kept file's spec", "extension_of": "the /compare request",
             "_merged": "the /compare request", "_seeds": "the /compare request", "parse_spec": "the /compare request"},
    "store": {"BatchStore.load": "a kept file's owner, spec and snapshot"},
    "kept": {"KeptBatches.in_flight": "the journal's entries (journal.py's own format)"},
    "comparisons": {"Comparisons.preset_form": "a preset's arguments, by field name as every run's are"},
    "verdicts": {"Subject.read": "a judge run's `judged` column (its own JSON)",
                 "_records": "the results log's rows, read into RunRecords"},
}
READS = ("get", "pop", "setdefault")


def string_key_reads(source: str) -> list[tuple[str, int, str]]:
    """(where: Class.function, nested functions after a dot; line; the read) for every read of a dict by a string
    constant."""
    found: list[tuple[str, int, str]] = []

    def visit(node: ast.AST, where: list[str]) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            where = [*where, node.name]
        key = None
        if (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, str)):
            key = f'[{node.slice.value!r}]'
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in READS
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            key = f'.{node.func.attr}({node.args[0].value!r})'
        if key:
            found.append((".".join(where) or "<module>", getattr(node, "lineno", 0), key))
        for child in ast.iter_child_nodes(node):
            visit(child, where)

    visit(ast.parse(source), [])
    return found


def _edge(module: str, function: str) -> bool:
    allowed = EDGES.get(module, {})
    return function in allowed or any(function.startswith(f"{name}.") for name in allowed)  # and what it nests


@pytest.mark.parametrize("path", sorted(COMPARE.glob("*.py")), ids=lambda p: p.name)
def test_compare_reads_dicts_by_key_only_at_its_edges(path: Path) -> None:
    reads = string_key_reads(path.read_text(encoding="utf-8"))
    stray = [f"{path.name}:{line} in {function}: {key}" for function, line, key in reads
             if not _edge(path.stem, function)]
    assert stray == [], "read a typed field instead, or name the edge in EDGES:\n" + "\n".join(stray)


def test_every_named_edge_still_exists_and_reads() -> None:
    """An edge that no longer reads anything is taken off the list, so the list stays the truth."""
    for module, functions in EDGES.items():
        reads = {function for function, _, _ in string_key_reads((COMPARE / f"{module}.py").read_text("utf-8"))}
        idle = [name for name in functions if not any(r == name or r.startswith(f"{name}.") for r in reads)]
        assert idle == [], f"{module}: {idle} read no key any more"


CASES = [
    ('def f(cell):\n    return cell["status"]\n', [("f", 2, "['status']")]),
    ('def f(cell):\n    return cell.get("status", "")\n', [("f", 2, ".get('status')")]),
    ('class A:\n    def f(self, s):\n        return s.pop("x")\n', [("A.f", 3, ".pop('x')")]),
    ('def f(cell, key):\n    return cell[key], cell.get(key), cell.status\n', []),  # typed, or a key that varies
    ('def f(cell):\n    cell["status"] = 1\n    return cell[0]\n', []),  # a write, a position
]


@pytest.mark.parametrize("source, expected", CASES)
def test_the_check_finds_string_key_reads_and_nothing_else(source: str, expected: list[tuple[str, int, str]]) -> None:
    assert string_key_reads(source) == expected
