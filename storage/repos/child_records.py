"""One child's records as the console reads them: finding children in the visible areas,
and a child's guardians, visits, reminders, doses, notes and cases, newest first."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Area,
    Case,
    Child,
    ChildNote,
    DoseGiven,
    GuardianLink,
    Person,
    ReminderAck,
    ReminderDelivery,
    Visit,
)


class ChildRecords:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find_children(
        self,
        allowed: set[int] | None,
        q: str = "",
        limit: int = 200,
        *,
        without_consent_born_after: date | None = None,
    ) -> list[tuple[Child, Area]]:
        """Children in the visible areas; with `without_consent_born_after`, only the active
        children born after that day (under the consent age) with no consent on record."""
        query = (
            select(Child, Area).join(Area, Area.id == Child.area_id).order_by(Child.code, Area.code)
        )
        if allowed is not None:
            query = query.where(Child.area_id.in_(allowed))
        if without_consent_born_after is not None:
            query = query.where(
                Child.consent_at.is_(None),
                Child.active.is_(True),
                Child.birth_date > without_consent_born_after,
            )
        if q.strip():
            like = f"%{q.strip()}%"
            query = query.where(or_(Child.code.ilike(like), Child.name.like(like)))
        rows = await self.session.execute(query.limit(limit))
        return [(c, a) for c, a in rows.all()]

    async def find_child(
        self, allowed: set[int] | None, code: str, area_code: str = ""
    ) -> Child | None:
        """The child with this code in a visible area (the first area by code when several)."""
        query = (
            select(Child)
            .join(Area, Area.id == Child.area_id)
            .where(Child.code == code)
            .order_by(Area.code)
        )
        if allowed is not None:
            query = query.where(Child.area_id.in_(allowed))
        if area_code:
            query = query.where(Area.code == area_code)
        return (await self.session.execute(query.limit(1))).scalar_one_or_none()

    async def guardians(self, child_id: int) -> list[tuple[GuardianLink, Person]]:
        rows = await self.session.execute(
            select(GuardianLink, Person)
            .join(Person, Person.id == GuardianLink.guardian_id)
            .where(GuardianLink.child_id == child_id)
            .order_by(GuardianLink.priority, Person.name)
        )
        return [(link, person) for link, person in rows.all()]

    async def guardian_ids(self, child_id: int) -> set[int]:
        rows = await self.session.execute(
            select(GuardianLink.guardian_id).where(GuardianLink.child_id == child_id)
        )
        return set(rows.scalars())

    async def visits(self, child_id: int) -> list[Visit]:
        rows = await self.session.execute(
            select(Visit)
            .where(Visit.child_id == child_id)
            .order_by(Visit.visit_date.desc(), Visit.id.desc())
        )
        return list(rows.scalars())

    async def deliveries(self, child_id: int) -> list[ReminderDelivery]:
        rows = await self.session.execute(
            select(ReminderDelivery)
            .where(ReminderDelivery.child_id == child_id)
            .order_by(ReminderDelivery.due_date.desc(), ReminderDelivery.id.desc())
        )
        return list(rows.scalars())

    async def acks(self, child_id: int) -> list[ReminderAck]:
        rows = await self.session.execute(
            select(ReminderAck)
            .where(ReminderAck.child_id == child_id)
            .order_by(ReminderAck.acked_at.desc())
        )
        return list(rows.scalars())

    async def doses(self, child_id: int) -> list[DoseGiven]:
        rows = await self.session.execute(
            select(DoseGiven)
            .where(DoseGiven.child_id == child_id)
            .order_by(DoseGiven.given_on, DoseGiven.code)
        )
        return list(rows.scalars())

    async def notes(self, child_id: int) -> list[ChildNote]:
        rows = await self.session.execute(
            select(ChildNote)
            .where(ChildNote.child_id == child_id)
            .order_by(ChildNote.created_at.desc(), ChildNote.id.desc())
        )
        return list(rows.scalars())

    async def open_problems(self, child_id: int) -> int:
        """The child's problems not yet resolved."""
        stmt = (
            select(func.count())
            .select_from(ChildNote)
            .where(
                ChildNote.child_id == child_id,
                ChildNote.kind == "problem",
                ChildNote.resolved_at.is_(None),
            )
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def cases(self, child_id: int) -> list[Case]:
        rows = await self.session.execute(
            select(Case).where(Case.child_id == child_id).order_by(Case.opened_at.desc())
        )
        return list(rows.scalars())


class AreaRecords:
    """The records of every active child in a set of areas, in bulk (one query each)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def children(self, area_ids: Collection[int]) -> list[tuple[Child, Area]]:
        rows = await self.session.execute(
            select(Child, Area)
            .join(Area, Area.id == Child.area_id)
            .where(Child.area_id.in_(list(area_ids) or [-1]), Child.active.is_(True))
            .order_by(Area.code, Child.code)
        )
        return [(c, a) for c, a in rows.all()]

    async def visits(self, child_ids: Collection[int]) -> list[Visit]:
        rows = await self.session.execute(
            select(Visit).where(Visit.child_id.in_(child_ids)).order_by(Visit.visit_date, Visit.id)
        )
        return list(rows.scalars())

    async def doses(self, child_ids: Collection[int]) -> list[DoseGiven]:
        rows = await self.session.execute(
            select(DoseGiven).where(DoseGiven.child_id.in_(child_ids))
        )
        return list(rows.scalars())

    async def acks(self, child_ids: Collection[int], kind: str) -> list[ReminderAck]:
        rows = await self.session.execute(
            select(ReminderAck).where(ReminderAck.child_id.in_(child_ids), ReminderAck.kind == kind)
        )
        return list(rows.scalars())

    async def guardians(self, child_ids: Collection[int]) -> list[tuple[GuardianLink, Person]]:
        rows = await self.session.execute(
            select(GuardianLink, Person)
            .join(Person, Person.id == GuardianLink.guardian_id)
            .where(GuardianLink.child_id.in_(child_ids))
            .order_by(GuardianLink.priority)
        )
        return [(link, person) for link, person in rows.all()]
