"""/healthz reports a stalled Telegram poller (it said "ok" while polling was dead)."""

from __future__ import annotations

import httpx

from bot.clock import FakeClock
from bot.web.server import create_web_app
from storage.db import Database
from tests.support.apps import make_app


async def test_healthz_reports_a_stalled_poller(db: Database) -> None:
    app = make_app(db.url, telegram_token="123:abc", telegram_api_base="http://127.0.0.1:9")
    clock = app.clock
    assert isinstance(clock, FakeClock)
    app.poll_started_at = clock.now()
    app.poller.running = True
    web = create_web_app(app, background=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://t") as c:
        ok = await c.get("/healthz")
        assert ok.status_code == 200 and ok.json()["telegram_polling"] == "ok"
        clock.advance(minutes=5)
        stalled = await c.get("/healthz")
        assert stalled.status_code == 503
        assert stalled.json()["telegram_polling"] == "stalled"
        app.poller.last_ok_at = clock.now()
        assert (await c.get("/healthz")).status_code == 200
        app.poller.running = False  # the task ended
        assert (await c.get("/healthz")).json()["status"] == "error"
    await app.db.dispose()
