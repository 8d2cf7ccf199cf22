"""A send that hangs is cut off at the provider timeout (retried, recorded as possibly sent),
and a dispatcher keeps the leases of the rows it holds while it is sending."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.channels.base import SendFailure, SendResult
from bot.channels.twilio_send import classify_rest_error
from bot.clock import FakeClock
from bot.outbox import Dispatcher
from content.catalog import Catalog
from dialogs.render import Rendered
from dialogs.types import Channel
from storage.db import Database
from storage.models import OutboxMessage
from tests.integration.test_outbox import queue
from tests.support.channels import RecordingChannel
from tests.support.eventually import eventually

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CATALOG = Catalog.load()


class Hanging(RecordingChannel):
    def __init__(self) -> None:
        super().__init__(Channel.SMS)
        self.release = asyncio.Event()

    async def send(self, address: str, message: Rendered) -> SendResult:
        await self.release.wait()
        return await super().send(address, message)


async def row(db: Database) -> OutboxMessage:
    async with db.transaction() as s:
        return (await s.execute(select(OutboxMessage))).scalars().one()


async def test_a_hanging_send_is_cut_off_at_the_timeout(db: Database) -> None:
    channel = Hanging()
    d = Dispatcher(db, {channel.name: channel}, lambda: CATALOG, FakeClock(NOW), send_timeout=0.05)
    await queue(db, 1)
    stats = await asyncio.wait_for(d.run_once(), timeout=10)
    assert stats.retried == 1
    r = await row(db)
    assert (r.status, r.error_code) == ("queued", "timeout")


async def test_leases_of_held_rows_are_renewed_while_sending(db: Database) -> None:
    channel = Hanging()
    clock = FakeClock(NOW)
    d = Dispatcher(db, {channel.name: channel}, lambda: CATALOG, clock, lease_seconds=60)
    await queue(db, 2)
    sending = asyncio.create_task(d.run_once())
    await eventually(lambda: row_status(db), lambda v: v == {"sending"}, timeout=10)
    clock.advance(seconds=50)
    assert await d.renew_leases() == 2
    for r in await rows(db):
        assert r.lease_until == NOW + timedelta(seconds=110)
    channel.release.set()
    await asyncio.wait_for(sending, timeout=10)
    assert await d.renew_leases() == 0  # nothing held any more


async def rows(db: Database) -> list[OutboxMessage]:
    async with db.transaction() as s:
        return list((await s.execute(select(OutboxMessage))).scalars())


async def row_status(db: Database) -> set[str]:
    return {r.status for r in await rows(db)}


def test_a_twilio_429_pauses_the_channel() -> None:
    from twilio.base.exceptions import TwilioRestException

    err = classify_rest_error(TwilioRestException(429, "uri", "Too Many Requests", 20429))
    assert err.kind is SendFailure.RETRY and err.retry_after and err.retry_after > 0


def test_the_lease_must_outlast_a_send() -> None:
    import pytest

    from bot.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="CARELINE_SEND_TIMEOUT_SECONDS"):
        load_settings(_env_file=None, dispatch_lease_seconds=10, send_timeout_seconds=15)
