"""People and channels: who is reachable on which channel, opted out or unreachable.
Supervisors see only their township; every person or child record opened is audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.console.auth import ADMIN, HOTLINE, SUPERVISOR, Principal, app_of, audit_read, requires
from bot.web.console.pages import ConsoleRoute, page
from storage.models import ChannelAddress, Child, Person
from storage.repos.child_records import ChildRecords
from storage.repos.directory import Directory
from storage.uow import unit_of_work

Staff = Annotated[Principal, Depends(requires(ADMIN, HOTLINE, SUPERVISOR))]
PERSON_ROLES = ("director", "guardian", "supervisor", "hotline", "admin")


async def visible_area_ids(session: AsyncSession, who: Principal) -> set[int] | None:
    """None: every area. A supervisor: their area and every area under it — a township and
    its villages, or a county, its townships and their villages (nothing if unset)."""
    if who.role != SUPERVISOR:
        return None
    if who.area_id is None:
        return set()
    # county -> township -> village (and one spare level)
    return await Directory(session).areas_under(who.area_id, depth=3)


def in_view(allowed: set[int] | None, area_id: int | None) -> bool:
    """Whether a record of this area is in view (`allowed` from visible_area_ids)."""
    return allowed is None or area_id in allowed


async def visible_person(session: AsyncSession, who: Principal, person_id: int) -> Person:
    """The person, when in the viewer's areas; 404 otherwise."""
    allowed = await visible_area_ids(session, who)
    found = await session.get(Person, person_id)
    if found is None or not in_view(allowed, found.area_id):
        raise HTTPException(404, "no such person")
    return found


async def visible_child(session: AsyncSession, who: Principal, code: str, area: str) -> Child:
    """The child by code (and area code, where codes repeat), in the viewer's areas; 404
    otherwise."""
    allowed = await visible_area_ids(session, who)
    found = await ChildRecords(session).find_child(allowed, code, area)
    if found is None:
        raise HTTPException(404, "no such child")
    return found


def channel_status(address: ChannelAddress, do_not_contact: bool = False) -> str:
    """A channel's state as the console shows it; a do-not-contact person is never reachable."""
    if do_not_contact:
        return "do_not_contact"
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
        async with unit_of_work(app.db, app.clock.now()) as w:
            allowed = await visible_area_ids(w.session, who)
            areas = await w.directory.areas(allowed)
            chosen = next((a for a in areas if a.code == area), None)
            persons = await w.directory.people(
                areas=allowed,
                role=role if role in PERSON_ROLES else None,
                in_area=chosen.id if chosen is not None else None,
            )
            addresses = await w.directory.addresses_of([p.id for p in persons])
        by_person: dict[int, list[dict[str, Any]]] = {}
        dnc = {p.id for p in persons if p.do_not_contact}
        for a in addresses:
            status = channel_status(a, a.person_id in dnc)
            by_person.setdefault(a.person_id or 0, []).append(
                {"channel": a.channel, "status": status, "reason": a.unreachable_reason}
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
        async with unit_of_work(app.db, now) as w:
            found = await visible_person(w.session, who, person_id)
            children = await w.directory.children_of(found.id)
            addresses = await w.person_data.addresses(found.id)
            audit_read(w, who, "person", found.id)
            for child in children:
                audit_read(w, who, "child", child.id, {"via": f"person:{found.id}"})
        channels = [
            {"address": a, "status": channel_status(a, found.do_not_contact)} for a in addresses
        ]
        context = {"person": found, "children": children, "channels": channels}
        return page(request, "person.html", context)

    return r
