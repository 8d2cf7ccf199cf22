"""The local chat simulator: pick a demo person and talk to the bot as they would.

Messages go through the console channel and the same service, outbox and dispatcher
as SMS and Telegram. On only with `serve --demo` or CARELINE_SIMULATOR=1: it lets anyone
speak as anyone, so it is for local use.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from bot.host import Host
from bot.phones import to_e164
from bot.reply_json import reply_from_json
from content.locales import DEFAULT_LOCALE
from dialogs.render import render
from dialogs.types import Channel, Inbound
from storage.repos import inbound as inbound_repo
from storage.repos import outbox as outbox_repo
from storage.repos import people as people_repo

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


class SimulatorMessageIn(BaseModel):
    phone: str = Field(description="The demo person's phone (or any number, as an unknown sender)")
    text: str = Field(default="", max_length=1600)
    payload: str | None = Field(default=None, max_length=64)


class SimulatorPerson(BaseModel):
    name: str
    role: str
    phone: str
    locale: str


class SimulatorLine(BaseModel):
    id: str
    direction: str  # "in" | "out"
    text: str
    buttons: list[dict[str, str]]
    at: str
    status: str


def router(app: Host) -> APIRouter:
    r = APIRouter(tags=["simulator"])

    @r.get("/simulator", response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(request, "simulator.html", {})

    @r.get("/simulator/simulator.js", include_in_schema=False)
    async def simulator_js() -> FileResponse:
        # a file, not an inline script: the Content-Security-Policy allows no inline script
        script = Path(__file__).parent / "templates" / "simulator.js"
        return FileResponse(script, media_type="text/javascript")

    @r.get("/api/simulator/people", response_model=list[SimulatorPerson])
    async def people() -> list[SimulatorPerson]:
        async with app.db.transaction() as session:
            return [
                SimulatorPerson(name=p.name, role=p.role, phone=p.phone or "", locale=p.locale)
                for p in await people_repo.reachable_by_phone(session)
            ]

    @r.post("/api/simulator/messages", status_code=202)
    async def send(body: SimulatorMessageIn) -> dict[str, Any]:
        phone = to_e164(body.phone)
        if phone is None:
            raise HTTPException(400, "phone: not a valid phone number")
        if not body.text.strip() and not body.payload:
            raise HTTPException(400, "text: empty message")
        inbound = Inbound(
            channel=Channel.CONSOLE,
            address=phone,
            provider_id="sim-" + uuid.uuid4().hex,
            received_at=app.clock.now(),
            text=body.text,
            payload=body.payload,
        )
        handled = await app.service.handle(inbound)
        return {"inbound_id": handled.inbound_id}

    @r.get("/api/simulator/messages", response_model=list[SimulatorLine])
    async def conversation(phone: str, limit: int = 200) -> list[SimulatorLine]:
        e164 = to_e164(phone)
        if e164 is None:
            raise HTTPException(400, "phone: not a valid phone number")
        return await simulator_lines(app, e164, limit)

    return r


async def simulator_lines(app: Host, phone: str, limit: int = 200) -> list[SimulatorLine]:
    async with app.db.transaction() as session:
        ins = await inbound_repo.latest_from(session, Channel.CONSOLE, phone, limit)
        outs = await outbox_repo.latest_to(session, Channel.CONSOLE, phone, limit)
        person = await people_repo.person_by_phone(session, phone)
    locale = person.locale if person else DEFAULT_LOCALE
    lines: list[tuple[Any, int, SimulatorLine]] = []
    labels: dict[str, str] = {}  # a pressed button is shown by its label, never `opt:poor`
    for o in sorted(outs, key=lambda o: o.id):
        # the catalog the dispatcher renders with: shipped texts plus published edits
        rendered = render(reply_from_json(o.message), app.dispatcher.catalog(), locale, "numbered")
        labels.update({b.payload: b.label for b in rendered.buttons})
        lines.append(
            (
                o.created_at,
                1,
                SimulatorLine(
                    id=f"out-{o.id}",
                    direction="out",
                    text=o.text or rendered.text,
                    buttons=[{"label": b.label, "payload": b.payload} for b in rendered.buttons],
                    at=o.created_at.isoformat(),
                    status=o.status,
                ),
            )
        )
    for m in ins:
        lines.append(
            (
                m.received_at,
                0,
                SimulatorLine(
                    id=f"in-{m.id}",
                    direction="in",
                    text=m.text or labels.get(m.payload or "", m.payload or ""),
                    buttons=[],
                    at=m.received_at.isoformat(),
                    status="received",
                ),
            )
        )
    lines.sort(key=lambda t: (t[0], t[1], t[2].id))
    return [line for _, _, line in lines][-limit:]
