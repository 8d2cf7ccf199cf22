"""A console over the demo roster, with the hotline running: signed-in clients for each role
(console users linked to roster people, or not), and the case pages' forms."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from sqlalchemy import select

from bot.app import Application
from bot.clock import FakeClock
from bot.web.console.auth import hash_password
from storage.db import Database
from storage.models import Area, Person
from storage.repos import console as repo
from tests.integration.console.support import PASSWORD, Console, signed_in
from tests.integration.hotline.helpers import HOTLINE, NOW, SECOND, add_second_hotline
from tests.support.apps import load_demo_roster, make_app

TOWNSHIP = "DEMO-530000-01-T1"


@dataclass
class Staff:
    app: Application
    console: Console

    async def user(
        self, username: str, role: str, *, phone: str | None = None, area: str | None = None
    ) -> None:
        async with self.app.db.transaction() as session:
            person_id = (
                (await session.execute(select(Person.id).where(Person.phone == phone))).scalar()
                if phone
                else None
            )
            area_id = (
                (await session.execute(select(Area.id).where(Area.code == area))).scalar()
                if area
                else None
            )
            await repo.create_user(
                session, username=username, password_hash=hash_password(PASSWORD), role=role,
                now=NOW, area_id=area_id, person_id=person_id,
            )  # fmt: skip

    @asynccontextmanager
    async def signed_in(self, username: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
        async with self.console.client() as client:
            yield client, await signed_in(client, username)


@asynccontextmanager
async def staffed(db: Database) -> AsyncIterator[Staff]:
    clock = FakeClock(NOW)
    app = make_app(db.url, clock)
    await load_demo_roster(app)
    await add_second_hotline(app)
    staff = Staff(app, Console(app, clock))
    await staff.user("chen", "hotline", phone=HOTLINE)
    await staff.user("wu", "hotline", phone=SECOND)
    await staff.user("nobody", "hotline")
    await staff.user("root", "admin")
    await staff.user("zhou", "supervisor", area=TOWNSHIP)
    try:
        yield staff
    finally:
        await app.db.dispose()
