"""The SMS template registry, shared provider tokens and SMS receipts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProviderToken, SmsReceipt, SmsTemplate
from storage.repos.sql import insert_ignore


async def templates_for_key(session: AsyncSession, key: str) -> list[SmsTemplate]:
    rows = await session.execute(select(SmsTemplate).where(SmsTemplate.key == key))
    return list(rows.scalars())


async def all_templates(session: AsyncSession) -> list[SmsTemplate]:
    rows = await session.execute(
        select(SmsTemplate).order_by(SmsTemplate.key, SmsTemplate.provider)
    )
    return list(rows.scalars())


async def template(session: AsyncSession, key: str, provider: str) -> SmsTemplate | None:
    return (
        await session.execute(
            select(SmsTemplate).where(SmsTemplate.key == key, SmsTemplate.provider == provider)
        )
    ).scalar_one_or_none()


async def upsert_template(
    session: AsyncSession,
    *,
    key: str,
    provider: str,
    now: datetime,
    actor: str | None = None,
    **values: Any,
) -> SmsTemplate:
    row = await template(session, key, provider)
    if row is None:
        row = SmsTemplate(key=key, provider=provider, updated_at=now, variables=[])
        session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = now
    row.updated_by = actor
    await session.flush()
    return row


async def by_code(session: AsyncSession, provider: str, code: str) -> list[SmsTemplate]:
    rows = await session.execute(
        select(SmsTemplate).where(
            SmsTemplate.provider == provider, SmsTemplate.template_code == code
        )
    )
    return list(rows.scalars())


async def token(session: AsyncSession, name: str) -> ProviderToken | None:
    return await session.get(ProviderToken, name, populate_existing=True)


async def lock_token(session: AsyncSession, name: str, now: datetime) -> ProviderToken:
    """The token row, locked for this transaction (PostgreSQL; SQLite serializes writers)."""
    table = ProviderToken.__table__
    await session.execute(
        insert_ignore(session, table, ["name"]).values(  # type: ignore[arg-type]
            name=name, token="", expires_at=now, fetched_at=now
        )
    )
    row = (
        await session.execute(
            select(ProviderToken)
            .where(ProviderToken.name == name)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    return row


async def add_receipt(session: AsyncSession, **values: Any) -> int | None:
    """Store one delivery report; None when the same report (dedup_key) was stored before."""
    table = SmsReceipt.__table__
    stmt = insert_ignore(session, table, ["dedup_key"]).values(**values)  # type: ignore[arg-type]
    result = await session.execute(stmt.returning(table.c.id))
    return result.scalar_one_or_none()


async def receipts(session: AsyncSession, provider: str | None = None) -> Sequence[SmsReceipt]:
    stmt = select(SmsReceipt).order_by(SmsReceipt.id)
    if provider:
        stmt = stmt.where(SmsReceipt.provider == provider)
    return list((await session.execute(stmt)).scalars())
