"""The hotline queue as data: cases with their area, owner and SLA state, filtered and sorted
(severity first, then the time left to acknowledge). Shared by the queue page and its JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Area, Case, Child, Person
from storage.repos.cases import ACTIVE

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2}
STATUSES = ("open", "claimed", "referred", "closed")
KNOWN_CATEGORIES = (  # the shipped lexicon's, plus the review queue's; others show their id
    "violence_abuse", "sexual_abuse", "self_harm", "accident_injury", "bullying_violence",
    "child_alone_missing", "guardian_incapacity", "trafficking_begging_labour",
    "other_serious_harm", "unclassified",
)  # fmt: skip


class QueueRow(BaseModel):
    """One case in the queue. `deadline` is the acknowledgement deadline (ISO 8601, UTC)."""

    id: int
    ref: str
    severity: str
    category: str
    status: str
    area: str
    owner: str
    mine: bool
    opened_at: str
    deadline: str | None
    acknowledged: bool
    breached: bool
    review: bool = False  # on the review lane (the screen was unsure): no page, its own SLA


class QueueOut(BaseModel):
    now: str
    count: int
    cases: list[QueueRow]


def case_area_id() -> Any:
    """The case's village: the child's, else the reporter's own area."""
    reporter = aliased(Person)
    return func.coalesce(
        select(Child.area_id).where(Child.id == Case.child_id).scalar_subquery(),
        select(reporter.area_id).where(reporter.id == Case.reporter_person_id).scalar_subquery(),
    )


async def queue(
    session: AsyncSession,
    now: datetime,
    *,
    person_id: int | None,
    allowed_areas: set[int] | None,
    status: str = "",
    category: str = "",
    area: str = "",
    mine: bool = False,
    lane: str = "alert",
    limit: int = 200,
) -> list[QueueRow]:
    """The cases of one lane: "alert" (the urgent queue), "review" (needs review), or "all"."""
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
    rows = (await session.execute(stmt)).all()
    return [
        row_of(c, area_name or "", owner_name or "", person_id, now)
        for c, area_name, owner_name in rows
    ]


def row_of(
    c: Case, area_name: str, owner_name: str, person_id: int | None, now: datetime
) -> QueueRow:
    due = c.ack_due_at
    unacked = c.acknowledged_at is None and c.status != "closed"
    return QueueRow(
        id=c.id,
        ref=c.ref,
        severity=c.severity,
        category=c.category,
        status=c.status,
        area=area_name,
        owner=owner_name,
        mine=person_id is not None and c.owner_id == person_id,
        opened_at=c.opened_at.isoformat(),
        deadline=due.isoformat() if due is not None and unacked else None,
        acknowledged=not unacked,
        # late now, or acknowledged late: a breach stays visible
        breached=bool(due is not None and due <= (c.acknowledged_at or now)),
        review=c.needs_review,
    )


async def categories(session: AsyncSession, allowed_areas: set[int] | None = None) -> list[str]:
    """The categories of the cases one may see (a supervisor: their township's only)."""
    stmt = select(Case.category).distinct().order_by(Case.category)
    if allowed_areas is not None:
        stmt = stmt.where(case_area_id().in_(allowed_areas or {-1}))
    rows = await session.execute(stmt)
    return [str(r) for r in rows.scalars()]


async def visible(session: AsyncSession, c: Case, allowed_areas: set[int] | None) -> bool:
    if allowed_areas is None:
        return True
    found = (
        await session.execute(
            select(case_area_id().label("a")).select_from(Case).where(Case.id == c.id)
        )
    ).scalar()
    return found in allowed_areas
