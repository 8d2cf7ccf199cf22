"""Telegram updates that could not be stored (`telegram_failed_updates`): record, list,
resolve. Rows carry ids and error classes only, never a message's text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import TelegramFailedUpdate
from storage.repos.sql import insert_ignore

ASKED_TO_RESEND, HANDLED = "asked_to_resend", "handled"
RESOLUTIONS = (ASKED_TO_RESEND, HANDLED)


async def record(
    session: AsyncSession,
    *,
    update_id: int,
    chat_id: str | None,
    kind: str,
    error: str,
    now: datetime,
) -> None:
    """Once per update id (the same update failing again is the same failure)."""
    table = TelegramFailedUpdate.__table__
    await session.execute(
        insert_ignore(session, table, ["update_id"]).values(  # type: ignore[arg-type]
            update_id=update_id,
            chat_id=chat_id[:64] if chat_id else None,
            kind=kind[:32],
            error=error[:64],
            failed_at=now,
        )
    )


async def listing(
    session: AsyncSession, *, include_resolved: bool = False, limit: int = 200
) -> list[TelegramFailedUpdate]:
    stmt = select(TelegramFailedUpdate).order_by(TelegramFailedUpdate.failed_at.desc()).limit(limit)
    if not include_resolved:
        stmt = stmt.where(TelegramFailedUpdate.resolved_at.is_(None))
    return list((await session.execute(stmt)).scalars())


async def open_count(session: AsyncSession) -> int:
    stmt = select(func.count()).where(TelegramFailedUpdate.resolved_at.is_(None))
    return int((await session.execute(stmt.select_from(TelegramFailedUpdate))).scalar_one())


async def by_update_id(session: AsyncSession, update_id: int) -> TelegramFailedUpdate | None:
    stmt = select(TelegramFailedUpdate).where(TelegramFailedUpdate.update_id == update_id)
    return (await session.execute(stmt.with_for_update())).scalar_one_or_none()


def resolve(row: TelegramFailedUpdate, resolution: str, by: str, now: datetime) -> None:
    if resolution not in RESOLUTIONS:
        raise ValueError(f"unknown resolution {resolution!r}")
    row.resolution, row.resolved_by, row.resolved_at = resolution, by[:64], now
