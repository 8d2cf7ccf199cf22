"""Dispatcher outcomes are recorded in batches (group commits), on real SQLite and
PostgreSQL (issue 13). Counts of transactions (behaviour), never timings."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import Application
from dialogs.types import Channel, Lane
from storage.models import OutboxMessage
from tests.integration.test_inbound_statements import recorded
from tests.support.queue import enqueue_numbered

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
DIRECTOR = "+8613800000002"
STRANGER = "+8613900000001"


async def test_dispatcher_records_outcomes_in_batches(app: Application) -> None:
    async with app.db.transaction() as s:
        await enqueue_numbered(
            s, 30, channel=Channel.CONSOLE, lane=Lane.REMINDER, now=NOW,
            address=lambda i: f"+86138{i:08d}",
        )  # fmt: skip
    with recorded(app) as seen:
        stats = await app.dispatcher.run_until_idle()
    assert stats.sent == 30
    assert seen["commits"] <= 10  # claims and a few group commits, not one per message
    async with app.db.transaction() as s:
        statuses = set((await s.execute(select(OutboxMessage.status))).scalars())
    assert statuses == {"sent"}
