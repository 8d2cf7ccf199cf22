"""Conversation state, locked before it is loaded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation
from storage.repos.sql import dialect_of, upsert


async def take_conversation(
    session: AsyncSession, channel: str, address: str, now: datetime
) -> Conversation:
    """Create if missing and lock, in one statement: INSERT ... ON CONFLICT DO UPDATE ...
    RETURNING. The update changes nothing, but on PostgreSQL it locks the row like
    SELECT ... FOR UPDATE (SQLite: the write transaction is the lock)."""
    table = Conversation.__table__
    stmt = upsert(session, Conversation, ["channel", "address"], {"updated_at": table.c.updated_at})
    stmt = stmt.values(channel=channel, address=address, state={}, updated_at=now)
    rows = await session.scalars(
        stmt.returning(Conversation), execution_options={"populate_existing": True}
    )
    return rows.one()


def save_state(
    conv: Conversation, state: dict[str, Any], now: datetime, expires_at: datetime | None
) -> None:
    conv.state = state
    conv.updated_at = now
    conv.expires_at = expires_at


async def expired(session: AsyncSession, now: datetime, limit: int = 100) -> list[Conversation]:
    stmt = (
        select(Conversation)
        .where(Conversation.expires_at.is_not(None), Conversation.expires_at <= now)
        .order_by(Conversation.expires_at)
        .limit(limit)
    )
    if dialect_of(session) == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list((await session.execute(stmt)).scalars())


async def state_of(session: AsyncSession, channel: str, address: str) -> dict[str, Any] | None:
    """The conversation's saved state (None: no conversation)."""
    stmt = select(Conversation.state).where(
        Conversation.channel == channel, Conversation.address == address
    )
    return (await session.execute(stmt)).scalar_one_or_none()
