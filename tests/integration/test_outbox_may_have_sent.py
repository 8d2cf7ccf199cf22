"""A failed attempt that may have reached the provider is recorded on the outbox row
(`may_have_sent`, migration 0019) and stays recorded once the row is sent."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.channels.base import SendError, SendFailure
from bot.clock import FakeClock
from storage.db import Database
from storage.models import OutboxMessage
from tests.integration.test_outbox import NOW, dispatcher, queue
from tests.support.channels import RecordingChannel


async def flags(db: Database) -> list[tuple[str, bool]]:
    async with db.transaction() as s:
        rows = await s.execute(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(r.status, r.may_have_sent) for r in rows.scalars()]


async def test_a_5xx_that_may_have_sent_is_recorded_and_kept_after_the_send(db: Database) -> None:
    ch = RecordingChannel()
    ch.script.append(SendError("502", SendFailure.RETRY, code="502", may_have_sent=True))
    clock = FakeClock(NOW)
    d = dispatcher(db, ch, clock)
    await queue(db, 1)
    await d.run_until_idle()
    assert await flags(db) == [("queued", True)]
    clock.advance(minutes=5)
    await d.run_until_idle()
    assert await flags(db) == [("sent", True)]


async def test_a_refusal_that_cannot_have_sent_leaves_the_flag_clear(db: Database) -> None:
    ch = RecordingChannel()
    ch.script.append(SendError("400", SendFailure.PERMANENT, code="400"))
    await queue(db, 2)
    await dispatcher(db, ch, FakeClock(NOW)).run_until_idle()
    assert await flags(db) == [("failed", False), ("sent", False)]


def test_defer_and_only_defer_takes_a_time() -> None:
    with pytest.raises(ValueError):
        SendError("limit", SendFailure.DEFER, code="limit")
    with pytest.raises(ValueError):
        SendError("x", SendFailure.RETRY, defer_until=NOW)
