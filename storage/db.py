"""Engine, transactions and migration checks. Built once by the wiring point, never at import."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import committed_writes
from storage.sqlite_driver import BUSY_TIMEOUT_MS, OneHopConnection, one_hop_dbapi

if TYPE_CHECKING:  # alembic is imported to migrate, not to check the revision at start
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# An execution option of a transaction of point statements (`Database.transaction(point=)`)
POINT = "careline_point"
# `session.info` key: that transaction's connection, taken once when it began
# (`storage.repos.sql.connection_of`)
CONNECTION = "careline_connection"
POOL_RECYCLE_SECONDS = 300


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


_REVISION = re.compile(r"^(down_)?revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


@cache
def head_revision() -> str | None:
    """The newest migration: the one revision no other names as its `down_revision`, read
    from the files without importing alembic (which costs start-up time and memory; a test
    checks the answer against alembic's own)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (downs if down else revisions).add(value)
    heads = revisions - downs
    if len(heads) != 1:
        raise RuntimeError(f"storage/migrations has {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def _stored_revision(connection: Connection) -> str | None:
    """What alembic's `MigrationContext.get_current_revision` reads, in one query."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    if len(rows) > 1:
        raise RuntimeError("the database's alembic_version holds several heads")
    return rows[0][0] if rows else None


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def _sqlite_setup(engine: AsyncEngine) -> None:
    """WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE so writers queue, not deadlock."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        raw = conn.connection.dbapi_connection
        if conn.get_execution_options().get(POINT) and isinstance(raw, OneHopConnection):
            raw.begin_here()  # the transaction of point statements runs on this thread
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        # Never put bound values (phone numbers, message texts) into exception messages.
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.dialect != "sqlite":
            # No pre-ping (it cost 3 round trips each time a connection was taken): idle
            # connections are replaced after POOL_RECYCLE_SECONDS instead, and a connection
            # the server dropped fails once, invalidating the pool (the inbound path then
            # takes its two-step fallback on a fresh connection).
            kwargs.update(
                pool_size=pool_size, max_overflow=pool_size, pool_recycle=POOL_RECYCLE_SECONDS
            )
        else:
            # SQLite has one writer: queue transactions on one connection in-process rather
            # than letting several connections spin in SQLite's sleeping busy handler.
            kwargs.update(pool_size=1, max_overflow=0, pool_timeout=120)
            if make_url(url).get_driver_name() == "aiosqlite":
                kwargs["module"] = one_hop_dbapi()  # one thread hop per statement
            path = sqlite_path(url)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        committed_writes.watch(self.engine)  # what the live screen's probe cache trusts
        if self.dialect == "sqlite":
            _sqlite_setup(self.engine)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    @asynccontextmanager
    async def transaction(self, *, point: bool = False) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit on success, roll back on any error. `point`: it runs
        only point statements (the inbound path's), which on SQLite then run on the event
        loop's thread (`storage.sqlite_driver.OneHopConnection.begin_here`)."""
        async with self.sessions() as session, session.begin():
            if point:
                conn = await session.connection(execution_options={POINT: True})
                session.info[CONNECTION] = conn  # asked once (`repos.sql.connection_of`)
            yield session

    async def ping(self) -> bool:
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")
        return True

    async def current_revision(self) -> str | None:
        async with self.engine.connect() as conn:
            return await conn.run_sync(_stored_revision)

    def head_revision(self) -> str | None:
        return head_revision()

    async def is_migrated(self) -> bool:
        return await self.current_revision() == self.head_revision()

    async def upgrade(self) -> None:
        cfg = alembic_config(self.url)
        async with self.engine.begin() as conn:
            await conn.run_sync(_run_upgrade, cfg)

    async def dispose(self) -> None:
        await self.engine.dispose()


def _run_upgrade(connection: Connection, cfg: Config) -> None:
    from alembic import command

    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


def upgrade_sync(url: str) -> None:
    async def go() -> None:
        db = Database(url)
        try:
            await db.upgrade()
        finally:
            await db.dispose()

    asyncio.run(go())
