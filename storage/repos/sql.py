"""Dialect helpers shared by the repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_ignore(session: AsyncSession, table: Table, conflict_cols: list[str]) -> Insert:
    """INSERT ... ON CONFLICT (cols) DO NOTHING, on PostgreSQL and SQLite alike."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing(index_elements=conflict_cols)
    else:
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=conflict_cols)
    return stmt


def dialect_of(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"
