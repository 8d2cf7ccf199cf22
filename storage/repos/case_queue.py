"""The hotline queue's queries: cases with their area and owner, filtered and sorted
(severity first, then the time left to acknowledge), and who may see which case."""

from __future__ import annotations

from typing import Any, TypedDict

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Area, Case, Child, Person
from storage.repos.cases import ACTIVE

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2}
STATUSES = ("open", "claimed", "referred", "closed")


def case_area_id() -> Any:
    """The case's village: the child's, else the reporter's own area."""
    reporter = aliased(Person)
    return func.coalesce(
        select(Child.area_id).where(Child.id == Case.child_id).scalar_subquery(),
        select(reporter.area_id).where(reporter.id == Case.reporter_person_id).scalar_subquery(),
    )


class QueueFilters(TypedDict, total=False):
    """The queue's filters besides the reader: what `queue_rows` and the console's view take."""

    status: str
    category: str
    area: str
    mine: bool
    lane: str
    limit: int


async def queue_rows(
    session: AsyncSession,
    *,
    person_id: int | None,
    allowed_areas: set[int] | None,
    status: str = "",
    category: str = "",
    area: str = "",
    mine: bool = False,
    lane: str = "alert",
    limit: int = 200,
) -> list[tuple[Case, str | None, str | None]]:
    """(case, area name, owner name) of one lane: "alert" (the urgent queue), "review"
    (needs review), or "all"."""
    area_id = case_area_id().label("area_id")
    owner = aliased(Person)
    inner = select(Case.id.label("case_id"), area_id).subquery()
    where: list[Any] = [Case.status == status] if status in STATUSES else [Case.status.in_(ACTIVE)]
    if category:
        where.append(Case.category == category)
    if lane in ("alert", "review"):
        where.append(Case.needs_review.is_(lane == "review"))
    if mine:
        where.append(Case.owner_id == (person_id if person_id is not None else -1))
    if allowed_areas is not None:
        where.append(inner.c.area_id.in_(allowed_areas or {-1}))
    if area:
        chosen = select(Area.id).where(Area.code == area).scalar_subquery()
        in_area = select(Area.id).where(or_(Area.id == chosen, Area.parent_id == chosen))
        where.append(inner.c.area_id.in_(in_area))
    severity_rank = case(
        *((Case.severity == s, rank) for s, rank in SEVERITY_ORDER.items()), else_=9
    )
    unacked_first = case((Case.acknowledged_at.is_(None), 0), else_=1)
    stmt = (
        select(Case, Area.name, owner.name)
        .join(inner, inner.c.case_id == Case.id)
        .outerjoin(Area, Area.id == inner.c.area_id)
        .outerjoin(owner, owner.id == Case.owner_id)
        .where(and_(*where))
        .order_by(severity_rank, unacked_first, Case.ack_due_at, Case.opened_at)
        .limit(limit)
    )
    return [(c, a, o) for c, a, o in (await session.execute(stmt)).all()]


async def categories(session: AsyncSession, allowed_areas: set[int] | None = None) -> list[str]:
    """The categories of the cases one may see (a supervisor: their township's only)."""
    stmt = select(Case.category).distinct().order_by(Case.category)
    if allowed_areas is not None:
        stmt = stmt.where(case_area_id().in_(allowed_areas or {-1}))
    rows = await session.execute(stmt)
    return [str(r) for r in rows.scalars()]


async def area_of(session: AsyncSession, case_id: int) -> int | None:
    """The case's village (see `case_area_id`)."""
    stmt = select(case_area_id().label("a")).select_from(Case).where(Case.id == case_id)
    return (await session.execute(stmt)).scalar()


async def visible(session: AsyncSession, c: Case, allowed_areas: set[int] | None) -> bool:
    if allowed_areas is None:
        return True
    return await area_of(session, c.id) in allowed_areas
