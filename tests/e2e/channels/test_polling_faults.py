"""Telegram long polling under faults, over real HTTP and a real PostgreSQL: a database
outage while updates arrive, and text PostgreSQL cannot store (NUL). Nothing is lost, the
poller keeps going, and /healthz tells the truth."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import InboundMessage
from tests.e2e.helpers import seed_demo
from tests.standins import TelegramStandin
from tests.standins.telegram_state import DEFAULT_TOKEN
from tests.standins.telegram_updates import text_message_update
from tests.support.apps import make_settings
from tests.support.databases import empty_postgres
from tests.support.eventually import eventually
from tests.support.faultproxy import FaultProxy
from tests.support.live import LiveCareline

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
USER = 5101


@pytest.fixture
async def pg(pg_url: str) -> Iterator[Database]:
    db = Database(pg_url)
    await empty_postgres(db)
    await seed_demo(db)
    yield db
    await db.dispose()


@pytest.fixture
def proxy(pg_url: str) -> Iterator[FaultProxy]:
    with FaultProxy.for_url(pg_url) as p:
        yield p


@pytest.fixture
def live(pg: Database, proxy: FaultProxy) -> Iterator[tuple[LiveCareline, TelegramStandin]]:
    with TelegramStandin() as telegram:
        settings = lambda url: make_settings(  # noqa: E731
            proxy.url_via(pg.url),
            public_url=url,
            telegram_token=DEFAULT_TOKEN,
            telegram_api_base=telegram.base_url,
        )
        with LiveCareline(settings) as server:
            yield server, telegram


async def texts(db: Database) -> list[str]:
    async with db.transaction() as s:
        return list((await s.execute(select(InboundMessage.text).order_by("id"))).scalars())


async def test_database_outage_while_polling_loses_nothing(
    live: tuple[LiveCareline, TelegramStandin], pg: Database, proxy: FaultProxy
) -> None:
    server, telegram = live
    assert server.app is not None
    rec = telegram.recorder
    rec.push_update(text_message_update(USER, "帮助"))
    await rec.wait_for_count(1, timeout=20)

    proxy.down()
    rec.push_update(text_message_update(USER, "语言"))

    async def restarts() -> int:
        assert server.app is not None
        return server.app.poller.restarts

    await eventually(restarts, lambda n: n >= 1, timeout=30, what="poller saw the outage")
    proxy.up()
    await rec.wait_for_count(2, timeout=30)
    assert await texts(pg) == ["帮助", "语言"]
    assert server.app.poll_task is not None and not server.app.poll_task.done()
    async with httpx.AsyncClient() as client:
        health = (await client.get(server.url + "/healthz")).json()
    assert health["status"] == "ok" and health["telegram_polling"] == "ok"


async def test_nul_in_text_is_stored_without_it_and_polling_goes_on(
    live: tuple[LiveCareline, TelegramStandin], pg: Database
) -> None:
    _, telegram = live
    rec = telegram.recorder
    rec.push_update(text_message_update(USER, "帮\x00助"))
    rec.push_update(text_message_update(USER, "语言"))
    await rec.wait_for_count(2, timeout=20)
    assert await texts(pg) == ["帮助", "语言"]
