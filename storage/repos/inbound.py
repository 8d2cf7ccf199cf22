"""Inbound messages: stored first, unique on (channel, provider id)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboundMessage
from storage.repos.sql import dialect_of, insert_ignore


async def store_inbound(
    session: AsyncSession,
    *,
    channel: str,
    provider_id: str,
    address: str,
    text: str,
    payload: str | None,
    received_at: datetime,
    media: list[dict[str, Any]] | None = None,
) -> int | None:
    """Insert the message; None when this (channel, provider id) was stored before (a retry)."""
    stmt = (
        insert_ignore(session, InboundMessage.__table__, ["channel", "provider_id"])  # type: ignore[arg-type]
        .values(
            channel=channel,
            provider_id=provider_id,
            address=address,
            text=text,
            payload=payload,
            media=media,
            received_at=received_at,
        )
        .returning(InboundMessage.__table__.c.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def locked_inbound(session: AsyncSession, inbound_id: int) -> InboundMessage:
    """The stored row, locked (SELECT ... FOR UPDATE) and read afresh."""
    stmt = (
        select(InboundMessage)
        .where(InboundMessage.id == inbound_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one()


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
