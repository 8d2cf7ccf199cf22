"""No duplicate sends from a slow provider with two processes on PostgreSQL: a dispatcher
renews the lease of every row it holds while sends are in flight, so the other process never
takes one over; and a send that hangs is cut off at the provider timeout."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.reply_json import reply_to_json
from content.replies import Reply
from dialogs.types import Channel, Lane
from storage.db import Database
from storage.models import OutboxMessage
from storage.repos import outbox
from tests.e2e.outbox.test_processes import bodies, start_serve
from tests.standins import TwilioStandin, twilio_api
from tests.support.databases import empty_postgres
from tests.support.eventually import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
SLOW = "+8613800000666"
N = 6


@pytest.fixture
async def pg(pg_url: str) -> Iterator[Database]:
    db = Database(pg_url)
    await empty_postgres(db)
    yield db
    await db.dispose()


@pytest.fixture
def twilio() -> Iterator[TwilioStandin]:
    with TwilioStandin() as standin:
        yield standin


async def test_slow_sends_to_one_number_go_once_with_two_processes(
    pg: Database, twilio: TwilioStandin, tmp_path: Path
) -> None:
    # Each send takes 1 s; the rows for one number go one after another (6 s in all), far
    # past the 2 s lease: without renewal the other process takes the waiting rows over.
    twilio.recorder.script.add(twilio_api.delayed(1.0, times=None, to=SLOW))
    now = datetime.now(UTC)
    async with pg.transaction() as s:
        for i in range(N):
            await outbox.enqueue(
                s,
                channel=Channel.SMS,
                address=SLOW,
                message=reply_to_json(Reply("choice.invalid", {"count": i})),
                lane=Lane.REPLY,
                now=now,
            )
    env = {"CARELINE_DISPATCH_LEASE_SECONDS": "2", "CARELINE_SEND_TIMEOUT_SECONDS": "1.5"}
    procs = [start_serve(pg.url, twilio, tmp_path / f"serve{i}.log", **env) for i in range(2)]
    try:

        async def sent() -> int:
            async with pg.transaction() as s:
                return int(
                    (
                        await s.execute(
                            select(func.count())
                            .select_from(OutboxMessage)
                            .where(OutboxMessage.status == "sent")
                        )
                    ).scalar_one()
                )

        await eventually(sent, lambda n: n == N, timeout=60, what="all rows sent")
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
    counts = bodies(twilio)
    assert len(counts) == N and max(counts.values()) == 1, f"sent twice: {counts}"
