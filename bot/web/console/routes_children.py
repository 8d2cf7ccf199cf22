"""The child's file (一人一档): a searchable list and one page per child, scoped like the
rest of the console (a supervisor sees their township). Every file opened and every export
is written to the audit log; the XLSX export is for supervisors and administrators."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

from bot.privacy.rules import privacy_rules
from bot.web.console import area_export, child_file
from bot.web.console.auth import ADMIN, HOTLINE, SUPERVISOR, Principal, app_of, audit_read, requires
from bot.web.console.child_labels import ChildLabels
from bot.web.console.pages import ConsoleRoute, catalog_of, locale_of, page, translator
from bot.web.console.routes_cases import labeller
from bot.web.console.routes_child_work import CATEGORIES, NOT_SENT
from bot.web.console.routes_people import in_view, visible_area_ids, visible_child
from reminders.dates import add_age
from storage.uow import unit_of_work

Staff = Annotated[Principal, Depends(requires(ADMIN, HOTLINE, SUPERVISOR))]
Exporter = Annotated[Principal, Depends(requires(*child_file.EXPORT_ROLES))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    @r.get("/console/children", response_class=HTMLResponse)
    async def children(request: Request, who: Staff, q: str = "", consent: str = "") -> Response:
        app = app_of(request)
        today = app.clock.now().astimezone(ZoneInfo(app.settings.timezone)).date()
        age = privacy_rules().consent.required_under_age
        born_after = add_age(today, years=-age) if consent == "missing" else None
        async with unit_of_work(app.db, app.clock.now()) as w:
            allowed = await visible_area_ids(w.session, who)
            rows = await w.child_records.find_children(
                allowed, q, without_consent_born_after=born_after
            )
            areas = []
            if who.role in child_file.EXPORT_ROLES:
                areas = await w.directory.areas_above_village(allowed)
        context = {
            "rows": rows, "q": q, "consent": consent, "consent_age": age, "export_areas": areas,
        }  # fmt: skip
        return page(request, "children.html", context)

    @r.get("/console/children/{code}", response_class=HTMLResponse)
    async def child(
        request: Request, who: Staff, code: str, area: str = "", notice: str = ""
    ) -> Response:
        app = app_of(request)
        now = app.clock.now()
        async with unit_of_work(app.db, now) as w:
            found = await visible_child(w.session, who, code, area)
            data = await child_file.gather(w, found, who.role, now.date())
            audit_read(w, who, "child", found.id, {"view": "file"})
        context = {
            "label": labeller(request, locale_of(request, who)),
            "words": ChildLabels(catalog_of(request), locale_of(request, who)),
            "f": data,
            "can_export": who.role in child_file.EXPORT_ROLES,
            "can_write": who.role in (ADMIN, SUPERVISOR),
            "categories": CATEGORIES,
            "area_code": data.area.code if data.area else "",
            "notice": notice if notice in NOT_SENT else "",
        }
        return page(request, "child.html", context)

    @r.get("/console/children/{code}/export.xlsx")
    async def export(request: Request, who: Exporter, code: str, area: str = "") -> Response:
        app = app_of(request)
        now = app.clock.now()
        async with unit_of_work(app.db, now) as w:
            found = await visible_child(w.session, who, code, area)
            data = await child_file.gather(w, found, who.role, now.date())
            w.audit(who.actor, "export", "child", found.id, {"format": "xlsx"})
        locale = locale_of(request, who)
        body = child_file.workbook(
            data,
            translator(request, locale),
            labeller(request, locale),
            ChildLabels(catalog_of(request), locale),
        )
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

    @r.get("/console/areas/registration.xlsx")
    async def area_registration(request: Request, who: Exporter, area: str = "") -> Response:
        """The area's visit records in the sections of Jilin's registration form (audited)."""
        app = app_of(request)
        now = app.clock.now()
        today = now.astimezone(ZoneInfo(app.settings.timezone)).date()
        locale = locale_of(request, who)
        t = translator(request, locale)
        async with unit_of_work(app.db, now) as w:
            allowed = await visible_area_ids(w.session, who)
            found = await w.directory.area_by_code(area)
            if found is None or not in_view(allowed, found.id):
                raise HTTPException(404, "no such area")
            ids = await w.directory.areas_under(found.id)
            if allowed is not None:
                ids &= allowed
            rows = await area_export.rows_for(w, ids, today, labeller(request, locale), t)
            w.audit(
                who.actor,
                "export",
                "area",
                found.id,
                {"format": "registration_xlsx", "rows": len(rows), "area": found.code},
            )
        body = area_export.workbook(rows, t, t("areaexp.title", area=found.name))
        safe = "".join(ch for ch in found.code if ch.isalnum() or ch in "-_")
        return Response(
            body,
            media_type=XLSX,
            headers={
                "Content-Disposition": (
                    f'attachment; filename="registration-{safe}-{now:%Y%m%d}.xlsx"'
                ),
                "Cache-Control": "no-store",
            },
        )

    return r
