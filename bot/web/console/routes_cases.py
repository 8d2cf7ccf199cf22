"""Hotline triage: the queue (live countdown, refreshed from a JSON endpoint), a case page
(timeline, messages, matched terms, reporter, child) and the staff actions, which call
`bot.hotline.operations` exactly as the message commands do. Every case read is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from bot.hotline import operations as ops
from bot.hotline.runtime import hotline_of
from bot.hotline.staff import staff_named
from bot.screening.store import shipped_categories as categories
from bot.web.console import cases_view as view
from bot.web.console.auth import ADMIN, HOTLINE, SUPERVISOR, Principal, app_of, audit_read, requires
from bot.web.console.child_labels import ChildLabels
from bot.web.console.pages import ConsoleRoute, catalog_of, locale_of, page
from bot.web.console.routes_people import visible_area_ids
from bot.web.console.timeline_view import people_named, timeline_rows
from dialogs.flows.hotline_staff import AGENCIES
from storage.models import Area, Case, Child, Person
from storage.repos import case_queue
from storage.repos import cases as repo
from storage.uow import unit_of_work

Staff = Annotated[Principal, Depends(requires(ADMIN, HOTLINE, SUPERVISOR))]
SEES_REPORTER = (ADMIN, HOTLINE)
ACTIONS = (
    "claim", "note", "reply", "refer", "close", "unclaim", "reassign", "reopen", "suspect",
)  # fmt: skip
SUSPECT_CHOICES = ("father", "mother", "grandparent", "none")
AGENCY_IDS = tuple(dict.fromkeys(AGENCIES.values()))
TEXT_KINDS = ("created", "merged", "reporter_message", "details", "reply", "note")


def local_time(request: Request) -> Any:
    tz = hotline_of(app_of(request)).tz

    def local(at: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return at.astimezone(tz).strftime(fmt)

    return local


def labeller(request: Request, locale: str) -> Any:
    catalog = catalog_of(request)

    def label(prefix: str, value: str) -> str:
        for key in (f"{prefix}.{value}", f"case.{prefix.rpartition('.')[2]}.{value}"):
            if catalog.has(key, locale):
                return catalog.text(key, locale)
        return value

    return label


async def _find(session: AsyncSession, who: Principal, ref: str) -> Case:
    found = await repo.case_by_ref(session, ref)
    if found is None or not await case_queue.visible(
        session, found, await visible_area_ids(session, who)
    ):
        raise HTTPException(404, "no such case")
    return found


async def _case_context(session: AsyncSession, who: Principal, c: Case) -> dict[str, Any]:
    events = await repo.timeline(session, c.id)
    child = await session.get(Child, c.child_id) if c.child_id else None
    area = await session.get(Area, child.area_id) if child else None
    owner = await session.get(Person, c.owner_id) if c.owner_id else None
    reporter = await session.get(Person, c.reporter_person_id) if c.reporter_person_id else None
    me = await session.get(Person, who.person_id) if who.person_id else None
    matched = list(
        dict.fromkeys(m for e in events for m in e.detail.get("matched", ()) if isinstance(m, str))
    )
    return {
        "case": c,
        "events": events,
        "messages": [e for e in events if e.kind in TEXT_KINDS and e.detail.get("text")],
        "matched": matched,
        "child": child,
        "child_area": area.name if area else "",
        "owner": owner,
        "reporter": reporter if who.role in SEES_REPORTER else None,
        "show_reporter": who.role in SEES_REPORTER,
        "me": me,
        "agencies": AGENCY_IDS,
        "statutory": categories().is_statutory(c.category),
        "police_recorded": await ops.police_recorded(session, c),
        "no_police_reason": _no_police_reason(events),
        "suspect_choices": SUSPECT_CHOICES,
        "names": await people_named(session, events),
    }


def _no_police_reason(events: list[Any]) -> str:
    """The latest written reason a statutory case was closed without the police ("" none)."""
    for e in reversed(events):
        if e.kind == "no_police_reason" and e.detail.get("text"):
            return str(e.detail["text"])
    return ""


def _in_words(request: Request, who: Principal, context: dict[str, Any]) -> None:
    """Labels, local times and the timeline in the reader's language (bot/web/console/
    timeline_view.py: names, not `person:2`; 类别 …, not `category: …`)."""
    locale = locale_of(request, who)
    local = local_time(request)
    context["label"] = labeller(request, locale)
    context["words"] = ChildLabels(catalog_of(request), locale)
    context["local"] = local
    context["timeline"] = timeline_rows(
        context["events"], context["names"], catalog_of(request), locale, local,
        show_reporter=bool(context["show_reporter"]),
    )  # fmt: skip


def _actor(who: Principal, person: Person) -> ops.Actor:
    override = person.role in ops.OVERRIDE_ROLES or who.role in (ADMIN, SUPERVISOR)
    return ops.Actor(person, who.actor, override)


async def _act(
    request: Request,
    session: AsyncSession,
    who: Principal,
    c: Case,
    action: str,
    text: str,
    no_police_reason: str = "",
    reason: str = "",
) -> ops.Result:
    app = app_of(request)
    now = app.clock.now()
    person = await session.get(Person, who.person_id) if who.person_id else None
    if person is None:
        return ops.Result(False, "console.case.unlinked")
    actor = _actor(who, person)
    text = text.strip()
    if action == "claim":
        return await ops.claim(session, c, actor, now, hotline_of(app))
    if action == "unclaim":
        return await ops.unclaim(session, c, actor, now)
    if not text:
        return ops.Result(False, "console.case.needs_text")
    if action == "note":
        return await ops.note(session, c, actor, text, now)
    if action == "reply":
        return await ops.reply(hotline_of(app), session, c, actor, text, now)
    if action == "reassign":
        to = await staff_named(session, text)
        return await ops.reassign(hotline_of(app), session, c, actor, to, now)
    if action == "reopen":
        return await ops.reopen(session, c, actor, text, now)
    if action == "suspect":
        if text not in SUSPECT_CHOICES:
            return ops.Result(False, "hotline.staff.bad_relation")
        relation = None if text == "none" else text
        return await ops.set_suspect(session, c, actor, relation, reason, now)
    if action == "refer":
        if text not in AGENCY_IDS:
            return ops.Result(False, "hotline.staff.bad_agency")
        return await ops.refer(session, c, actor, text, now)
    result = await ops.close(session, c, actor, text, now, no_police_reason=no_police_reason)
    if result.key == "hotline.staff.close_needs_police":  # the page has a field: point to it
        return ops.Result(False, "hotline.console.close_needs_police", result.params)
    return result


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute)

    @r.get("/console/cases", response_class=HTMLResponse, include_in_schema=False)
    async def queue_page(
        request: Request, who: Staff, status: str = "", category: str = "", area: str = "",
        mine: str = "",
    ) -> Response:  # fmt: skip
        app = app_of(request)
        async with unit_of_work(app.db, app.clock.now()) as w:
            allowed = await visible_area_ids(w.session, who)
            rows = await view.queue(
                w.session, app.clock.now(), person_id=who.person_id, allowed_areas=allowed,
                status=status, category=category, area=area, mine=bool(mine),
            )  # fmt: skip
            review_rows = await view.queue(
                w.session, app.clock.now(), person_id=who.person_id, allowed_areas=allowed,
                status=status, category=category, area=area, mine=bool(mine), lane="review",
            )  # fmt: skip
            areas = await w.directory.areas_above_village(allowed, by_level=False)
            cats = await case_queue.categories(w.session, allowed)
            w.audit(who.actor, "case_list", "case", detail={"count": len(rows) + len(review_rows)})
        label = labeller(request, locale_of(request, who))
        labels = {
            "severity": {s: label("console.severity", s) for s in case_queue.SEVERITY_ORDER},
            "status": {s: label("console.case_status", s) for s in case_queue.STATUSES},
            "category": {c: label("case.category", c) for c in (*view.KNOWN_CATEGORIES, *cats)},
            "me": label("console.queue", "me"),
        }
        context = {
            "rows": rows, "review_rows": review_rows, "labels": labels, "areas": areas,
            "categories": cats, "statuses": case_queue.STATUSES,
            "f": {"status": status, "category": category, "area": area, "mine": bool(mine)},
            "label": label,
        }  # fmt: skip
        return page(request, "cases.html", context)

    @r.get(
        "/console/api/cases", response_model=view.QueueOut, tags=["console"],
        summary="The hotline queue (hotline, supervisor, admin): open cases, most urgent first",
    )  # fmt: skip
    async def queue_json(
        request: Request, who: Staff, status: str = "", category: str = "", area: str = "",
        mine: str = "", lane: str = "alert",
    ) -> view.QueueOut:  # fmt: skip
        app = app_of(request)
        now = app.clock.now()
        async with app.db.transaction() as session:
            rows = await view.queue(
                session, now, person_id=who.person_id,
                allowed_areas=await visible_area_ids(session, who),
                status=status, category=category, area=area, mine=bool(mine), lane=lane,
            )  # fmt: skip
        return view.QueueOut(now=now.isoformat(), count=len(rows), cases=rows)

    @r.get("/console/cases/{ref}", response_class=HTMLResponse, include_in_schema=False)
    async def case_page(request: Request, who: Staff, ref: str) -> Response:
        app = app_of(request)
        now = app.clock.now()
        async with unit_of_work(app.db, now) as w:
            c = await _find(w.session, who, ref)
            audit_read(w, who, "case", c.id)
            context = await _case_context(w.session, who, c)
        _in_words(request, who, context)
        return page(request, "case.html", context)

    @r.post("/console/cases/{ref}/{action}", response_class=HTMLResponse, include_in_schema=False)
    async def case_action(
        request: Request, who: Staff, ref: str, action: str,
        text: Annotated[str, Form()] = "", no_police_reason: Annotated[str, Form()] = "",
        reason: Annotated[str, Form()] = "",
    ) -> Response:  # fmt: skip
        if action not in ACTIONS:
            raise HTTPException(404)
        app = app_of(request)
        now = app.clock.now()
        async with unit_of_work(app.db, now) as w:
            c = await _find(w.session, who, ref)
            result = await _act(
                request, w.session, who, c, action, text, no_police_reason, reason.strip()
            )
            audit_read(w, who, "case", c.id, {"action": action})
            context = await _case_context(w.session, who, c)
        context["result"] = result
        _in_words(request, who, context)
        return page(request, "case.html", context, status_code=200 if result.ok else 409)

    return r
