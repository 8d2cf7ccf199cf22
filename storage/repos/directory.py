"""Areas, people, their channel addresses and children, as the console lists them."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Area, ChannelAddress, Child, GuardianLink, Person


class Directory:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def areas_under(self, area_id: int, depth: int = 3) -> set[int]:
        """The area and every area under it, `depth` levels down."""
        seen = {area_id}
        level = {area_id}
        for _ in range(depth):
            rows = await self.session.execute(select(Area.id).where(Area.parent_id.in_(level)))
            level = set(rows.scalars()) - seen
            if not level:
                break
            seen |= level
        return seen

    async def areas(self, only: Collection[int] | None = None) -> list[Area]:
        """Areas by level and code (all, or those in `only`)."""
        stmt = select(Area).order_by(Area.level, Area.code)
        if only is not None:
            stmt = stmt.where(Area.id.in_(only))
        return list((await self.session.execute(stmt)).scalars())

    async def areas_above_village(
        self, only: Collection[int] | None = None, *, by_level: bool = True
    ) -> list[Area]:
        """Townships and counties (all, or those in `only`), by level and code or by code."""
        stmt = select(Area).where(Area.level != "village")
        stmt = stmt.order_by(Area.level, Area.code) if by_level else stmt.order_by(Area.code)
        if only is not None:
            stmt = stmt.where(Area.id.in_(only))
        return list((await self.session.execute(stmt)).scalars())

    async def area_by_code(self, code: str) -> Area | None:
        stmt = select(Area).where(Area.code == code)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def people(
        self,
        *,
        areas: Collection[int] | None = None,
        role: str | None = None,
        in_area: int | None = None,
    ) -> list[Person]:
        """People by role and name: in `areas` (None: any), of one role, in one area or
        directly under it."""
        stmt = select(Person).order_by(Person.role, Person.name)
        if areas is not None:
            stmt = stmt.where(Person.area_id.in_(areas))
        if role is not None:
            stmt = stmt.where(Person.role == role)
        if in_area is not None:
            stmt = stmt.where(
                Person.area_id.in_(
                    select(Area.id).where(or_(Area.id == in_area, Area.parent_id == in_area))
                )
            )
        return list((await self.session.execute(stmt)).scalars())

    async def addresses_of(self, person_ids: Collection[int]) -> list[ChannelAddress]:
        rows = await self.session.execute(
            select(ChannelAddress)
            .where(ChannelAddress.person_id.in_(person_ids))
            .order_by(ChannelAddress.channel)
        )
        return list(rows.scalars())

    async def children_of(self, person_id: int) -> list[Child]:
        """The children a person directs or is a guardian of, by code."""
        rows = await self.session.execute(
            select(Child)
            .where(
                or_(
                    Child.director_id == person_id,
                    Child.id.in_(
                        select(GuardianLink.child_id).where(GuardianLink.guardian_id == person_id)
                    ),
                )
            )
            .order_by(Child.code)
        )
        return list(rows.scalars())
