"""The child's file (一人一档): a searchable list and one page per child, scoped like the
rest of the console (a supervisor sees their township). Every file opened and every export
is written to the audit log; the XLSX export is for supervisors and administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.console import child_file
from bot.web.console.auth import ADMIN, HOTLINE, SUPERVISOR, Principal, app_of, audit_read, requires
from bot.web.console.pages import ConsoleRoute, locale_of, page, translator
from bot.web.console.routes_cases import labeller
from bot.web.console.routes_child_work import CATEGORIES
from bot.web.console.routes_people import visible_area_ids
from storage.models import Child
from storage.repos import audit

Staff = Annotated[Principal, Depends(requires(ADMIN, HOTLINE, SUPERVISOR))]
Exporter = Annotated[Principal, Depends(requires(*child_file.EXPORT_ROLES))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _child(session: AsyncSession, who: Principal, code: str, area: str) -> Child:
    allowed = await visible_area_ids(session, who)
    found = await child_file.find_child(session, allowed, code, area)
    if found is None:
        raise HTTPException(404, "no such child")
    return found


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    @r.get("/console/children", response_class=HTMLResponse)
    async def children(request: Request, who: Staff, q: str = "") -> Response:
        app = app_of(request)
        async with app.db.transaction() as session:
            allowed = await visible_area_ids(session, who)
            rows = await child_file.find_children(session, allowed, q)
        return page(request, "children.html", {"rows": rows, "q": q})

    @r.get("/console/children/{code}", response_class=HTMLResponse)
    async def child(request: Request, who: Staff, code: str, area: str = "") -> Response:
        app = app_of(request)
        now = app.clock.now()
        async with app.db.transaction() as session:
            found = await _child(session, who, code, area)
            data = await child_file.gather(session, found, who.role, now.date())
            audit_read(session, who, "child", found.id, now, {"view": "file"})
        context = {
            "label": labeller(request, locale_of(request, who)),
            "f": data,
            "can_export": who.role in child_file.EXPORT_ROLES,
            "can_write": who.role in (ADMIN, SUPERVISOR),
            "categories": CATEGORIES,
            "area_code": data.area.code if data.area else "",
        }
        return page(request, "child.html", context)

    @r.get("/console/children/{code}/export.xlsx")
    async def export(request: Request, who: Exporter, code: str, area: str = "") -> Response:
        app = app_of(request)
        now = app.clock.now()
        async with app.db.transaction() as session:
            found = await _child(session, who, code, area)
            data = await child_file.gather(session, found, who.role, now.date())
            audit.record(
                session,
                at=now,
                actor=who.actor,
                action="export",
                subject_type="child",
                subject_id=found.id,
                detail={"format": "xlsx"},
            )
        body = child_file.workbook(data, translator(request, locale_of(request, who)))
        safe = "".join(ch for ch in found.code if ch.isalnum() or ch in "-_")
        name = f"child-{safe}-{now:%Y%m%d}.xlsx"
        return Response(
            body,
            media_type=XLSX,
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    return r
