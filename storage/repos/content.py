"""Administrators' content versions: drafts, the published override, history, restore.

Every publish, restore or revert bumps the single `content_state.version` counter, which
every process checks (cheaply) to know when to reload its overrides.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ContentState, ContentVersion

DRAFT, PUBLISHED, ARCHIVED = "draft", "published", "archived"


async def content_version(session: AsyncSession) -> int:
    row = await session.execute(select(ContentState.version).where(ContentState.id == 1))
    return int(row.scalar_one_or_none() or 0)


async def bump_version(session: AsyncSession) -> None:
    result = await session.execute(
        update(ContentState).where(ContentState.id == 1).values(version=ContentState.version + 1)
    )
    if getattr(result, "rowcount", 0) == 0:
        session.add(ContentState(id=1, version=1))
    await session.flush()


async def published_overrides(session: AsyncSession) -> dict[tuple[str, str], str]:
    return await _texts(session, PUBLISHED)


async def _texts(session: AsyncSession, status: str) -> dict[tuple[str, str], str]:
    """Every (key, locale)'s text among the versions with this status."""
    rows = await session.execute(
        select(ContentVersion.key, ContentVersion.locale, ContentVersion.text).where(
            ContentVersion.status == status
        )
    )
    return {(k, loc): text for k, loc, text in rows.all()}


async def current(
    session: AsyncSession, key: str, locale: str, status: str
) -> ContentVersion | None:
    row = await session.execute(
        select(ContentVersion)
        .where(
            ContentVersion.key == key,
            ContentVersion.locale == locale,
            ContentVersion.status == status,
        )
        .order_by(ContentVersion.id.desc())
        .limit(1)
    )
    return row.scalar_one_or_none()


async def drafts(session: AsyncSession) -> dict[tuple[str, str], str]:
    return await _texts(session, DRAFT)


async def save_draft(
    session: AsyncSession, *, key: str, locale: str, text: str, author: str, now: datetime
) -> ContentVersion:
    """One draft per key and locale: a new save replaces the draft's text."""
    draft = await current(session, key, locale, DRAFT)
    if draft is None:
        draft = ContentVersion(
            key=key, locale=locale, text=text, status=DRAFT, author=author, created_at=now
        )
        session.add(draft)
    else:
        draft.text, draft.author, draft.created_at = text, author, now
    await session.flush()
    return draft


async def _archive_published(session: AsyncSession, key: str, locale: str) -> None:
    await session.execute(
        update(ContentVersion)
        .where(
            ContentVersion.key == key,
            ContentVersion.locale == locale,
            ContentVersion.status == PUBLISHED,
        )
        .values(status=ARCHIVED)
    )


async def publish_draft(
    session: AsyncSession, *, key: str, locale: str, author: str, now: datetime
) -> ContentVersion | None:
    draft = await current(session, key, locale, DRAFT)
    if draft is None:
        return None
    await bump_version(session)  # first: on PostgreSQL its row lock serializes publishers
    await _archive_published(session, key, locale)
    draft.status, draft.author, draft.published_at = PUBLISHED, author, now
    return draft


async def restore(
    session: AsyncSession, *, version_id: int, author: str, now: datetime
) -> ContentVersion | None:
    """Publish a copy of an earlier version (history stays append-only)."""
    old = await session.get(ContentVersion, version_id)
    if old is None:
        return None
    await bump_version(session)
    await _archive_published(session, old.key, old.locale)
    copy = ContentVersion(
        key=old.key,
        locale=old.locale,
        text=old.text,
        status=PUBLISHED,
        author=author,
        created_at=now,
        published_at=now,
    )
    session.add(copy)
    await session.flush()
    return copy


async def revert_to_shipped(session: AsyncSession, *, key: str, locale: str) -> None:
    await bump_version(session)
    await _archive_published(session, key, locale)


async def history(session: AsyncSession, key: str, locale: str) -> list[ContentVersion]:
    rows = await session.execute(
        select(ContentVersion)
        .where(ContentVersion.key == key, ContentVersion.locale == locale)
        .order_by(ContentVersion.id.desc())
    )
    return list(rows.scalars())
