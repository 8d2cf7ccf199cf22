"""Sign-in attempt counters, one row per key (an address or an account name), and one row per
account that signed in from an address ("ok:<address>|<name>", its window_start the time of
that account's last sign-in there)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LoginThrottle
from storage.repos.sql import dialect_of


class Counter(NamedTuple):
    attempts: int
    window_start: datetime
    blocked_until: datetime | None


class Locked(NamedTuple):
    counters: dict[str, Counter]
    signed_in: int  # accounts that signed in from the address since the cutoff


async def locked_counters(
    session: AsyncSession,
    keys: list[str],
    now: datetime,
    signed_in_prefix: str | None = None,
    signed_in_since: datetime | None = None,
) -> Locked:
    """The counters of `keys`, locked for this transaction, in one statement (a key without
    a row: no attempts, its window starting now), and, in the same statement, how many
    "signed in" rows under `signed_in_prefix` are newer than `signed_in_since` (not locked: a
    sign-in committed meanwhile is missed, which only ever makes the allowance smaller).

    SQLite: a plain read (write transactions start with BEGIN IMMEDIATE, so we are the only
    writer). PostgreSQL: an upsert that creates missing rows and locks all of them (rows in
    the order given: the address before the account, so two attempts never deadlock)."""
    table = LoginThrottle.__table__
    cols = (table.c.key, table.c.attempts, table.c.window_start, table.c.blocked_until)
    mine = literal(True).label("mine")
    others = None
    if signed_in_prefix is not None and signed_in_since is not None:
        others = select(*cols, literal(False).label("mine")).where(
            table.c.key.startswith(signed_in_prefix, autoescape=True),
            table.c.window_start > signed_in_since,
        )
    if dialect_of(session) == "postgresql":
        stmt = postgresql.insert(LoginThrottle).values(
            [dict(key=k, attempts=0, window_start=now, blocked_until=None) for k in keys]
        )
        stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"key": stmt.excluded.key})
        if others is None:
            result = await session.execute(stmt.returning(*cols, mine))
        else:
            up = stmt.returning(*cols, mine).cte("locked")
            result = await session.execute(select(up).union_all(others))
    else:
        query = select(*cols, mine).where(table.c.key.in_(keys))
        result = await session.execute(query if others is None else query.union_all(others))
    found: dict[str, Counter] = {}
    signed_in = 0
    for r in result:
        if r.mine:
            found[r.key] = Counter(r.attempts, r.window_start, r.blocked_until)
        else:
            signed_in += 1
    return Locked({k: found.get(k, Counter(0, now, None)) for k in keys}, signed_in)


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


async def signed_in(
    session: AsyncSession, account_key: str, signed_in_key: str, now: datetime
) -> None:
    """A successful sign-in: the account's counter goes, and the address's row for that account
    says when it last signed in there."""
    await forget(session, account_key)
    await write_counters(session, {signed_in_key: Counter(1, now, None)})
