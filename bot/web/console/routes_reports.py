"""Reports for supervisors (their township only) and administrators: charts (the vendored
Chart.js) with an accessible table under each, the same figures as JSON, and CSV exports."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from bot.hotline.config import HotlineConfig
from bot.hotline.runtime import hotline_of
from bot.reminders.sources import current_schedule
from bot.web.console.auth import ADMIN, SUPERVISOR, Principal, app_of, requires
from bot.web.console.cells import safe_dict
from bot.web.console.pages import ConsoleRoute, locale_of, page, translator
from bot.web.console.routes_cases import labeller
from bot.web.console.routes_people import visible_area_ids
from storage.repos import reports

Viewer = Annotated[Principal, Depends(requires(ADMIN, SUPERVISOR))]
COLUMNS: dict[str, tuple[str, ...]] = {
    "villages": (
        "township",
        "village",
        "code",
        "children",
        "within",
        "overdue",
        "never",
        "visits",
        "reviewed",
        "returned",
    ),
    "townships": (
        "township",
        "children",
        "within",
        "overdue",
        "never",
        "visits",
        "reviewed",
        "returned",
    ),
    "reminders": ("kind", "total", "sent", "delivered", "failed"),
    "vaccination": ("band", "children", "due", "recorded", "complete", "percent"),
    "cases": ("category", "total", "active", "closed"),
    "sla": ("severity", "cases", "sla_minutes", "within", "late", "ack_median", "close_median"),
}


class ReportsOut(BaseModel):
    """The report tables (rows keyed by the column names of each table's CSV export)."""

    as_of: str
    scope: str  # "all" or the supervisor's township code
    villages: list[dict[str, Any]]
    townships: list[dict[str, Any]]
    reminders: list[dict[str, Any]]
    vaccination: list[dict[str, Any]]
    cases: list[dict[str, Any]]
    sla: list[dict[str, Any]]


async def build(request: Request, who: Principal) -> ReportsOut:
    app = app_of(request)
    now = app.clock.now()
    today = now.astimezone(ZoneInfo(app.settings.timezone)).date()
    try:
        config = hotline_of(app).config
    except LookupError:
        config = HotlineConfig()
    async with app.db.transaction() as session:
        areas = await visible_area_ids(session, who)
        villages, towns = await reports.coverage(session, today, areas)
        edition = (await current_schedule(session)).in_force(today)
        return ReportsOut(
            as_of=today.isoformat(),
            scope="all" if areas is None else str(who.area_id),
            villages=villages,
            townships=towns,
            reminders=await reports.reminders_by_kind(session, areas),
            vaccination=await reports.vaccination(session, today, edition, areas),
            cases=await reports.cases_by_category(session, areas),
            sla=await reports.sla(session, now, areas, config.sla_for),
        )


LABELLED = {
    "category": "case.category",  # one name per category, as in messages and case pages
    "severity": "console.severity",
    "kind": "console.reminder_kind",
}


def charts(data: ReportsOut, t: Any, label: Any) -> dict[str, dict[str, Any]]:
    """Chart.js specs (stacked/grouped bars) built from the same rows as the tables."""

    def bars(
        rows: list[dict[str, Any]], key: str, series: tuple[str, ...], **extra: Any
    ) -> dict[str, Any]:
        return {
            "labels": [
                label(LABELLED[key], str(row[key])) if key in LABELLED else str(row[key])
                for row in rows
            ],
            "datasets": [
                {"label": t(f"console.reports.col.{s}"), "data": [row[s] for row in rows]}
                for s in series
            ],
            **extra,
        }

    return {
        "villages": bars(data.villages, "village", ("within", "overdue", "never"), stacked=True),
        "reminders": bars(data.reminders, "kind", ("sent", "delivered", "failed")),
        "vaccination": bars(data.vaccination, "band", ("percent",), max=100),
        "cases": bars(data.cases, "category", ("active", "closed"), stacked=True, horizontal=True),
        "sla": bars(data.sla, "severity", ("within", "late"), stacked=True),
    }


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute)

    @r.get("/console/reports", response_class=HTMLResponse, include_in_schema=False)
    async def reports_page(request: Request, who: Viewer) -> Response:
        data = await build(request, who)
        locale = locale_of(request, who)
        t, label = translator(request, locale), labeller(request, locale)
        context = {
            "r": data, "columns": COLUMNS, "charts": charts(data, t, label), "label": label,
            "labelled": LABELLED,
        }  # fmt: skip
        return page(request, "reports.html", context)

    @r.get(
        "/console/api/reports", response_model=ReportsOut, tags=["console"],
        summary="Report figures (supervisor: their township; admin: everything)",
    )  # fmt: skip
    async def reports_json(request: Request, who: Viewer) -> ReportsOut:
        return await build(request, who)

    @r.get("/console/reports/{table}.csv", include_in_schema=False)
    async def reports_csv(request: Request, who: Viewer, table: str) -> Response:
        if table not in COLUMNS:
            raise HTTPException(404)
        data = await build(request, who)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS[table], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(safe_dict(row) for row in getattr(data, table))
        return Response(
            "\ufeff" + out.getvalue(),  # a BOM: Excel in China opens it as UTF-8
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{table}-{data.as_of}.csv"'},
        )

    return r
