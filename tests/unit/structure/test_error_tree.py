"""The documented error tree (docs/errors.md): every exception class defined in Careline's
packages derives from `CarelineError` through one of its groups, and the send-failure kinds
are exactly the documented set."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from bot.channels.base import SendError, SendFailure
from content.errors import (
    AccessError,
    CarelineError,
    ChannelError,
    InputError,
    InvariantError,
    SetupError,
)
from tests.support.paths import REPO

ROOT = REPO
PACKAGES = ("bot", "dialogs", "reminders", "content", "storage")
GROUPS = (SetupError, InputError, AccessError, ChannelError, InvariantError)
DOCUMENTED_KINDS = {"retry", "defer", "permanent", "opted_out", "unreachable", "reroute"}


def _modules() -> list[tuple[str, Path]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # Alembic scripts and env: run by Alembic, define no exceptions
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found.append((name, path))
    return found


def _class_names(path: Path) -> list[str]:
    """The classes a module defines at its top level (imported below to see their bases)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.name for node in tree.body if isinstance(node, ast.ClassDef)]


def _nested_exceptions(path: Path) -> list[str]:
    """Classes inside functions or classes whose base looks like an exception: out of reach
    of the import walk, so they are not allowed."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    return [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and id(node) not in top
        and any(ast.unparse(b).endswith(("Error", "Exception")) for b in node.bases)
    ]


def project_exceptions() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for name, path in _modules():
        names = _class_names(path)
        if not names:
            continue
        module = importlib.import_module(name)
        for cls_name in names:
            cls = getattr(module, cls_name, None)
            if inspect.isclass(cls) and issubclass(cls, BaseException):
                found.append(cls)
    return found


def test_no_exception_is_defined_out_of_reach() -> None:
    nested = {str(p.relative_to(ROOT)): n for _, p in _modules() if (n := _nested_exceptions(p))}
    assert nested == {}


def test_the_walk_finds_the_exceptions() -> None:
    names = {cls.__name__ for cls in project_exceptions()}
    assert {"SendError", "ConfigError", "ScheduleError", "AppendOnlyError"} <= names
    assert len(names) >= 25


@pytest.mark.parametrize("cls", project_exceptions(), ids=lambda c: c.__qualname__)
def test_every_exception_is_in_the_tree(cls: type[BaseException]) -> None:
    assert issubclass(cls, CarelineError), f"{cls.__module__}.{cls.__qualname__}"
    if cls is not CarelineError and cls not in GROUPS:
        assert sum(issubclass(cls, group) for group in GROUPS) == 1, (
            f"{cls.__module__}.{cls.__qualname__} must derive from exactly one group"
        )


def test_every_exception_is_documented() -> None:
    doc = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    missing = [c.__qualname__ for c in project_exceptions() if f"`{c.__qualname__}`" not in doc]
    assert missing == []


def test_the_send_failure_kinds_are_the_documented_set() -> None:
    assert {kind.value for kind in SendFailure} == DOCUMENTED_KINDS
    doc = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    for kind in SendFailure:
        assert f"`{kind.name}`" in doc
    assert issubclass(SendError, ChannelError)


def test_value_errors_stay_value_errors() -> None:
    """Callers catch these as ValueError (a data file's loader, a form's parser)."""
    from content.sms_templates import TemplateParamError
    from dialogs.screening.lexicon import LexiconError
    from reminders.schedule import ScheduleError

    for cls in (TemplateParamError, LexiconError, ScheduleError):
        assert issubclass(cls, ValueError) and issubclass(cls, InputError)
