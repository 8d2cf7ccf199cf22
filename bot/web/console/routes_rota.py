"""The on-duty rota page: who is on duty now and next, the gaps in the next 24 hours (the same
check as `/healthz` and `careline hotline shifts check`), and, for administrators and
supervisors, forms to put someone on duty and to end a shift (audited). Hotline staff see
it read-only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bot.hotline.rota import coverage, shifts
from bot.hotline.rota_cli import ON_DUTY_ROLES
from bot.web.console.auth import ADMIN, HOTLINE, SUPERVISOR, Principal, app_of, requires
from bot.web.console.pages import ConsoleRoute, page
from storage.models import Person, StaffShift
from storage.repos import people
from storage.repos.cases import add_shift
from storage.uow import unit_of_work

Viewer = Annotated[Principal, Depends(requires(ADMIN, HOTLINE, SUPERVISOR))]
Manager = Annotated[Principal, Depends(requires(ADMIN, SUPERVISOR))]


def _when(raw: str, tz: ZoneInfo) -> datetime | None:
    """ "2026-03-02 09:00" or the browser's "2026-03-02T09:00", in the deployment's zone."""
    text = raw.strip().replace("T", " ")
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(raw) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


async def _context(session: AsyncSession, now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    rows = await shifts(session, now)
    cover = await coverage(session, now)
    staff = await people.active_in_roles(session, ON_DUTY_ROLES)

    def local(at: datetime) -> str:
        return at.astimezone(tz).strftime("%m-%d %H:%M")

    return {
        "shifts": [
            {
                "id": s.id,
                "name": p.name,
                "level": s.level,
                "starts": local(s.starts_at),
                "ends": local(s.ends_at) if s.ends_at else None,
                "now": s.starts_at <= now and (s.ends_at is None or s.ends_at > now),
            }
            for s, p in rows
        ],
        "nobody_now": cover.on_duty_now == 0,
        "gaps": [(local(a), local(b)) for a, b in cover.gaps],
        "staff": list(staff),
        "default_start": now.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
    }


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    async def show(request: Request, who: Principal, error: str | None = None) -> Response:
        app = app_of(request)
        tz = ZoneInfo(app.settings.timezone)
        async with app.db.transaction() as session:
            context = await _context(session, app.clock.now(), tz)
        context["error"] = error
        context["can_manage"] = who.role in (ADMIN, SUPERVISOR)
        return page(request, "rota.html", context, status_code=400 if error else 200)

    @r.get("/console/rota", response_class=HTMLResponse)
    async def rota(request: Request, who: Viewer) -> Response:
        return await show(request, who)

    @r.post("/console/rota/add", response_class=HTMLResponse)
    async def add(
        request: Request,
        who: Manager,
        person_id: Annotated[int, Form()],
        level: Annotated[int, Form()] = 1,
        starts: Annotated[str, Form()] = "",
        ends: Annotated[str, Form()] = "",
    ) -> Response:
        app = app_of(request)
        tz = ZoneInfo(app.settings.timezone)
        now = app.clock.now()
        try:
            start, end = _when(starts, tz) or now, _when(ends, tz)
        except ValueError:
            return await show(request, who, "rota.error.when")
        if level not in (1, 2):
            return await show(request, who, "rota.error.level")
        if end is not None and end <= start:
            return await show(request, who, "rota.error.order")
        async with unit_of_work(app.db, now) as w:
            person = await w.session.get(Person, person_id)
            if person is None or not person.active or person.role not in ON_DUTY_ROLES:
                return await show(request, who, "rota.error.person")
            shift = await add_shift(w.session, person.id, level=level, starts_at=start, ends_at=end)
            w.audit(
                who.actor,
                "rota.add",
                "shift",
                shift.id,
                {
                    "person_id": person.id,
                    "level": level,
                    "starts": start.isoformat(),
                    "ends": end.isoformat() if end else None,
                },
            )
        return await show(request, who)

    @r.post("/console/rota/{shift_id}/end", response_class=HTMLResponse)
    async def end(request: Request, who: Manager, shift_id: int) -> Response:
        app = app_of(request)
        now = app.clock.now()
        async with unit_of_work(app.db, now) as w:
            shift = await w.session.get(StaffShift, shift_id)
            if shift is None:
                raise HTTPException(404, "no such shift")
            if shift.ends_at is None or shift.ends_at > now:
                shift.ends_at = max(now, shift.starts_at)
            w.audit(who.actor, "rota.end", "shift", shift.id)
        return await show(request, who)

    return r
