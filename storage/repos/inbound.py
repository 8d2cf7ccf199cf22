"""Inbound messages: stored first, unique on (channel, provider id)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboundMessage
from storage.repos.sql import insert_ignore


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
