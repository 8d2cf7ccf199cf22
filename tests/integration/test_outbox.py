"""The dispatcher on a real database: priority, retries, permanent failures, leases, and
several dispatchers sharing one queue."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.channels.base import SendError, SendFailure
from bot.clock import FakeClock
from bot.outbox import Dispatcher
from bot.reply_json import reply_to_json
from content.catalog import Catalog
from content.replies import Reply
from dialogs.types import Channel, Lane
from storage.db import Database
from storage.models import ChannelAddress, OutboxMessage
from storage.repos import outbox
from tests.support.channels import RecordingChannel

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CATALOG = Catalog.load()


def dispatcher(
    db: Database, channel: RecordingChannel, clock: FakeClock, **kw: object
) -> Dispatcher:
    return Dispatcher(db, {channel.name: channel}, lambda: CATALOG, clock, **kw)  # type: ignore[arg-type]


async def queue(
    db: Database,
    n: int,
    *,
    lane: Lane = Lane.REPLY,
    key: str = "cancel.done",
    address: str = "+8613800000001",
    params: dict | None = None,
    start: int = 0,
) -> None:
    async with db.transaction() as s:
        for i in range(start, start + n):
            await outbox.enqueue(
                s,
                channel=Channel.SMS,
                address=address,
                message=reply_to_json(Reply(key, params or {"count": i})),
                lane=lane,
                now=NOW,
            )


async def statuses(db: Database) -> list[tuple[str, str | None, int]]:
    async with db.transaction() as s:
        rows = await s.execute(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(r.status, r.error_code, r.attempts) for r in rows.scalars()]


async def test_alerts_go_before_replies_before_reminders(db: Database) -> None:
    ch = RecordingChannel()
    await queue(db, 3, lane=Lane.REMINDER, key="start.confirmed")
    await queue(db, 2, lane=Lane.REPLY, key="cancel.done")
    await queue(db, 1, lane=Lane.ALERT, key="stop.confirmed")
    await dispatcher(db, ch, FakeClock(NOW), batch=10).run_until_idle()
    order = [text for _, text in ch.sent]
    assert (
        order
        == [
            "已退订：所有渠道都不再发提醒和通知。"
            "您发来的消息和安全相关的消息仍会回复。回复“订阅”可恢复。"
        ]
        + ["已取消。"] * 2
        + ["已恢复订阅。"] * 3
    )


async def test_429_retry_after_is_honoured_then_sent_once(db: Database) -> None:
    ch = RecordingChannel()
    ch.script.append(SendError("429", SendFailure.RETRY, code="429", retry_after=30))
    clock = FakeClock(NOW)
    d = dispatcher(db, ch, clock)
    await queue(db, 1)
    await d.run_until_idle()
    assert ch.sent == [] and (await statuses(db))[0][0] == "queued"
    clock.advance(seconds=31)
    await d.run_until_idle()
    assert len(ch.sent) == 1
    assert await statuses(db) == [("sent", None, 2)]


async def test_retryable_errors_back_off_then_fail_after_max_attempts(db: Database) -> None:
    ch = RecordingChannel()
    for _ in range(3):
        ch.script.append(SendError("500", SendFailure.RETRY, code="500"))
    clock = FakeClock(NOW)
    d = dispatcher(db, ch, clock, max_attempts=3)
    await queue(db, 1)
    for _ in range(3):
        await d.run_until_idle()
        clock.advance(hours=1)
    assert ch.sent == []
    assert await statuses(db) == [("failed", "500", 3)]


async def test_permanent_failure_is_recorded_and_marks_the_address(db: Database) -> None:
    ch = RecordingChannel()
    ch.script.append(SendError("blocked", SendFailure.UNREACHABLE, code="403"))
    d = dispatcher(db, ch, FakeClock(NOW))
    await queue(db, 2)
    await d.run_until_idle()
    assert [s[:2] for s in await statuses(db)] == [("failed", "403"), ("suppressed", "unreachable")]
    async with db.transaction() as s:
        addr = (await s.execute(select(ChannelAddress))).scalar_one()
        assert addr.unreachable_at is not None


async def test_opted_out_at_the_provider_becomes_an_opt_out(db: Database) -> None:
    ch = RecordingChannel()
    ch.script.append(SendError("21610", SendFailure.OPTED_OUT, code="21610"))
    await queue(db, 1)
    await dispatcher(db, ch, FakeClock(NOW)).run_until_idle()
    async with db.transaction() as s:
        assert (await s.execute(select(ChannelAddress))).scalar_one().opted_out_at is not None


async def test_a_dead_dispatchers_claims_are_taken_over_after_the_lease(db: Database) -> None:
    clock = FakeClock(NOW)
    await queue(db, 5)
    async with db.transaction() as s:  # a dispatcher claims, then dies without sending
        claimed = await outbox.claim(
            s,
            worker="dead",
            now=clock.now(),
            limit=5,
            lease=timedelta(seconds=60),
            channels=["sms"],
        )
    assert len(claimed) == 5
    ch = RecordingChannel()
    d = dispatcher(db, ch, clock)
    await d.run_until_idle()
    assert ch.sent == []  # still leased
    clock.advance(seconds=61)
    await d.run_until_idle()
    assert len(ch.sent) == 5


async def test_per_chat_spacing_on_telegram(db: Database) -> None:
    from bot.channels.base import RateLimits

    clock = FakeClock(NOW)
    ch = RecordingChannel(Channel.TELEGRAM, RateLimits(25, 1))
    async with db.transaction() as s:
        for _ in range(3):
            await outbox.enqueue(
                s,
                channel=Channel.TELEGRAM,
                address="42",
                message=reply_to_json(Reply("cancel.done")),
                lane=Lane.REPLY,
                now=NOW,
            )
    await dispatcher(db, ch, clock).run_until_idle()
    assert len(ch.sent) == 3
    assert clock.now() - NOW >= timedelta(seconds=2)  # 1 message/s to one chat


async def test_dedup_key_queues_once(db: Database) -> None:
    async with db.transaction() as s:
        first = await outbox.enqueue(
            s,
            channel="sms",
            address="+8613800000001",
            message=reply_to_json(Reply("cancel.done")),
            lane=Lane.REMINDER,
            now=NOW,
            dedup_key="child:1:vaccine:DTaP2:day",
        )
        again = await outbox.enqueue(
            s,
            channel="sms",
            address="+8613800000001",
            message=reply_to_json(Reply("cancel.done")),
            lane=Lane.REMINDER,
            now=NOW,
            dedup_key="child:1:vaccine:DTaP2:day",
        )
    assert first is not None and again is None


async def test_concurrent_dispatchers_send_each_message_exactly_once(db: Database) -> None:
    await queue(db, 300, key="choice.invalid")
    channels = [RecordingChannel(), RecordingChannel(), RecordingChannel()]
    clock = FakeClock(NOW)
    dispatchers = [dispatcher(db, ch, clock, batch=20) for ch in channels]
    await asyncio.gather(*(d.run_until_idle() for d in dispatchers))
    texts = [t for ch in channels for _, t in ch.sent]
    assert len(texts) == 300 and len(set(texts)) == 300
    assert all(s[0] == "sent" for s in await statuses(db))


class SlowReminders(RecordingChannel):
    """Reminder sends hang until released; anything else goes through at once."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.stuck = asyncio.Event()
        self.other_sent = asyncio.Event()
        self.waiting = 0

    async def send(self, address: str, message):  # type: ignore[no-untyped-def]
        if address.startswith("+86139"):
            self.waiting += 1
            self.stuck.set()
            await self.release.wait()
            return await super().send(address, message)
        result = await super().send(address, message)
        self.other_sent.set()
        return result


async def test_an_alert_does_not_wait_behind_reminders_in_flight(db: Database) -> None:
    ch = SlowReminders()
    d = dispatcher(db, ch, FakeClock(NOW), batch=10)
    await queue(db, 10, lane=Lane.REMINDER, address="+8613900000001")
    stop = asyncio.Event()
    task = asyncio.create_task(d.run(stop, idle_poll=0.01))
    try:
        await asyncio.wait_for(ch.stuck.wait(), timeout=10)  # reminders stuck at the provider
        await queue(db, 1, lane=Lane.ALERT, key="stop.confirmed", address="+8613800000004")
        d.wake()
        await asyncio.wait_for(ch.other_sent.wait(), timeout=10)  # fails, not hangs, without it
        assert ch.sent[0][0] == "+8613800000004" and ch.waiting == 1
    finally:
        ch.release.set()
        stop.set()
        await task
