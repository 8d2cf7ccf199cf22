"""Hot statements on the driver (storage/hot_sql.py), on real SQLite and PostgreSQL: the same
rows as SQLAlchemy's execution of the same statement (types processed both ways: aware UTC
datetimes, JSON, booleans, a column's default), in the same transaction (rolled back with
it), the driver's errors raised as SQLAlchemy's, and the engine's listeners see each one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    event,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from storage import hot_sql
from storage.db import Database
from storage.types import UTCDateTime

meta = MetaData()
things = Table(
    "hot_things",
    meta,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False, unique=True),
    Column("data", JSON, nullable=True),
    Column("at", UTCDateTime(), nullable=True),
    Column("flag", Boolean, nullable=False, default=False),  # filled in by SQLAlchemy
    Column("n", Integer, nullable=False),
)
AT = datetime(2026, 3, 2, 2, 0, 0, 123456, tzinfo=UTC)


def _p(name: str) -> Any:
    return bindparam(f"p_{name}", type_=things.c[name].type)


class Built:
    """The statements, per dialect, as a repository builds them (`hot_sql.statement`)."""

    def __init__(self, dialect: str) -> None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        plain = insert(things).values(
            name=_p("name"), data=_p("data"), at=_p("at"), n=7
        )  # n: a literal of the statement
        self.insert = plain.returning(*things.c)
        self.upsert = plain.on_conflict_do_update(
            index_elements=["name"], set_={"n": things.c.n + 1, "at": plain.excluded.at}
        ).returning(things.c.id, things.c.n, things.c.at)
        self.ignore = plain.on_conflict_do_nothing(index_elements=["name"]).returning(things.c.id)
        self.update = (
            update(things).where(things.c.name == _p("name")).values(data=_p("data"), flag=True)
        )
        self.counted = select(
            things.c.name,
            things.c.data,
            things.c.flag,
            select(func.count()).select_from(things).scalar_subquery(),
        ).where(things.c.at > _p("at"))


_built: dict[str, Built] = {}


def built(dialect: str) -> Built:
    return _built.setdefault(dialect, Built(dialect))


@pytest.fixture
async def hot_db(db: Database) -> AsyncIterator[Database]:
    async with db.engine.begin() as conn:
        await conn.run_sync(meta.create_all)
    try:
        yield db
    finally:
        async with db.engine.begin() as conn:
            await conn.run_sync(meta.drop_all)


async def _on_driver(db: Database, name: str, values: dict[str, Any], *, point: bool) -> list[Any]:
    """The statement run on the driver (`hot_sql.run`), in a transaction of its own."""
    async with db.transaction(point=point) as session:
        hot = hot_sql.statement(session, built, name)
        rows = await hot_sql.run(session, hot, values)
    return rows


async def _by_sqlalchemy(db: Database, name: str, values: dict[str, Any]) -> list[Any]:
    async with db.transaction() as session:
        hot = hot_sql.statement(session, built, name)
        result = await session.execute(hot.statement, values)
        return [tuple(r) for r in result.all()] if hot.keys else []


ROW = {"p_name": "一个", "p_data": {"k": ["值", 1, None]}, "p_at": AT}


@pytest.mark.parametrize("point", [True, False], ids=["point", "other transaction"])
async def test_rows_are_sqlalchemys_rows(hot_db: Database, point: bool) -> None:
    # insert: every column back, typed (JSON decoded, aware datetime, the default boolean)
    (row,) = await _on_driver(hot_db, "insert", ROW, point=point)
    assert row[1:] == ("一个", {"k": ["值", 1, None]}, AT, False, 7)
    assert row[3].tzinfo is not None
    again = {**ROW, "p_name": "两个"}
    assert [r[1:] for r in await _by_sqlalchemy(hot_db, "insert", again)] == [
        ("两个", {"k": ["值", 1, None]}, AT, False, 7)
    ]
    # upsert: the conflicting row updated and returned
    later = {**ROW, "p_at": AT + timedelta(days=1)}
    (up,) = await _on_driver(hot_db, "upsert", later, point=point)
    assert up == (row[0], 8, AT + timedelta(days=1))
    # a conflict ignored returns no row, as SQLAlchemy's
    assert await _on_driver(hot_db, "ignore", ROW, point=point) == []
    assert await _by_sqlalchemy(hot_db, "ignore", ROW) == []
    # an update returns nothing; a select with a scalar subquery
    assert await _on_driver(hot_db, "update", {"p_name": "两个", "p_data": None}, point=point) == []
    since = {"p_at": AT - timedelta(seconds=1)}
    ours = await _on_driver(hot_db, "counted", since, point=point)
    theirs = await _by_sqlalchemy(hot_db, "counted", since)
    assert sorted(ours) == sorted(theirs)
    assert sorted(ours) == [
        ("一个", {"k": ["值", 1, None]}, False, 2),
        ("两个", None, True, 2),
    ]


async def test_an_error_is_sqlalchemys_and_the_transaction_rolls_back(hot_db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with hot_db.transaction(point=True) as session:
            await hot_sql.run(session, hot_sql.statement(session, built, "insert"), ROW)
            dup = hot_sql.statement(session, built, "insert")
            await hot_sql.run(session, dup, ROW)  # the unique name again
    async with hot_db.transaction() as session:
        assert (await session.execute(select(func.count()).select_from(things))).scalar() == 0


async def test_the_engines_listeners_see_every_statement(hot_db: Database) -> None:
    seen: list[str] = []

    def on_sql(_c: object, _cur: object, statement: str, *_a: object) -> None:
        if "hot_things" in statement:
            seen.append(statement.split()[0])

    engine = hot_db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_sql)
    try:
        await _on_driver(hot_db, "insert", ROW, point=True)
        await _on_driver(hot_db, "update", {"p_name": "一个", "p_data": None}, point=True)
    finally:
        event.remove(engine, "before_cursor_execute", on_sql)
    assert seen == ["INSERT", "UPDATE"]


def test_a_default_computed_per_row_is_refused() -> None:
    computed = Table(
        "hot_computed",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("at", UTCDateTime(), default=lambda: datetime.now(UTC)),
    )
    with pytest.raises(ValueError, match="scalar column defaults only"):
        hot_sql.HotStatement.of(sqlite.insert(computed).values(id=1), sqlite.dialect())
