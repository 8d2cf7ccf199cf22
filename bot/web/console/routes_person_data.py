"""A person's data on request (PIPL art. 45 and 47), for administrators: export everything
Careline holds about a roster person as JSON, and erase it. Erasing is refused while a case
that is not closed involves the person (reporter, suspected guardian or owner: the law keeps
what an open protection case needs); otherwise the person is anonymised in place (the row
stays so that records pointing at it stay whole), their addresses, messages and guardian links
are erased, and the count of each is audited (`person.export`, `person.erase`)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.privacy.retention import ERASED
from bot.web.console.auth import ADMIN, Principal, app_of, requires
from bot.web.console.forms import reason_given
from bot.web.console.pages import ConsoleRoute
from storage.models import (
    Case,
    ChannelAddress,
    Child,
    GuardianLink,
    InboundMessage,
    OutboxMessage,
    Person,
)
from storage.repos import audit

Admin = Annotated[Principal, Depends(requires(ADMIN))]


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


async def collect(session: AsyncSession, person: Person) -> dict[str, Any]:
    addresses = (
        await session.execute(select(ChannelAddress).where(ChannelAddress.person_id == person.id))
    ).scalars()
    links = (
        await session.execute(
            select(GuardianLink, Child)
            .join(Child, Child.id == GuardianLink.child_id)
            .where(GuardianLink.guardian_id == person.id)
        )
    ).all()
    inbound = (
        await session.execute(
            select(InboundMessage)
            .where(InboundMessage.person_id == person.id)
            .order_by(InboundMessage.received_at)
        )
    ).scalars()
    outbox = (
        await session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.person_id == person.id)
            .order_by(OutboxMessage.created_at)
        )
    ).scalars()
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


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    @r.get("/console/people/{person_id}/export.json")
    async def export(request: Request, who: Admin, person_id: int) -> Response:
        app = app_of(request)
        now = app.clock.now()
        async with app.db.transaction() as session:
            person = await session.get(Person, person_id)
            if person is None:
                raise HTTPException(404, "no such person")
            data = await collect(session, person)
            audit.record(
                session, at=now, actor=who.actor, action="person.export", subject_type="person",
                subject_id=person.id,
            )  # fmt: skip
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
        async with app.db.transaction() as session:
            person = await session.get(Person, person_id)
            if person is None:
                raise HTTPException(404, "no such person")
            open_cases = (
                await session.execute(
                    select(Case.ref).where(
                        Case.status != "closed",
                        or_(
                            Case.reporter_person_id == person.id,
                            Case.suspected_guardian_id == person.id,
                            Case.owner_id == person.id,
                        ),
                    )
                )
            ).scalars()
            refs = list(open_cases)
            if refs:
                raise HTTPException(409, f"open cases keep this person's data: {', '.join(refs)}")
            counts: dict[str, int] = {}
            addresses = list(
                (
                    await session.execute(
                        select(ChannelAddress).where(ChannelAddress.person_id == person.id)
                    )
                ).scalars()
            )
            for a in addresses:
                a.address, a.locale = f"{ERASED}-{a.id}", None
                a.person_id = None
            counts["addresses"] = len(addresses)
            got = await session.execute(
                update(InboundMessage)
                .where(InboundMessage.person_id == person.id)
                .values(text="", payload=None, address=ERASED, person_id=None)
            )
            counts["inbound"] = int(got.rowcount or 0)  # type: ignore[attr-defined]
            await session.execute(  # nothing more goes out to them
                update(OutboxMessage)
                .where(OutboxMessage.person_id == person.id, OutboxMessage.status == "queued")
                .values(status="suppressed", error_code=ERASED)
            )
            got = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.person_id == person.id)
                .values(text=None, message={"key": ERASED, "params": {}}, address=ERASED)
            )
            counts["outbox"] = int(got.rowcount or 0)  # type: ignore[attr-defined]
            got = await session.execute(
                update(Case)
                .where(Case.reporter_person_id == person.id)
                .values(reporter_address=ERASED)
            )
            counts["closed_cases"] = int(got.rowcount or 0)  # type: ignore[attr-defined]
            got = await session.execute(
                delete(GuardianLink).where(GuardianLink.guardian_id == person.id)
            )
            counts["guardian_links"] = int(got.rowcount or 0)  # type: ignore[attr-defined]
            await session.execute(
                update(Child)
                .where(Child.consent_guardian_id == person.id)
                .values(consent_guardian_id=None)
            )
            person.name, person.phone, person.locale = "已删除", None, "zh_Hans"
            person.active, person.do_not_contact = False, True
            person.do_not_contact_reason = None
            audit.record(
                session, at=now, actor=who.actor, action="person.erase", subject_type="person",
                subject_id=person.id, detail={"reason": why, "counts": counts},
            )  # fmt: skip
        return RedirectResponse(f"/console/people/{person_id}", status_code=303)

    return r
