"""SQLite through aiosqlite with one thread hop per statement (storage/sqlite_driver.py):
the same answers as SQLAlchemy's own adapter (rows, row counts, inserted ids, many rows,
streaming, errors translated), for a quarter of the hops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from storage.db import Database

meta = MetaData()
things = Table(
    "things",
    meta,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), unique=True),
)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/driver.db")
    async with database.engine.begin() as conn:
        await conn.run_sync(meta.create_all)
    yield database
    await database.dispose()


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every function queued on aiosqlite's thread."""
    queued: list[str] = []
    real = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        queued.append(getattr(fn, "__name__", repr(fn)))
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return queued


async def test_a_statement_is_one_hop(db: Database, hops: list[str]) -> None:
    async with db.engine.connect() as conn:  # the pool's connection, opened once
        await conn.execute(text("SELECT 1"))
    hops.clear()
    async with db.transaction() as session:
        await session.execute(insert(things).values(name="a"))
        await session.execute(select(things.c.id))
    # BEGIN IMMEDIATE, the insert, the select, the commit: four hops (SQLAlchemy's own
    # adapter made 1 + 4 + 4 + 1 here)
    assert len(hops) == 4, hops


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("rows", [(1, "a"), (2, "b"), (3, "c")]),
        ("rowcount", 2),
        ("inserted id", 4),
        ("returning", [(5,)]),
    ],
)
async def test_answers_as_sqlalchemys_adapter(db: Database, statement: str, expected: Any) -> None:
    async with db.transaction() as session:
        await session.execute(insert(things), [{"name": n} for n in "abc"])  # executemany
        if statement == "rows":
            got: Any = [tuple(r) for r in await session.execute(select(things))]
        elif statement == "rowcount":
            result = await session.execute(update(things).where(things.c.id > 1).values(name=None))
            got = result.rowcount  # type: ignore[attr-defined]
        elif statement == "inserted id":
            result = await session.execute(insert(things).values(name="d"))
            got = result.inserted_primary_key[0]  # type: ignore[attr-defined]
        else:
            await session.execute(insert(things).values(name="d"))
            stmt = insert(things).values(name="e").returning(things.c.id)
            got = [tuple(r) for r in await session.execute(stmt)]
    assert got == expected


async def test_streaming_keeps_sqlalchemys_cursor(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(insert(things), [{"name": str(i)} for i in range(50)])
    async with db.engine.connect() as conn:
        result = await conn.stream(select(things.c.id).order_by(things.c.id))
        ids = [row[0] async for row in result]
    assert ids == list(range(1, 51))


async def test_errors_are_sqlalchemys_and_what_is_not_committed_rolls_back(db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            await session.execute(insert(things).values(name="x"))
            await session.execute(insert(things).values(name="x"))
    with pytest.raises(OperationalError):
        async with db.transaction() as session:
            await session.execute(text("SELEC nothing"))
    async with db.engine.connect() as conn:  # left without a commit: the pool rolls back
        await conn.execute(insert(things).values(name="y"))
    async with db.transaction() as session:  # the connection is still good, nothing kept
        assert (await session.execute(select(things))).all() == []


# --- a transaction of point statements runs on the event loop's thread (`begin_here`) -------


async def test_a_point_transaction_makes_no_hop(db: Database, hops: list[str]) -> None:
    async with db.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
    hops.clear()
    async with db.transaction(point=True) as session:
        await session.execute(insert(things).values(name="a"))
        await session.execute(update(things).values(name="b"))
        assert (await session.execute(select(things.c.name))).scalar_one() == "b"
    assert hops == []  # BEGIN IMMEDIATE, the statements and the commit: all here
    async with db.transaction() as session:  # a transaction of another kind hops as before
        assert (await session.execute(select(things.c.name))).scalar_one() == "b"
    assert len(hops) == 3, hops


async def test_a_point_transaction_rolls_back_what_failed(db: Database, hops: list[str]) -> None:
    with pytest.raises(IntegrityError):
        async with db.transaction(point=True) as session:
            await session.execute(insert(things).values(name="a"))
            await session.execute(insert(things).values(name="a"))  # unique: fails
    async with db.transaction(point=True) as session:
        assert (await session.execute(select(things.c.id))).all() == []
    assert hops == []


async def test_a_point_transaction_waits_for_another_writer_off_the_event_loop(
    db: Database, tmp_path: Path, hops: list[str]
) -> None:
    """Another connection (another process) holds the write lock: the point transaction's
    BEGIN waits on aiosqlite's thread (the event loop goes on meanwhile) and then runs."""
    other = await aiosqlite.connect(tmp_path / "driver.db", isolation_level=None)
    await other.execute("BEGIN IMMEDIATE")
    await other.execute("INSERT INTO things (name) VALUES ('other')")

    async def write() -> None:
        async with db.transaction(point=True) as session:
            await session.execute(insert(things).values(name="mine"))

    task = asyncio.create_task(write())
    for _ in range(10_000):  # until the BEGIN is queued on aiosqlite's thread (on the lock)
        if "_run" in hops:
            break
        await asyncio.sleep(0)
    assert not task.done()  # and this coroutine still runs: the event loop is not held
    await other.commit()
    await task
    await other.close()
    async with db.transaction(point=True) as session:
        names = set((await session.execute(select(things.c.name))).scalars())
    assert names == {"other", "mine"}
