"""The house's shape, read from the code: no import circle, a core without gradio, small modules, a thin UI."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE_MAX_LINES = 300
BUILDER_MAX_LINES = 119  # "under 120"
UI_MAY_IMPORT = {"playground.service", "playground.views", "playground.errors"}


def module_files(package_dir: Path) -> dict[str, Path]:
    """Dotted module name → file, for every .py under ``package_dir`` (a package is named by its __init__)."""
    modules = {}
    for path in package_dir.rglob("*.py"):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imported_names(path: Path, module: str) -> set[str]:
    """Every module name imported anywhere in the file: top level, under TYPE_CHECKING, inside functions."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return names


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module → the package's modules it makes Python load. Importing ``a.b.c`` also runs ``a/__init__`` and
    ``a/b/__init__``; those edges count, except towards the importer's own enclosing packages (Python has them
    loaded already, and a package's __init__ importing its own modules is not a circle)."""
    modules = module_files(package_dir)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        own_parents = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
        edges: set[str] = set()
        for name in imported_names(path, module):
            parts = name.split(".")
            for i in range(1, len(parts) + 1):
                target = ".".join(parts[:i])
                if target in modules and target not in own_parents and target != module:
                    edges.add(target)
        graph[module] = edges
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                part = []
                while True:
                    member = stack.pop()
                    part.append(member)
                    if member == node:
                        break
                if len(part) > 1:
                    found.append(sorted(part))
    return found


def test_no_import_circle_in_the_core() -> None:
    assert circles(import_graph(ROOT / "playground")) == []


CIRCLES = [
    pytest.param({"a.py": "from pkg import b\n", "b.py": "from pkg import a\n"}, [["pkg.a", "pkg.b"]], id="top level"),
    pytest.param({"a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n",
                  "b.py": "import pkg.a\n"}, [["pkg.a", "pkg.b"]], id="under TYPE_CHECKING"),
    pytest.param({"a.py": "def f():\n    from .b import g\n", "b.py": "from . import a\n"}, [["pkg.a", "pkg.b"]],
                 id="inside a function, relative"),
    pytest.param({"__init__.py": "from pkg.sub.c import C\n", "sub/__init__.py": "", "sub/c.py": "",
                  "a.py": "from pkg.sub import c\n", "d.py": "import pkg.a\n"}, [], id="package importing its own"),
    pytest.param({"sub/__init__.py": "from pkg.a import A\n", "sub/c.py": "", "a.py": "import pkg.sub.c\n"},
                 [["pkg.a", "pkg.sub"]], id="through a package's __init__"),
    pytest.param({"a.py": "import json\nfrom pkg import b\n", "b.py": "import os\n"}, [], id="no circle"),
]


@pytest.mark.parametrize("files,expected", CIRCLES)
def test_the_circle_check_sees_every_kind_of_import(tmp_path: Path, files: dict[str, str],
                                                   expected: list[list[str]]) -> None:
    package = tmp_path / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    assert circles(import_graph(package)) == expected


def core_modules() -> list[str]:
    return sorted(m for m in module_files(ROOT / "playground")
                  if not m.startswith("playground.ui") and not m.endswith("__main__"))


def test_importing_every_core_module_loads_no_gradio() -> None:
    program = ("import importlib, sys\n"
               f"for name in {core_modules()!r}:\n"
               "    importlib.import_module(name)\n"
               "print(sorted(m for m in sys.modules if m.split('.')[0] in ('gradio', 'gradio_client')))\n")
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_gradio_check_can_see_gradio() -> None:
    program = "import sys, gradio\nprint('gradio' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "True", done.stderr


@pytest.mark.parametrize("module", core_modules())
def test_core_module_is_at_most_300_lines(module: str) -> None:
    path = module_files(ROOT / "playground")[module]
    assert len(path.read_text(encoding="utf-8").splitlines()) <= CORE_MAX_LINES


def ui_files() -> list[Path]:
    return sorted((ROOT / "playground" / "ui").glob("*.py"))


@pytest.mark.parametrize("path", ui_files(), ids=lambda p: p.name)
def test_ui_tab_builders_stay_under_120_lines(path: Path) -> None:
    builders = [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(node, ast.FunctionDef) and node.name.startswith("build")]
    too_long = {b.name: b.end_lineno - b.lineno + 1 for b in builders if b.end_lineno - b.lineno + 1 > BUILDER_MAX_LINES}
    assert too_long == {}


@pytest.mark.parametrize("path", ui_files(), ids=lambda p: p.name)
def test_ui_reaches_the_core_only_through_the_facade(path: Path) -> None:
    module = "playground.ui." + path.stem if path.stem != "__init__" else "playground.ui"
    core = {name for name in imported_names(path, module)
            if name.startswith("playground") and not name.startswith("playground.ui")}
    reached = {name for name in core if not any(name == allowed or name.startswith(allowed + ".")
                                               for allowed in UI_MAY_IMPORT)}
    assert reached <= {"playground"}  # `from playground import service` names the package itself


def test_every_name_the_views_module_offers_exists() -> None:
    import playground.views as views

    assert views.__all__, "views offers nothing"
    assert [name for name in views.__all__ if not hasattr(views, name)] == []
