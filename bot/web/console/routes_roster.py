"""Roster import (administrators): upload, dry-run report row by row, then the import."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request, Response, UploadFile
from fastapi.responses import HTMLResponse

from bot.web.console import roster
from bot.web.console.auth import ADMIN, Principal, app_of, requires
from bot.web.console.pages import ConsoleRoute, page
from bot.web.console.roster_apply import apply_rows, load_known
from bot.web.limits import limit_for
from storage.uow import unit_of_work

Admin = Annotated[Principal, Depends(requires(ADMIN))]
MAX_BYTES = 5_000_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    @r.get("/console/roster", response_class=HTMLResponse)
    async def form(request: Request, who: Admin) -> Response:
        return page(request, "roster.html", {"columns": roster.COLUMNS})

    @r.get("/console/roster/template.{ext}")
    async def template(who: Admin, ext: str) -> Response:
        if ext == "xlsx":
            body, media = roster.template_xlsx(), XLSX
        elif ext == "csv":
            body, media = roster.template_csv(), "text/csv; charset=utf-8"
        else:
            return Response(status_code=404)
        disposition = f'attachment; filename="careline-roster-template.{ext}"'
        return Response(body, media_type=media, headers={"Content-Disposition": disposition})

    async def run(
        request: Request, who: Principal, name: str, data: bytes, write: bool
    ) -> Response:
        app = app_of(request)
        now = app.clock.now()
        today = now.astimezone(ZoneInfo(app.settings.timezone)).date()
        try:
            if len(data) > MAX_BYTES:
                raise roster.RosterFileError("file too large")
            rows = roster.read_table(name, data)
        except roster.RosterFileError as exc:
            failure = {"columns": roster.COLUMNS, "file_error": str(exc)}
            return page(request, "roster.html", failure, status_code=400)
        async with unit_of_work(app.db, now) as w:
            report = roster.check_rows(rows, await load_known(w), today)
            counts = await apply_rows(w, report, now) if write else None
            if counts is not None:
                w.audit(who.actor, "roster_import", "roster", detail=dict(counts))
        context: dict[str, Any] = {
            "report": report,
            "kinds": roster.KINDS,
            "errors": sum(1 for row in report if not row.ok),
            "counts": counts,
            "filename": name,
            "payload": base64.b64encode(data).decode(),
        }
        return page(request, "roster_report.html", context)

    @r.post("/console/roster/check", response_class=HTMLResponse)
    async def check(request: Request, who: Admin, file: UploadFile) -> Response:
        data = await file.read(MAX_BYTES + 1)
        return await run(request, who, file.filename or "roster.csv", data, write=False)

    @r.post("/console/roster/import", response_class=HTMLResponse)
    async def do_import(request: Request, who: Admin) -> Response:
        # read here, not with Form(): the payload field is larger than Starlette's default part
        form = await request.form(max_part_size=limit_for(request.url.path))
        payload, filename = str(form.get("payload") or ""), str(form.get("filename") or "")
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            data = b""
        return await run(request, who, filename, data, write=True)

    return r
