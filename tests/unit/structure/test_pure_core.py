"""The pure core reads no file: every piece of data a flow or a reminder needs (keywords,
cadence, visit rules, lexicon, categories, schedules, calendars, reply words) is read by
the shell (bot/core_data.py, bot/screening/files.py) and passed in.

Checked on the source: no module in dialogs/ or reminders/ opens or reads a file, no
loader is cached at module level, and no parameter defaults to loading one (`x or load()`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.paths import REPO

ROOT = REPO
PACKAGES = ("dialogs", "reminders")
# Modules allowed to read a file or cache a loader: none (issue 14, "pure means pure").
KNOWN_MODULES: set[str] = set()
# Parsing what the shell passed in (`tomllib.loads`, `json.loads`, `np.load` of bytes) is
# pure; opening, listing or reading a file is not.
READERS = {"open", "read_text", "read_bytes", "files", "iterdir", "glob", "rglob"}
# tomllib.load(fh) and json.load(fh) read a file handle; Keywords.load() and Catalog.load()
# read the shipped files
FILE_LOADS = {"tomllib", "json", "Keywords", "Catalog"}
FILE_MODULES = {"importlib.resources", "importlib"}
CACHES = {"lru_cache", "cache", "cached_property"}


def modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _name(node.func)
    return ""


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"


def _enclosing_functions(tree: ast.Module) -> dict[ast.AST, str]:
    owner: dict[ast.AST, str] = {}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(fn):
                owner.setdefault(inner, fn.name)
    return owner


def _known(path: Path, owner: str | None) -> bool:
    return str(path.relative_to(ROOT)) in KNOWN_MODULES


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_file_is_read(path: Path) -> None:
    tree = ast.parse(path.read_text("utf-8"))
    owner = _enclosing_functions(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            for name in names:
                if name in FILE_MODULES and not _known(path, None):
                    found.append(f"{_where(path, node)} imports {name}")
        if isinstance(node, ast.Call) and _name(node.func) in READERS:
            func = node.func
            base = _name(func.value) if isinstance(func, ast.Attribute) else ""
            if _name(func) in {"load", "loads"} and base not in {"tomllib", "json", "np"}:
                continue  # Keywords.load and the like are checked by name below
            if not _known(path, owner.get(node)):
                found.append(
                    f"{_where(path, node)} calls {base + '.' if base else ''}{_name(func)}"
                )
    assert not found, found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_loader_is_cached_or_defaulted(path: Path) -> None:
    tree = ast.parse(path.read_text("utf-8"))
    owner = _enclosing_functions(tree)
    found = []
    for node in ast.walk(tree):
        loads = isinstance(node, ast.Call) and _name(node.func).startswith(("load_", "shipped_"))
        if loads and not _known(path, owner.get(node)):
            found.append(f"{_where(path, node)} calls a loader")
        if isinstance(node, ast.FunctionDef) and node.name.startswith(("load", "shipped", "read")):
            cached = [d for d in node.decorator_list if _name(d) in CACHES]
            if cached and not _known(path, node.name):
                found.append(f"{_where(path, node)} caches {node.name}")
    assert not found, found


def test_the_check_sees_a_loader() -> None:
    """The checks above would catch the old code (a cached loader, a defaulted load)."""
    source = (
        "import tomllib\nfrom functools import lru_cache\n"
        "@lru_cache(maxsize=1)\ndef load_x():\n    return tomllib.loads(open('f').read())\n"
        "def f(x=None):\n    return x or load_x()\n"
    )
    tree = ast.parse(source)
    calls = {_name(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert {"open", "loads", "load_x", "lru_cache"} <= calls
    assert "open" in READERS and "lru_cache" in CACHES
