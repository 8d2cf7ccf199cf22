"""Inbound messages: stored first, unique on (channel, provider id)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboundMessage
from storage.repos.sql import dialect_of


async def due_for_retry(
    session: AsyncSession, now: datetime, grace: timedelta, limit: int
) -> list[InboundMessage]:
    """Rows neither processed nor given up, older than `grace`, whose retry time has come,
    oldest first; locked and skipped by other processes on PostgreSQL."""
    stmt = (
        select(InboundMessage)
        .where(
            InboundMessage.processed_at.is_(None),
            InboundMessage.failed_at.is_(None),
            InboundMessage.received_at <= now - grace,
            or_(InboundMessage.retry_at.is_(None), InboundMessage.retry_at <= now),
        )
        .order_by(InboundMessage.received_at, InboundMessage.id)
        .limit(limit)
    )
    if dialect_of(session) == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list((await session.execute(stmt)).scalars())


async def latest_from(
    session: AsyncSession, channel: str, address: str, limit: int
) -> list[InboundMessage]:
    """The address's last `limit` messages on the channel, newest first."""
    rows = await session.execute(
        select(InboundMessage)
        .where(InboundMessage.channel == channel, InboundMessage.address == address)
        .order_by(InboundMessage.id.desc())
        .limit(limit)
    )
    return list(rows.scalars())
