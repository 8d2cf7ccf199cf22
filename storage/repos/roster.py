"""What a roster import reads and writes: areas, people, children and guardian links by
their natural keys (area code, phone, area and child code)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Area, Child, GuardianLink, Person


class Roster:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def area_levels(self) -> list[tuple[str, str]]:
        return [(c, lv) for c, lv in (await self.session.execute(select(Area.code, Area.level)))]

    async def people_with_phone(self) -> list[tuple[str, str, str]]:
        """(phone, role, name) of everyone with a phone."""
        rows = await self.session.execute(
            select(Person.phone, Person.role, Person.name).where(Person.phone.is_not(None))
        )
        return [(p, r, n) for p, r, n in rows.all() if p]

    async def child_keys(self) -> set[tuple[str, str]]:
        """(area code, child code) of every child."""
        rows = await self.session.execute(
            select(Area.code, Child.code).join(Area, Area.id == Child.area_id)
        )
        return {(a, c) for a, c in rows.all()}

    async def area_id(self, code: str) -> int | None:
        return (
            await self.session.execute(select(Area.id).where(Area.code == code))
        ).scalar_one_or_none()

    async def area(self, code: str) -> Area | None:
        return (await self.session.execute(select(Area).where(Area.code == code))).scalar()

    async def region_of(self, area_id: int) -> str | None:
        return (
            await self.session.execute(select(Area.region_code).where(Area.id == area_id))
        ).scalar_one_or_none()

    async def person(self, phone: str) -> Person | None:
        return (await self.session.execute(select(Person).where(Person.phone == phone))).scalar()

    async def person_id(self, phone: str) -> int | None:
        return (await self.session.execute(select(Person.id).where(Person.phone == phone))).scalar()

    async def child(self, area_id: int, code: str) -> Child | None:
        return (
            await self.session.execute(
                select(Child).where(Child.area_id == area_id, Child.code == code)
            )
        ).scalar()

    async def child_id(self, area_id: int, code: str) -> int:
        return (
            await self.session.execute(
                select(Child.id).where(Child.area_id == area_id, Child.code == code)
            )
        ).scalar_one()

    async def guardian_link(self, child_id: int, guardian_id: int) -> GuardianLink | None:
        return (
            await self.session.execute(
                select(GuardianLink).where(
                    GuardianLink.child_id == child_id, GuardianLink.guardian_id == guardian_id
                )
            )
        ).scalar()

    async def count_people_except(self, phones: Collection[str]) -> int:
        """People without a phone or with one not in `phones`."""
        stmt = (
            select(func.count())
            .select_from(Person)
            .where(or_(Person.phone.is_(None), Person.phone.not_in(list(phones))))
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def count_areas_outside(self, code_prefix: str) -> int:
        """Areas whose code does not start with `code_prefix`."""
        stmt = select(func.count()).select_from(Area).where(~Area.code.startswith(code_prefix))
        return int((await self.session.execute(stmt)).scalar_one())
