"""The `careline` script refuses to run when a top-level package is not Careline's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import entry
from tests.support.paths import REPO


def test_in_this_checkout_every_package_is_careline_s() -> None:
    assert entry.foreign_packages() == []


def test_packages_found_elsewhere_are_named(tmp_path: Path) -> None:
    assert [name for name, _ in entry.foreign_packages(home=tmp_path)] == list(entry.PACKAGES)


def test_the_script_says_so_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(entry, "foreign_packages", lambda: [("storage", "/elsewhere/storage")])
    assert entry.main(["--help"]) == 2
    err = capsys.readouterr().err
    assert "storage from /elsewhere/storage" in err and "own virtual environment" in err


def test_the_script_is_the_entry_point() -> None:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'careline = "bot.entry:main"' in text
