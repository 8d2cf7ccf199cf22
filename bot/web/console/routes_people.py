"""People and channels: who is reachable on which channel, opted out or unreachable.
Supervisors see only their township; every person or child record opened is audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.console.auth import ADMIN, HOTLINE, SUPERVISOR, Principal, app_of, audit_read, requires
from bot.web.console.pages import ConsoleRoute, page
from storage.models import Area, ChannelAddress, Child, GuardianLink, Person

Staff = Annotated[Principal, Depends(requires(ADMIN, HOTLINE, SUPERVISOR))]
PERSON_ROLES = ("director", "guardian", "supervisor", "hotline", "admin")


async def visible_area_ids(session: AsyncSession, who: Principal) -> set[int] | None:
    """None: every area. A supervisor: their area and every area under it — a township and
    its villages, or a county, its townships and their villages (nothing if unset)."""
    if who.role != SUPERVISOR:
        return None
    if who.area_id is None:
        return set()
    seen = {who.area_id}
    level = {who.area_id}
    for _ in range(3):  # county -> township -> village (and one spare level)
        rows = await session.execute(select(Area.id).where(Area.parent_id.in_(level)))
        level = set(rows.scalars()) - seen
        if not level:
            break
        seen |= level
    return seen


def channel_status(address: ChannelAddress) -> str:
    if address.opted_out_at is not None:
        return "opted_out"
    if address.unreachable_at is not None:
        return "unreachable"
    return "reachable"


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    @r.get("/console/people", response_class=HTMLResponse)
    async def people(request: Request, who: Staff, role: str = "", area: str = "") -> Response:
        app = app_of(request)
        async with app.db.transaction() as session:
            allowed = await visible_area_ids(session, who)
            area_q = select(Area).order_by(Area.level, Area.code)
            if allowed is not None:
                area_q = area_q.where(Area.id.in_(allowed))
            areas = list((await session.execute(area_q)).scalars())
            query = select(Person).order_by(Person.role, Person.name)
            if allowed is not None:
                query = query.where(Person.area_id.in_(allowed))
            if role in PERSON_ROLES:
                query = query.where(Person.role == role)
            chosen = next((a for a in areas if a.code == area), None)
            if chosen is not None:
                query = query.where(
                    Person.area_id.in_(
                        select(Area.id).where(
                            or_(Area.id == chosen.id, Area.parent_id == chosen.id)
                        )
                    )
                )
            persons = list((await session.execute(query)).scalars())
            ids = [p.id for p in persons]
            addresses = (
                await session.execute(
                    select(ChannelAddress)
                    .where(ChannelAddress.person_id.in_(ids))
                    .order_by(ChannelAddress.channel)
                )
            ).scalars()
        by_person: dict[int, list[dict[str, Any]]] = {}
        for a in addresses:
            by_person.setdefault(a.person_id or 0, []).append(
                {"channel": a.channel, "status": channel_status(a), "reason": a.unreachable_reason}
            )
        area_names = {a.id: a.name for a in areas}
        rows = [
            {
                "person": p,
                "area": area_names.get(p.area_id or 0, ""),
                "channels": by_person.get(p.id, []),
            }
            for p in persons
        ]
        context = {"rows": rows, "areas": areas, "roles": PERSON_ROLES, "role": role, "area": area}
        return page(request, "people.html", context)

    @r.get("/console/people/{person_id}", response_class=HTMLResponse)
    async def person(request: Request, who: Staff, person_id: int) -> Response:
        app = app_of(request)
        now = app.clock.now()
        async with app.db.transaction() as session:
            allowed = await visible_area_ids(session, who)
            found = await session.get(Person, person_id)
            if found is None or (allowed is not None and found.area_id not in allowed):
                raise HTTPException(404, "no such person")
            children = list(
                (
                    await session.execute(
                        select(Child)
                        .where(
                            or_(
                                Child.director_id == found.id,
                                Child.id.in_(
                                    select(GuardianLink.child_id).where(
                                        GuardianLink.guardian_id == found.id
                                    )
                                ),
                            )
                        )
                        .order_by(Child.code)
                    )
                ).scalars()
            )
            addresses = list(
                (
                    await session.execute(
                        select(ChannelAddress).where(ChannelAddress.person_id == found.id)
                    )
                ).scalars()
            )
            audit_read(session, who, "person", found.id, now)
            for child in children:
                audit_read(session, who, "child", child.id, now, {"via": f"person:{found.id}"})
        channels = [{"address": a, "status": channel_status(a)} for a in addresses]
        context = {"person": found, "children": children, "channels": channels}
        return page(request, "person.html", context)

    return r
