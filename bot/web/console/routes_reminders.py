"""Reminder rules, regional calendars and immunization schedule editions for administrators:
view them, and upload an edition, a region's calendar or holiday arrangements (TOML or JSON,
the shapes the `careline reminders editions|calendar|holidays import` commands accept). The
upload goes through the same `bot.reminders.admin` / `holidays` functions; nothing is written
unless everything validates."""

from __future__ import annotations

import json
import tomllib
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from bot.reminders import admin, holidays
from bot.reminders.runtime import reminder_runtime
from bot.reminders.sources import current_calendars, current_schedule
from bot.web.console.auth import ADMIN, Principal, app_of, requires
from bot.web.console.pages import ConsoleRoute, page
from content.errors import InputError
from reminders.calendars import data_gaps
from storage.repos import reminders as reminders_repo
from storage.uow import unit_of_work

Admin = Annotated[Principal, Depends(requires(ADMIN))]
KINDS = ("edition", "calendar", "holidays")


class Refused(InputError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse(text: str, filename: str) -> dict[str, Any]:
    """TOML or JSON (by file name, else by the first character); a list of problems if not."""
    as_json = filename.lower().endswith(".json") or (not filename and text.lstrip().startswith("{"))
    try:
        raw = json.loads(text) if as_json else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise Refused([f"{'JSON' if as_json else 'TOML'}: {exc}"]) from None
    if not isinstance(raw, dict):
        raise Refused(["the document must be a table / object"])
    return dict(admin.jsonable(raw))  # type: ignore[call-overload]


def shape_problems(kind: str, doc: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if kind == "edition":
        editions = doc.get("editions")
        if not isinstance(editions, list) or not editions:
            return ["no [[editions]] in the document"]
        for n, e in enumerate(editions, start=1):
            for key in ("id", "effective_from", "entries"):
                if not isinstance(e, dict) or key not in e:
                    problems.append(f"edition {n}: missing {key!r}")
    elif kind == "holidays":
        if not isinstance(doc.get("years"), list) or not doc["years"]:
            problems.append("no [[years]] in the document")
    elif not str(doc.get("region", "")).strip():
        problems.append("missing 'region' (a region code such as 420000, or 'national')")
    return problems


async def _view(request: Request) -> dict[str, Any]:
    app = app_of(request)
    async with app.db.transaction() as session:
        schedule_rows = await reminders_repo.editions(session)
        overrides = await reminders_repo.calendar_overrides(session)
        book = await current_calendars(session, reminder_runtime(app).workdays)
        schedule = await current_schedule(session)
        in_use = await reminders_repo.region_codes(session)
        today = app.clock.now().astimezone(ZoneInfo(app.settings.timezone)).date()
        holiday_years = await holidays.status(session, today)
        holiday_warnings = [y["year"] for y in holiday_years if y["next_year_missing"]]
    editions = [
        {"id": e.id, "title": e.title, "effective_from": e.effective_from,
         "entries": len(e.entries),
         "stored": next((r for r in schedule_rows if r.edition == e.id), None)}
        for e in schedule.editions
    ]  # fmt: skip
    regions = [
        {"code": code, "name": str(doc.get("name", "")), "override": overrides.get(code),
         "doc": json.dumps(doc, ensure_ascii=False, indent=2, default=str)}
        for code, doc in sorted(book.regions.items())
    ]  # fmt: skip
    settings = reminder_runtime(app).settings  # the one object build_app read
    gaps = data_gaps(book, in_use)
    return {
        "editions": editions,
        "regions": regions,
        "settings": settings,
        "kinds": KINDS,
        "gaps": gaps,
        "holiday_years": holiday_years,
        "holidays_missing": holiday_warnings,
    }


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    @r.get("/console/reminders", response_class=HTMLResponse)
    async def reminders(request: Request, who: Admin) -> Response:
        return page(request, "reminders.html", await _view(request))

    @r.post("/console/reminders/upload", response_class=HTMLResponse)
    async def upload(request: Request, who: Admin) -> Response:
        form = await request.form()
        kind = str(form.get("kind") or "")
        upload_file = form.get("file")
        text, filename = str(form.get("text") or ""), ""
        if upload_file is not None and not isinstance(upload_file, str):
            data = await upload_file.read()
            if data:
                text, filename = (
                    data.decode("utf-8-sig", errors="replace"),
                    upload_file.filename or "",
                )
        app = app_of(request)
        now = app.clock.now()
        today = now.astimezone(ZoneInfo(app.settings.timezone)).date()
        done: list[str] = []
        try:
            if kind not in KINDS:
                raise Refused(["choose what the document is: an edition or a calendar"])
            doc = parse(text, filename)
            problems = shape_problems(kind, doc)
            if problems:
                raise Refused(problems)
            async with unit_of_work(app.db, now) as w:
                try:
                    if kind == "edition":
                        done = await admin.import_editions(w.session, doc, now, who.actor)
                    elif kind == "holidays":
                        years = await holidays.import_holidays(w.session, doc, now, who.actor)
                        done = [str(y) for y in years]
                    else:
                        done = [await admin.set_calendar(w.session, doc, now, who.actor, today)]
                except (ValueError, KeyError, TypeError) as exc:
                    raise Refused([f"{type(exc).__name__}: {exc}"]) from None
                w.audit(who.actor, f"{kind}_upload", "reminders", ",".join(done)[:64])
        except Refused as refused:
            context = await _view(request)
            context.update(problems=refused.problems, kind=kind, text=text)
            return page(request, "reminders.html", context, status_code=422)
        context = await _view(request)
        context.update(saved=done, kind=kind)
        return page(request, "reminders.html", context)

    return r
