"""The reply cap's count is asked with the conversation (`arrival.take_conversation`'s
`RepliesAsked`), after the address upsert: on PostgreSQL that upsert locks the address row,
so a concurrent message's transaction from the same address has committed before the count's
snapshot is taken, and its reply is counted (two concurrent messages cannot both pass the
cap). On SQLite the write transaction is the lock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from dialogs.types import Lane
from storage.db import Database
from storage.repos import arrival, outbox

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
ADDRESS = "+8613900000077"


async def _count(db: Database) -> int:
    async with db.transaction() as session:
        await arrival.touch_address(session, "sms", ADDRESS, NOW, link_by_phone=True)
        taken = await arrival.take_conversation(
            session, "sms", ADDRESS, NOW,
            replies=arrival.RepliesAsked(Lane.REPLY, NOW - timedelta(hours=1)),
        )  # fmt: skip
        assert taken.replies_queued is not None
        return taken.replies_queued


async def _waiting_on_a_lock(db: Database) -> None:
    """Until another backend waits on a row lock (asked of PostgreSQL, not timed)."""
    for _ in range(10_000):
        async with db.engine.connect() as conn:
            waiting = await conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            )
        if waiting:
            return
        await asyncio.sleep(0)
    raise AssertionError("the second message never waited on the first's lock")


async def test_a_concurrent_message_s_reply_is_counted(db: Database) -> None:
    assert await _count(db) == 0  # the address and the conversation exist
    async with db.transaction() as first:
        await arrival.touch_address(first, "sms", ADDRESS, NOW, link_by_phone=True)
        await arrival.take_conversation(first, "sms", ADDRESS, NOW)
        await outbox.enqueue(
            first, channel="sms", address=ADDRESS, message={"key": "help.unknown"},
            lane=Lane.REPLY, now=NOW,
        )  # fmt: skip
        second = asyncio.create_task(_count(db))
        if db.is_postgres:
            await _waiting_on_a_lock(db)  # the second message waits on the address row
        else:
            await asyncio.sleep(0)  # SQLite: it waits for the one connection
        assert not second.done()
    assert await second == 1  # the first's reply, committed while the second waited
