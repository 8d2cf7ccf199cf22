"""Dialect helpers shared by the repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.db import CONNECTION


def insert_ignore(session: AsyncSession, table: Table, conflict_cols: list[str]) -> Insert:
    """INSERT ... ON CONFLICT (cols) DO NOTHING, on PostgreSQL and SQLite alike."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing(index_elements=conflict_cols)
    else:
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=conflict_cols)
    return stmt


async def connection_of(session: AsyncSession) -> AsyncConnection:
    """The session's connection: the one its point transaction began with, else asked (each
    `AsyncSession.connection()` is a greenlet of its own: a per-statement cost on the
    inbound path)."""
    found = session.info.get(CONNECTION)
    if isinstance(found, AsyncConnection):
        return found
    return await session.connection()


def dialect_of(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def upsert(
    session: AsyncSession, entity: Any, conflict_cols: list[str], set_: dict[str, Any]
) -> Any:
    """INSERT ... ON CONFLICT (cols) DO UPDATE SET ..., on PostgreSQL and SQLite alike.

    With `.returning(Entity)` it yields the row as inserted or updated, in one statement;
    on PostgreSQL the conflicting row stays locked to the end of the transaction (as with
    SELECT ... FOR UPDATE). Execute it with `populate_existing` so the session's copy is fresh.
    """
    insert = postgresql.insert if dialect_of(session) == "postgresql" else sqlite.insert
    return insert(entity).on_conflict_do_update(index_elements=conflict_cols, set_=set_)
