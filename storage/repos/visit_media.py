"""A visit's photos and voice notes: recorded by reference, attached or pending (the report
is still being written), claimed by the fetch job that keeps them in the media file store,
counted for the child's file, found for the console's view, and dropped (the caller deletes
the files: bot/media_store.py)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.types import MediaRef
from storage.models import Visit, VisitMedia
from storage.repos.sql import dialect_of


def add_photos(
    session: AsyncSession,
    *,
    director_id: int,
    visit_id: int | None,
    inbound_id: int | None,
    channel: str,
    media: Collection[MediaRef],
    now: datetime,
) -> None:
    for m in media:
        session.add(
            VisitMedia(
                visit_id=visit_id,
                director_id=director_id,
                inbound_id=inbound_id,
                channel=channel,
                ref=m.ref,
                content_type=m.content_type,
                size=m.size,
                kind="voice" if m.kind == "voice" else "image",
                created_at=now,
                fetch_retry_at=now,  # the fetch job takes it up at once
            )
        )


async def attach_pending(
    session: AsyncSession, director_id: int, visit_id: int, since: datetime
) -> int:
    """Photos sent while this visit was reported (since `since`) now belong to it."""
    result = await session.execute(
        update(VisitMedia)
        .where(
            VisitMedia.director_id == director_id,
            VisitMedia.visit_id.is_(None),
            VisitMedia.created_at >= since,
        )
        .values(visit_id=visit_id)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def count_for_visit(session: AsyncSession, visit_id: int, kind: str | None = None) -> int:
    q = select(func.count()).select_from(VisitMedia).where(VisitMedia.visit_id == visit_id)
    if kind is not None:
        q = q.where(VisitMedia.kind == kind)
    return int((await session.execute(q)).scalar_one())


async def photos_of_child(session: AsyncSession, child_id: int) -> list[VisitMedia]:
    """Every photo and voice note of the child's visits, newest visit first."""
    q = (
        select(VisitMedia)
        .join(Visit, Visit.id == VisitMedia.visit_id)
        .where(Visit.child_id == child_id)
        .order_by(Visit.visit_date.desc(), VisitMedia.id)
    )
    return list((await session.execute(q)).scalars())


async def photo_with_child(session: AsyncSession, media_id: int) -> tuple[VisitMedia, int] | None:
    """One photo or voice note and the id of the child whose visit it belongs to (None when
    pending)."""
    q = (
        select(VisitMedia, Visit.child_id)
        .join(Visit, Visit.id == VisitMedia.visit_id)
        .where(VisitMedia.id == media_id)
    )
    row = (await session.execute(q)).first()
    return None if row is None else (row[0], int(row[1]))


async def due_for_fetch(session: AsyncSession, now: datetime, limit: int) -> list[VisitMedia]:
    """Rows not stored yet whose next try has come, oldest first; locked and skipped by
    other processes on PostgreSQL."""
    stmt = (
        select(VisitMedia)
        .where(
            VisitMedia.fetched_at.is_(None),
            VisitMedia.fetch_retry_at.is_not(None),
            VisitMedia.fetch_retry_at <= now,
        )
        .order_by(VisitMedia.fetch_retry_at, VisitMedia.id)
        .limit(limit)
    )
    if dialect_of(session) == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list((await session.execute(stmt)).scalars())


async def existing_ids(session: AsyncSession, ids: Collection[int]) -> set[int]:
    """Which of these media ids still have a row (the store's orphan check)."""
    if not ids:
        return set()
    q = select(VisitMedia.id).where(VisitMedia.id.in_(list(ids)))
    return set((await session.execute(q)).scalars())


async def drop_pending(session: AsyncSession, director_id: int) -> list[int]:
    """A cancelled report: the director's media not attached to a visit go; their ids."""
    q = select(VisitMedia.id).where(
        VisitMedia.director_id == director_id, VisitMedia.visit_id.is_(None)
    )
    ids = list((await session.execute(q)).scalars())
    if ids:
        await session.execute(delete(VisitMedia).where(VisitMedia.id.in_(ids)))
    return ids


async def drop_older_than(session: AsyncSession, cutoff: datetime) -> int:
    """The retention sweep: media past their period go, pending ones never attached
    included (the sweep then removes their files as orphans)."""
    old = select(func.count()).select_from(VisitMedia).where(VisitMedia.created_at < cutoff)
    count = int((await session.execute(old)).scalar_one())
    if count:
        await session.execute(delete(VisitMedia).where(VisitMedia.created_at < cutoff))
    return count
