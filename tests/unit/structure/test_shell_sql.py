"""The shell builds no SQL: queries live in storage/repos (and storage/uow.py names them).

No module under bot/ imports SQLAlchemy's statement builders (select, update, delete,
insert, text, func, or_ ... — anything from `sqlalchemy` but the session type, the
exceptions and URL parsing) or calls `<session>.execute(...)`. A module that still does must
be listed in LEFT with the reason, so the exceptions stay visible."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import REPO

ROOT = REPO
SHELL = ROOT / "bot"

ALLOWED_SQLALCHEMY = (
    "sqlalchemy.ext.asyncio",  # AsyncSession, for annotations
    "sqlalchemy.exc",  # errors the shell classifies (webhooks: retry or not)
    "sqlalchemy.engine",  # make_url: reading a database URL, not a query
)

LEFT: dict[str, str] = {
    # left: the backup check opens the SQLite file with the standard library's sqlite3 and
    # runs PRAGMA integrity_check on it; no SQLAlchemy session exists for that file
    "bot/backup.py": "sqlite3 integrity check of a backup file",
}


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            mod = node.module
            if mod.split(".")[0] == "sqlalchemy" and not mod.startswith(ALLOWED_SQLALCHEMY):
                names = ", ".join(a.name for a in node.names)
                found.append(f"line {node.lineno}: from {mod} import {names}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sqlalchemy":
                    found.append(f"line {node.lineno}: import {alias.name}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "execute"
        ):
            target = ast.unparse(node.func.value)
            if "session" in target or target in ("con", "conn", "connection"):
                found.append(f"line {node.lineno}: {target}.execute(...)")
    return found


def test_the_shell_builds_no_sql() -> None:
    offenders = {}
    for path in sorted(SHELL.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in LEFT:
            continue
        problems = _problems(path)
        if problems:
            offenders[rel] = problems
    assert not offenders, (
        "SQL built outside storage/ (move the query to storage/repos, or list the module in "
        f"LEFT with the reason): {offenders}"
    )


def test_the_left_list_is_honest() -> None:
    """Every module listed as left still needs it (otherwise take it off the list)."""
    for rel in LEFT:
        path = ROOT / rel
        assert path.exists(), f"{rel} is gone: take it off LEFT"
        assert _problems(path), f"{rel} no longer builds SQL: take it off LEFT"


def test_the_console_works_through_the_unit_of_work() -> None:
    """Console routes write the audit log through Work.audit, never audit.record directly."""
    for path in sorted((SHELL / "web" / "console").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "audit.record(" not in text, f"{path.name}: use Work.audit"
        assert "session.info[" not in text, f"{path.name}: the unit of work carries `now`"
