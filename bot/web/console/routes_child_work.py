"""Writing to a child's file from the console: the work log, support given, problems found
and how they were solved (Hubei 16), the supervisor's review of a visit (reviewed, or
returned to the director with a comment), and the child's flags (key child, categories,
do-not-contact, active) with a reason, and guardian consent (recorded in person, asked for by
message, withdrawn). Supervisors act only in their area; every change is
written to the audit log (ids, kinds and reasons; never the note's text)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from bot.privacy import consent
from bot.routing import queue_for_person
from bot.web.console.auth import ADMIN, SUPERVISOR, Principal, app_of, requires
from bot.web.console.forms import Refusal, audit_changes, reason_given
from bot.web.console.pages import ConsoleRoute
from bot.web.console.routes_people import (
    in_view,
    visible_area_ids,
    visible_child,
    visible_person,
)
from content.replies import Reply
from dialogs.types import Lane
from storage.models import Area, Child, ChildNote, Person, Visit
from storage.models.child_file import NOTE_KINDS
from storage.repos.child_records import ChildRecords
from storage.uow import unit_of_work

Writer = Annotated[Principal, Depends(requires(ADMIN, SUPERVISOR))]
MAX_NOTE = 2000
REVIEW_ACTIONS = ("reviewed", "returned")
NOT_SENT = ("no_guardian", "guardian_dnc", "unreachable")  # consent.not_sent.*
CATEGORIES = ("left_behind", "migrant", "difficulty", "orphan", "de_facto_unsupported")


async def _back(session: AsyncSession, child: Child, anchor: str, notice: str = "") -> Response:
    area = await session.get(Area, child.area_id)
    code = area.code if area else ""
    extra = f"&notice={notice}" if notice else ""
    return RedirectResponse(
        f"/console/children/{child.code}?area={code}{extra}#{anchor}", status_code=303
    )


async def _why_not_sent(session: AsyncSession, child: Child) -> str:
    """Why the consent message could not be queued (a `consent.not_sent.*` key's last part)."""
    guardians = [p for _, p in await ChildRecords(session).guardians(child.id) if p.active]
    if not guardians:
        return "no_guardian"
    if all(p.do_not_contact for p in guardians):
        return "guardian_dnc"
    return "unreachable"


def _text(value: str) -> str:
    text = value.strip()
    if not text or len(text) > MAX_NOTE:
        raise HTTPException(400, f"text must be 1-{MAX_NOTE} characters")
    return text


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    @r.post("/console/children/{code}/notes")
    async def add_note(
        request: Request,
        who: Writer,
        code: str,
        kind: Annotated[str, Form()] = "",
        text: Annotated[str, Form()] = "",
        area: Annotated[str, Form()] = "",
    ) -> Response:
        if kind not in NOTE_KINDS:
            raise HTTPException(400, "unknown kind")
        body = _text(text)
        app = app_of(request)
        now = app.clock.now()
        async with unit_of_work(app.db, now) as w:
            child = await visible_child(w.session, who, code, area)
            note = ChildNote(
                child_id=child.id, kind=kind, text=body, author=who.actor, created_at=now
            )
            w.session.add(note)
            await w.session.flush()
            w.audit(
                who.actor, "child_note.add", "child", child.id, {"note_id": note.id, "kind": kind}
            )
            return await _back(w.session, child, "h-work")

    @r.post("/console/children/{code}/notes/{note_id}/resolve")
    async def resolve(
        request: Request,
        who: Writer,
        code: str,
        note_id: int,
        resolution: Annotated[str, Form()] = "",
        area: Annotated[str, Form()] = "",
    ) -> Response:
        body = _text(resolution)
        app = app_of(request)
        now = app.clock.now()
        async with unit_of_work(app.db, now) as w:
            child = await visible_child(w.session, who, code, area)
            note = await w.session.get(ChildNote, note_id)
            if note is None or note.child_id != child.id or note.kind != "problem":
                raise HTTPException(404, "no such problem")
            if note.resolved_at is not None:
                raise HTTPException(409, "already resolved")
            note.resolution, note.resolved_by, note.resolved_at = body, who.actor, now
            w.audit(who.actor, "child_note.resolve", "child", child.id, {"note_id": note.id})
            return await _back(w.session, child, "h-work")

    @r.post("/console/visits/{visit_id}/review")
    async def review(
        request: Request,
        who: Writer,
        visit_id: int,
        action: Annotated[str, Form()] = "",
        comment: Annotated[str, Form()] = "",
    ) -> Response:
        if action not in REVIEW_ACTIONS:
            raise HTTPException(400, "unknown action")
        note = comment.strip()
        if len(note) > MAX_NOTE or (action == "returned" and not note):
            raise Refusal(400, "console.refused.return_comment", "a returned visit needs a comment")
        app = app_of(request)
        now = app.clock.now()
        async with unit_of_work(app.db, now) as w:
            visit = await w.session.get(Visit, visit_id)
            child = await w.session.get(Child, visit.child_id) if visit else None
            allowed = await visible_area_ids(w.session, who)
            if visit is None or child is None or not in_view(allowed, child.area_id):
                raise HTTPException(404, "no such visit")
            visit.review_status, visit.review_comment = action, note or None
            visit.reviewed_by, visit.reviewed_at = who.actor, now
            director = await w.session.get(Person, visit.director_id)
            queued = None
            if director is not None and director.active and note:
                queued = await queue_for_person(
                    w.session,
                    director,
                    Reply(
                        f"review.{action}",
                        {"code": child.code, "date": visit.visit_date, "comment": note},
                    ),
                    lane=Lane.REPLY,
                    now=now,
                    channels=app.channels,
                )
            w.audit(
                who.actor,
                f"visit.{action}",
                "visit",
                visit.id,
                {"child_id": child.id, "told_director": queued is not None},
            )
            response = await _back(w.session, child, f"visit-{visit.id}")
        app.dispatcher.wake()
        return response

    @r.post("/console/children/{code}/flags")
    async def flags(
        request: Request,
        who: Writer,
        code: str,
        reason: Annotated[str, Form()] = "",
        area: Annotated[str, Form()] = "",
        key_child: Annotated[str, Form()] = "",
        do_not_contact: Annotated[str, Form()] = "",
        active: Annotated[str, Form()] = "",
        categories: Annotated[list[str] | None, Form()] = None,
    ) -> Response:
        why = reason_given(reason)
        cats = [c for c in CATEGORIES if c in (categories or [])]
        app = app_of(request)
        now = app.clock.now()
        async with unit_of_work(app.db, now) as w:
            child = await visible_child(w.session, who, code, area)
            before = {
                "key_child": child.is_key_child,
                "do_not_contact": child.do_not_contact,
                "active": child.active,
                "categories": list(child.categories or []),
            }
            # categories outside the console's list (older imports) are kept as they are
            kept = [c for c in child.categories or [] if c not in CATEGORIES]
            child.is_key_child = key_child == "on"
            child.do_not_contact = do_not_contact == "on"
            child.active = active == "on"
            child.categories = kept + cats
            after = {
                "key_child": child.is_key_child,
                "do_not_contact": child.do_not_contact,
                "active": child.active,
                "categories": list(child.categories),
            }
            audit_changes(w, who.actor, "child", child.id, before, after, reason=why)
            return await _back(w.session, child, "h-flags")

    @r.post("/console/children/{code}/consent")
    async def consent_action(
        request: Request,
        who: Writer,
        code: str,
        action: Annotated[str, Form()] = "",
        guardian: Annotated[str, Form()] = "",
        reason: Annotated[str, Form()] = "",
        area: Annotated[str, Form()] = "",
    ) -> Response:
        app = app_of(request)
        now = app.clock.now()
        notice = ""
        async with app.db.transaction() as session:
            child = await visible_child(session, who, code, area)
            if action == "record":
                links = await ChildRecords(session).guardian_ids(child.id)
                if not guardian.isdigit() or int(guardian) not in links:
                    raise HTTPException(400, "choose one of the child's guardians")
                consent.record(
                    session, child, method="in_person", guardian_id=int(guardian),
                    actor=who.actor, now=now,
                )  # fmt: skip
            elif action == "withdraw":
                why = reason_given(reason)
                consent.withdraw(session, child, actor=who.actor, now=now, reason=why)
            elif action == "request":
                if not await consent.request(app, session, child, actor=who.actor, now=now):
                    notice = await _why_not_sent(session, child)
            else:
                raise HTTPException(400, "unknown action")
            response = await _back(session, child, "h-consent", notice)
        app.dispatcher.wake()
        return response

    @r.post("/console/people/{person_id}/flags")
    async def person_flags(
        request: Request,
        who: Writer,
        person_id: int,
        reason: Annotated[str, Form()] = "",
        do_not_contact: Annotated[str, Form()] = "",
        active: Annotated[str, Form()] = "",
    ) -> Response:
        why = reason_given(reason)
        app = app_of(request)
        now = app.clock.now()
        async with unit_of_work(app.db, now) as w:
            person = await visible_person(w.session, who, person_id)
            before = {"do_not_contact": person.do_not_contact, "active": person.active}
            person.do_not_contact = do_not_contact == "on"
            person.active = active == "on"
            if person.do_not_contact and not before["do_not_contact"]:
                person.do_not_contact_reason = why
            elif not person.do_not_contact:
                person.do_not_contact_reason = None
            after = {"do_not_contact": person.do_not_contact, "active": person.active}
            audit_changes(w, who.actor, "person", person.id, before, after, reason=why)
        return RedirectResponse(f"/console/people/{person_id}#h-flags", status_code=303)

    return r
