"""The SMS template registry, shared provider tokens and SMS receipts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, ProviderToken, SmsReceipt, SmsTemplate, SmsTemplateVersion
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


# What a change of which makes a new version (review_note follows status).
TRACKED = (
    "template_code",
    "sign_name",
    "text",
    "variables",
    "template_class",
    "status",
    "scene_note",
)
IN_REVIEW = "in_review"


def tracked(row: SmsTemplate) -> dict[str, Any]:
    return {name: getattr(row, name) for name in TRACKED}


def _snapshot(
    row: SmsTemplate, changes: list[str], at: datetime, actor: str | None, restored: int | None
) -> SmsTemplateVersion:
    return SmsTemplateVersion(
        template_id=row.id,
        version=row.version,
        key=row.key,
        provider=row.provider,
        template_code=row.template_code,
        sign_name=row.sign_name,
        text=row.text,
        variables=list(row.variables or []),
        template_class=row.template_class,
        status=row.status,
        review_note=row.review_note,
        scene_note=row.scene_note,
        changes=changes,
        restored_from=restored,
        changed_at=at,
        changed_by=actor,
    )


async def first_versions(
    session: AsyncSession, rows: Sequence[SmsTemplate], *, at: datetime, actor: str | None
) -> None:
    """New registry entries are each their version 1."""
    await session.flush()
    for row in rows:
        row.version = 1
        session.add(_snapshot(row, ["created"], at, actor, None))
    await session.flush()


async def record_change(
    session: AsyncSession,
    row: SmsTemplate,
    before: dict[str, Any],
    *,
    at: datetime,
    actor: str | None,
    restored_from: int | None = None,
) -> SmsTemplateVersion | None:
    """After changing `row` (its tracked fields were `before`): a new version naming the
    changed fields, who and when; None when nothing tracked changed."""
    changes = [name for name in TRACKED if before.get(name) != getattr(row, name)]
    if not changes and restored_from is None:
        return None
    row.version = (row.version or 0) + 1
    version = _snapshot(row, changes, at, actor, restored_from)
    session.add(version)
    await session.flush()
    return version


async def upsert_template(
    session: AsyncSession,
    *,
    key: str,
    provider: str,
    now: datetime,
    actor: str | None = None,
    **values: Any,
) -> SmsTemplate:
    """Create or change an entry; each change that matters is a new version."""
    row = await template(session, key, provider)
    created = row is None
    if row is None:
        row = SmsTemplate(key=key, provider=provider, updated_at=now, variables=[], version=1)
        session.add(row)
    before = tracked(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = now
    row.updated_by = actor
    await session.flush()
    if created:
        await first_versions(session, [row], at=now, actor=actor)
    else:
        await record_change(session, row, before, at=now, actor=actor)
    return row


async def versions(session: AsyncSession, template_id: int) -> list[SmsTemplateVersion]:
    """An entry's history, newest first."""
    rows = await session.execute(
        select(SmsTemplateVersion)
        .where(SmsTemplateVersion.template_id == template_id)
        .order_by(SmsTemplateVersion.version.desc())
    )
    return list(rows.scalars())


async def sent_per_version(session: AsyncSession, version_ids: list[int]) -> dict[int, int]:
    """How many messages went out with each version."""
    if not version_ids:
        return {}
    rows = await session.execute(
        select(OutboxMessage.template_version_id, func.count())
        .where(OutboxMessage.template_version_id.in_(version_ids))
        .group_by(OutboxMessage.template_version_id)
    )
    return {int(v): int(n) for v, n in rows.all() if v is not None}


async def restore_version(
    session: AsyncSession, template_id: int, version: int, *, at: datetime, actor: str | None
) -> SmsTemplate | None:
    """Put an old version's code, signature, text, variables, class and scene note back, as a
    new version. It goes back to review: the provider's status is synced again before any
    send (an old template may have been withdrawn at the provider)."""
    row = await session.get(SmsTemplate, template_id)
    old = (
        await session.execute(
            select(SmsTemplateVersion).where(
                SmsTemplateVersion.template_id == template_id,
                SmsTemplateVersion.version == version,
            )
        )
    ).scalar_one_or_none()
    if row is None or old is None:
        return None
    before = tracked(row)
    row.template_code, row.sign_name, row.text = old.template_code, old.sign_name, old.text
    row.variables = list(old.variables or [])
    row.template_class, row.scene_note = old.template_class, old.scene_note
    row.status, row.review_note = IN_REVIEW, None
    row.updated_at, row.updated_by = at, actor
    await record_change(session, row, before, at=at, actor=actor, restored_from=version)
    return row


async def current_version_ids(session: AsyncSession, rows: Sequence[SmsTemplate]) -> dict[int, int]:
    """template id -> the id of its current version row."""
    if not rows:
        return {}
    found = await session.execute(
        select(
            SmsTemplateVersion.template_id, SmsTemplateVersion.version, SmsTemplateVersion.id
        ).where(SmsTemplateVersion.template_id.in_([r.id for r in rows]))
    )
    current = {r.id: r.version for r in rows}
    return {t: i for t, v, i in found.all() if t is not None and current.get(t) == v}


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
