"""`careline users create`: weak or empty passwords refused; the account can sign in."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from bot.cli import main
from storage.db import Database, upgrade_sync
from tests.integration.console.support import console, login
from tests.support.databases import sqlite_url


async def _login_status(url: str, username: str, password: str) -> int:
    db = Database(url)
    try:
        async with console(db) as c, c.client() as client:
            return (await login(client, username, password)).status_code
    finally:
        await db.dispose()


@pytest.mark.parametrize(
    ("argv", "password", "code"),
    [
        (["--role", "admin", "--username", "root"], "", 2),
        (["--role", "admin", "--username", "root"], "qwerty12", 2),
        (["--role", "supervisor", "--username", "root"], "Strong-Pass-77", 2),  # needs --area
        (["--role", "admin", "--username", "root"], "Strong-Pass-77", 0),
    ],
)
def test_users_create(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    password: str,
    code: int,
) -> None:
    url = sqlite_url(tmp_path)
    upgrade_sync(url)
    monkeypatch.setenv("CARELINE_DATABASE_URL", url)
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    assert main(["users", "create", *argv, "--password-stdin"]) == code
    printed = capsys.readouterr()
    assert not password or password not in printed.out + printed.err
    assert asyncio.run(_login_status(url, "root", password)) == (303 if code == 0 else 401)
    if code == 0:  # a second account with the same name is refused
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        assert main(["users", "create", *argv, "--password-stdin"]) == 2
