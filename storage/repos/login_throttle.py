"""Sign-in attempt counters, one row per key (an address or an account name)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LoginThrottle
from storage.repos.sql import dialect_of


class Counter(NamedTuple):
    attempts: int
    window_start: datetime
    blocked_until: datetime | None


async def locked_counters(
    session: AsyncSession, keys: list[str], now: datetime
) -> dict[str, Counter]:
    """The counters of `keys`, locked for this transaction, in one statement (a key without
    a row: no attempts, its window starting now).

    SQLite: a plain read (write transactions start with BEGIN IMMEDIATE, so we are the only
    writer). PostgreSQL: an upsert that creates missing rows and locks all of them (rows in
    the order given: the address before the account, so two attempts never deadlock)."""
    table = LoginThrottle.__table__
    cols = (table.c.key, table.c.attempts, table.c.window_start, table.c.blocked_until)
    if dialect_of(session) == "postgresql":
        stmt = postgresql.insert(LoginThrottle).values(
            [dict(key=k, attempts=0, window_start=now, blocked_until=None) for k in keys]
        )
        stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"key": stmt.excluded.key})
        result = await session.execute(stmt.returning(*cols))
    else:
        result = await session.execute(select(*cols).where(table.c.key.in_(keys)))
    found = {r.key: Counter(r.attempts, r.window_start, r.blocked_until) for r in result}
    return {k: found.get(k, Counter(0, now, None)) for k in keys}


async def write_counters(session: AsyncSession, rows: Mapping[str, Counter]) -> None:
    """One upsert for every counter given."""
    if not rows:
        return
    insert = postgresql.insert if dialect_of(session) == "postgresql" else sqlite.insert
    stmt = insert(LoginThrottle).values(
        [
            {
                "key": k,
                "attempts": r.attempts,
                "window_start": r.window_start,
                "blocked_until": r.blocked_until,
            }
            for k, r in rows.items()
        ]
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={c: stmt.excluded[c] for c in ("attempts", "window_start", "blocked_until")},
        )
    )


async def forget(session: AsyncSession, key: str) -> None:
    await session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


async def blocked_keys(session: AsyncSession, prefix: str, now: datetime) -> list[str]:
    """The keys starting with `prefix` that are blocked now."""
    rows = await session.execute(
        select(LoginThrottle.key).where(
            LoginThrottle.key.like(f"{prefix}%"), LoginThrottle.blocked_until > now
        )
    )
    return list(rows.scalars())
