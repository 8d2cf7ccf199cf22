"""A person's data on request (PIPL art. 45 and 47), for administrators: export everything
Careline holds about a roster person as JSON, and erase it. Erasing is refused while a case
that is not closed involves the person (reporter, suspected guardian or owner: the law keeps
what an open protection case needs); otherwise the person is anonymised in place (the row
stays so that records pointing at it stay whole), their addresses, messages and guardian links
are erased, so are the photos and voice notes a director sent that never reached a visit (rows
and files; those on a visit belong to the child's file), and the count of each is audited
(`person.export`, `person.erase`)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from bot.media_store import MediaStore
from bot.web.console.auth import ADMIN, Principal, app_of, requires
from bot.web.console.forms import reason_given
from bot.web.console.pages import ConsoleRoute
from storage.models import Person
from storage.repos import visit_media
from storage.repos.retention import ERASED
from storage.uow import Work, unit_of_work

Admin = Annotated[Principal, Depends(requires(ADMIN))]


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


async def collect(w: Work, person: Person) -> dict[str, Any]:
    addresses = await w.person_data.addresses(person.id)
    links = await w.person_data.links(person.id)
    inbound = await w.person_data.received(person.id)
    outbox = await w.person_data.sent(person.id)
    return {
        "person": {
            k: _plain(getattr(person, k))
            for k in (
                "id",
                "name",
                "role",
                "phone",
                "locale",
                "consent_at",
                "do_not_contact",
                "do_not_contact_reason",
                "active",
                "created_at",
            )
        },
        "channels": [
            {"channel": a.channel, "address": a.address, "opted_out_at": _plain(a.opted_out_at)}
            for a in addresses
        ],
        "children": [
            {"code": c.code, "name": c.name, "relation": link.relation} for link, c in links
        ],
        "messages_received": [
            {"at": _plain(m.received_at), "channel": m.channel, "text": m.text} for m in inbound
        ],
        "messages_sent": [
            {"at": _plain(m.created_at), "channel": m.channel, "text": m.text, "status": m.status}
            for m in outbox
        ],
    }


async def _person(w: Work, person_id: int) -> Person:
    person = await w.session.get(Person, person_id)
    if person is None:
        raise HTTPException(404, "no such person")
    return person


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    @r.get("/console/people/{person_id}/export.json")
    async def export(request: Request, who: Admin, person_id: int) -> Response:
        app = app_of(request)
        now = app.clock.now()
        async with unit_of_work(app.db, now) as w:
            person = await _person(w, person_id)
            data = await collect(w, person)
            w.audit(who.actor, "person.export", "person", person.id)
        return Response(
            json.dumps(data, ensure_ascii=False, indent=1),
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="person-{person_id}.json"',
                "Cache-Control": "no-store",
            },
        )

    @r.post("/console/people/{person_id}/erase")
    async def erase(
        request: Request, who: Admin, person_id: int, reason: Annotated[str, Form()] = ""
    ) -> Response:
        why = reason_given(reason)
        app = app_of(request)
        now = app.clock.now()
        async with unit_of_work(app.db, now) as w:
            person = await _person(w, person_id)
            refs = await w.person_data.open_case_refs(person.id)
            if refs:
                raise HTTPException(409, f"open cases keep this person's data: {', '.join(refs)}")
            counts = await w.person_data.erase(person, ERASED)
            dropped = await visit_media.drop_pending(w.session, person.id)
            counts["pending_media"] = len(dropped)
            w.audit(
                who.actor, "person.erase", "person", person.id, {"reason": why, "counts": counts}
            )
        MediaStore(app.settings.media_dir).delete(dropped)  # their files, once the rows are gone
        return RedirectResponse(f"/console/people/{person_id}", status_code=303)

    return r
