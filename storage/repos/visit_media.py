"""A visit's photos, by reference: attached, pending (the report is still being written),
counted for the child's file and found for the console's on-demand fetch."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.types import MediaRef
from storage.models import Visit, VisitMedia


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
                created_at=now,
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


async def count_for_visit(session: AsyncSession, visit_id: int) -> int:
    q = select(func.count()).select_from(VisitMedia).where(VisitMedia.visit_id == visit_id)
    return int((await session.execute(q)).scalar_one())


async def photos_of_child(session: AsyncSession, child_id: int) -> list[VisitMedia]:
    """Every photo of the child's visits, newest visit first."""
    q = (
        select(VisitMedia)
        .join(Visit, Visit.id == VisitMedia.visit_id)
        .where(Visit.child_id == child_id)
        .order_by(Visit.visit_date.desc(), VisitMedia.id)
    )
    return list((await session.execute(q)).scalars())


async def photo_with_child(session: AsyncSession, media_id: int) -> tuple[VisitMedia, int] | None:
    """One photo and the id of the child whose visit it belongs to (None when pending)."""
    q = (
        select(VisitMedia, Visit.child_id)
        .join(Visit, Visit.id == VisitMedia.visit_id)
        .where(VisitMedia.id == media_id)
    )
    row = (await session.execute(q)).first()
    return None if row is None else (row[0], int(row[1]))


async def drop_older_than(session: AsyncSession, cutoff: datetime) -> int:
    """The retention sweep: references past their period go (pending ones included)."""
    old = select(func.count()).select_from(VisitMedia).where(VisitMedia.created_at < cutoff)
    count = int((await session.execute(old)).scalar_one())
    if count:
        await session.execute(delete(VisitMedia).where(VisitMedia.created_at < cutoff))
    return count
