"""A console under test: the real app over ASGI, a fake clock, signed-in clients."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from bot.app import Application
from bot.clock import FakeClock
from bot.web.console.auth import hash_password
from bot.web.server import create_web_app
from storage.db import Database
from storage.models import Area
from storage.repos import console as repo
from tests.support.apps import make_app

PASSWORD = "Correct-Horse-9"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Console:
    app: Application
    clock: FakeClock
    base: str = "http://console.test"

    def client(self) -> httpx.AsyncClient:
        web = create_web_app(self.app, background=False)
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url=self.base)

    @asynccontextmanager
    async def signed_in_as(
        self, username: str, role: str
    ) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
        """A new console user `username` with `role`, signed in: the client and its CSRF token."""
        await self.add_user(username, role)
        async with self.client() as client:
            yield client, await signed_in(client, username)

    async def add_user(self, username: str, role: str, area_code: str | None = None) -> None:
        async with self.app.db.transaction() as session:
            area_id = None
            if area_code:
                area = Area(code=area_code, name=area_code, level="township")
                session.add(area)
                await session.flush()
                area_id = area.id
            await repo.create_user(
                session, username=username, password_hash=hash_password(PASSWORD), role=role,
                now=self.clock.now(), area_id=area_id,
            )  # fmt: skip


async def login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> httpx.Response:
    form = await client.get("/console/login")
    token = _CSRF.search(form.text)
    assert token, "the sign-in form carries a CSRF token"
    return await client.post(
        "/console/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": token[1],
            "next": "/console",
        },
    )


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "page has a CSRF token"
    return found[1]


async def signed_in(client: httpx.AsyncClient, username: str) -> str:
    """Sign in; the session's CSRF token."""
    response = await login(client, username)
    assert response.status_code == 303, response.text
    home = await client.get("/console")
    return csrf_of(home.text)


@asynccontextmanager
async def console(db: Database) -> AsyncIterator[Console]:
    clock = FakeClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    app = make_app(db.url, clock)
    try:
        yield Console(app, clock)
    finally:
        await app.db.dispose()
