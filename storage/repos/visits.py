"""Visit records and drafts: the queries the visits capability needs (all indexed)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Area, Child, OutboxMessage, Person, Visit, VisitDraft
from storage.repos.sql import insert_ignore


async def insert_visit(session: AsyncSession, values: Mapping[str, Any]) -> int | None:
    """Insert a visit; None when a visit with the same ``dedup`` exists (a retried report)."""
    stmt = insert_ignore(session, Visit.__table__, ["dedup"]).values(**values)  # type: ignore[arg-type]
    result = await session.execute(stmt.returning(Visit.__table__.c.id))
    return result.scalar_one_or_none()


async def latest_visit_of_child(session: AsyncSession, child_id: int) -> Visit | None:
    """The child's most recent visit by visit date (ix_visits_child_latest)."""
    return (
        await session.execute(
            select(Visit)
            .where(Visit.child_id == child_id)
            .order_by(Visit.visit_date.desc(), Visit.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def last_visit_of_director(session: AsyncSession, director_id: int) -> Visit | None:
    """The visit this director saved last (ix_visits_director_last)."""
    return (
        await session.execute(
            select(Visit)
            .where(Visit.director_id == director_id)
            .order_by(Visit.created_at.desc(), Visit.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def refresh_child_due(session: AsyncSession, child: Child) -> None:
    """Set the child's next due date and guardianship level from its latest visit."""
    latest = await latest_visit_of_child(session, child.id)
    if latest is not None:
        child.next_visit_due = latest.next_due
        child.guardianship_level = latest.assessment


async def save_draft(
    session: AsyncSession, director_id: int, child_id: int, answers: dict[str, Any], now: datetime
) -> None:
    draft = (
        await session.execute(
            select(VisitDraft).where(
                VisitDraft.director_id == director_id, VisitDraft.child_id == child_id
            )
        )
    ).scalar_one_or_none()
    if draft is None:
        await session.execute(
            insert_ignore(session, VisitDraft.__table__, ["director_id", "child_id"]).values(  # type: ignore[arg-type]
                director_id=director_id,
                child_id=child_id,
                answers=answers,
                created_at=now,
                updated_at=now,
            )
        )
        return
    draft.answers = answers
    draft.updated_at = now


async def drop_draft(session: AsyncSession, director_id: int, child_id: int) -> int:
    result = await session.execute(
        delete(VisitDraft).where(
            VisitDraft.director_id == director_id, VisitDraft.child_id == child_id
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def latest_draft(session: AsyncSession, director_id: int) -> VisitDraft | None:
    return (
        await session.execute(
            select(VisitDraft)
            .where(VisitDraft.director_id == director_id)
            .order_by(VisitDraft.updated_at.desc(), VisitDraft.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


# --- digests ---------------------------------------------------------------------------


async def people_with_zone(
    session: AsyncSession, role: str, after_id: int, limit: int
) -> list[tuple[Person, str | None]]:
    """Active people of a role with their area's time zone, by id, one page after ``after_id``."""
    rows = await session.execute(
        select(Person, Area.timezone)
        .outerjoin(Area, Area.id == Person.area_id)
        .where(Person.role == role, Person.active.is_(True), Person.id > after_id)
        .order_by(Person.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in rows.all()]


async def existing_dedup_keys(session: AsyncSession, keys: Collection[str]) -> set[str]:
    if not keys:
        return set()
    rows = await session.execute(
        select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.in_(list(keys)))
    )
    return {k for k in rows.scalars() if k}


async def children_of_directors(
    session: AsyncSession, director_ids: Collection[int]
) -> dict[int, list[Child]]:
    found: dict[int, list[Child]] = {i: [] for i in director_ids}
    if not director_ids:
        return found
    rows = await session.execute(
        select(Child)
        .where(Child.director_id.in_(list(director_ids)), Child.active.is_(True))
        .order_by(Child.code)
    )
    for child in rows.scalars():
        if child.director_id is not None:
            found[child.director_id].append(child)
    return found


async def overdue_by_village(
    session: AsyncSession, township_id: int, today: date
) -> tuple[list[Area], dict[int, list[Child]]]:
    """A township's villages, and per village its children never visited or overdue."""
    villages = list(
        (
            await session.execute(
                select(Area).where(Area.parent_id == township_id).order_by(Area.name)
            )
        ).scalars()
    )
    found: dict[int, list[Child]] = {v.id: [] for v in villages}
    if villages:
        rows = await session.execute(
            select(Child)
            .where(
                Child.area_id.in_(list(found)),
                Child.active.is_(True),
                (Child.next_visit_due.is_(None)) | (Child.next_visit_due < today),
            )
            .order_by(Child.code)
        )
        for child in rows.scalars():
            found[child.area_id].append(child)
    return villages, found


async def region_codes_of_areas(
    session: AsyncSession, area_ids: Collection[int]
) -> dict[int, str | None]:
    rows = await session.execute(
        select(Area.id, Area.region_code).where(Area.id.in_(list(area_ids)))
    )
    return {row[0]: row[1] for row in rows.all()}


async def recent_visits(
    session: AsyncSession, child_id: int, limit: int, exclude: int | None = None
) -> list[Visit]:
    """The child's newest `limit` visits (leaving out `exclude`), newest first."""
    query = select(Visit).where(Visit.child_id == child_id)
    if exclude is not None:
        query = query.where(Visit.id != exclude)
    rows = await session.execute(
        query.order_by(Visit.visit_date.desc(), Visit.id.desc()).limit(limit)
    )
    return list(rows.scalars())
