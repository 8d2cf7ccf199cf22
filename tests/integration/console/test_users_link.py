"""`careline users create --person-phone`: the account acts as that roster person."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from storage.db import Database, upgrade_sync
from storage.models import ConsoleUser, Person
from tests.support.databases import sqlite_url

PHONE = "+8613800000004"


async def _seed_and_read(url: str, seed: bool) -> int | None:
    db = Database(url)
    try:
        async with db.transaction() as session:
            if seed:
                now = datetime(2026, 3, 2, tzinfo=UTC)
                session.add(Person(name="陈热线", role="hotline", phone=PHONE, created_at=now))
                return None
            user = (await session.execute(select(ConsoleUser))).scalar_one_or_none()
            return user.person_id if user else None
    finally:
        await db.dispose()


@pytest.mark.parametrize(
    ("phone", "code", "linked"), [(PHONE, 0, True), ("+8613911112222", 2, False)]
)
def test_users_create_links_a_roster_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, phone: str, code: int, linked: bool
) -> None:
    url = sqlite_url(tmp_path)
    upgrade_sync(url)
    asyncio.run(_seed_and_read(url, seed=True))
    monkeypatch.setenv("CARELINE_DATABASE_URL", url)
    monkeypatch.setattr("sys.stdin", io.StringIO("Strong-Pass-77\n"))
    argv = ["users", "create", "--role", "hotline", "--username", "chen"]
    assert main([*argv, "--person-phone", phone, "--password-stdin"]) == code
    person_id = asyncio.run(_seed_and_read(url, seed=False))
    assert (person_id is not None) is linked
