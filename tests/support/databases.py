"""Real databases for tests: a fresh SQLite file per test, and one migrated PostgreSQL
database per session, emptied before each test.

PostgreSQL comes from CARELINE_TEST_PG_URL (default: the local server). When it is not
reachable, PostgreSQL tests skip with the reason on a developer's machine and FAIL in CI.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import Database, upgrade_sync
from storage.models import Base

PG_ADMIN_URL = os.environ.get(
    "CARELINE_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _pg_exec(sql: str) -> None:
    conn = await asyncpg.connect(_plain(PG_ADMIN_URL), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def pg_unavailable_reason() -> str | None:
    try:
        asyncio.run(_pg_exec("SELECT 1"))
    except Exception as exc:
        return f"PostgreSQL not reachable at CARELINE_TEST_PG_URL ({type(exc).__name__}: {exc})"
    return None


def require_postgres() -> None:
    reason = pg_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(reason + " — CI must provide PostgreSQL (.ci/run starts it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    require_postgres()
    name = f"careline_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_exec(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade_sync(url)
    yield url
    asyncio.run(_pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def empty_postgres(db: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with db.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'careline.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
        upgrade_sync(url)
        return url
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    if database.is_postgres:
        await empty_postgres(database)
    yield database
    await database.dispose()
