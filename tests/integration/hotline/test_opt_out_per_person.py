"""Opt-out is per person, across channels (issue 10, item 7): STOP on Telegram also stops SMS
reminders and digests; it never suppresses a safety reply or a conversation the person starts;
staff are told truthfully when a reply to a reporter was not delivered."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, update

from bot.app import Application
from bot.hotline.jobs import record_deliveries
from bot.reminders.planner import plan
from dialogs.types import Channel, Inbound
from storage.db import Database
from storage.models import ChannelAddress, OutboxMessage, Person
from tests.integration.hotline.helpers import (
    HOTLINE,
    NOW,
    UNKNOWN,
    cases,
    kinds,
    outbox_rows,
    say,
    texts,
)
from tests.support.apps import demo_app

GRANDMA = "+8613800000011"  # 张奶奶, a guardian with reminders in the demo data
CHAT = "55501"  # her Telegram chat


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:
    async with demo_app(db.url) as application:
        async with application.db.transaction() as session:
            found = await session.execute(select(Person).where(Person.phone == GRANDMA))
            grandma = found.scalar_one()
            session.add(
                ChannelAddress(
                    channel="console", address=CHAT, person_id=grandma.id, created_at=NOW
                )
            )
        yield application


async def _on_chat(app: Application, text: str) -> None:
    """She writes from her second, linked address (as a Telegram chat would be)."""
    await app.service.handle(
        Inbound(Channel.CONSOLE, CHAT, f"chat-{text}-{app.clock.now().isoformat()}",
                app.clock.now(), text)
    )  # fmt: skip


async def _reminders_sent(app: Application) -> list[OutboxMessage]:
    await app.dispatcher.run_until_idle()
    async with app.db.transaction() as s:
        grandma = (await s.execute(select(Person).where(Person.phone == GRANDMA))).scalar_one()
        rows = await s.execute(
            select(OutboxMessage).where(
                OutboxMessage.person_id == grandma.id, OutboxMessage.lane == 2
            )
        )
        return [r for r in rows.scalars() if r.status == "sent"]


async def test_stop_on_one_channel_stops_reminders_on_every_channel(app: Application) -> None:
    await _on_chat(app, "退订")
    await plan(app)
    assert await _reminders_sent(app) == []  # not by SMS either
    await _on_chat(app, "订阅")
    async with app.db.transaction() as s:
        grandma = (await s.execute(select(Person).where(Person.phone == GRANDMA))).scalar_one()
        assert grandma.opted_out_at is None  # subscribed again, as a person


async def test_without_stop_she_is_reminded(app: Application) -> None:
    await plan(app)
    assert await _reminders_sent(app)


async def test_stop_never_silences_a_conversation_she_starts(app: Application) -> None:
    await say(app, "退订", GRANDMA)
    await say(app, "帮助", GRANDMA)  # she asks: she is answered
    sent = await texts(app, GRANDMA)
    assert len(sent) == 2 and sent[1].startswith("我们会提醒")
    await say(app, "孩子被他爸爸打得浑身是伤", GRANDMA)
    assert "110" in " ".join((await texts(app, GRANDMA))[2:])


async def test_staff_are_told_when_a_reply_to_the_reporter_was_not_delivered(
    app: Application,
) -> None:
    await say(app, "邻居家的孩子被打得很厉害", UNKNOWN)
    [case] = await cases(app)
    await say(app, f"认领 {case.ref}", HOTLINE)
    async with app.db.transaction() as s:  # the number stops working after the report
        await s.execute(
            update(ChannelAddress)
            .where(ChannelAddress.address == UNKNOWN)
            .values(unreachable_at=NOW, unreachable_reason="30003: unreachable")
        )
    await say(app, f"回复 {case.ref} 孩子现在安全吗？", HOTLINE)
    staff = await texts(app, HOTLINE)
    assert "已发" not in staff[-1]  # never "sent" when it was not
    assert "未送达" in staff[-1] or "无法联系" in staff[-1]


async def test_a_reply_that_fails_later_is_reported_to_staff(app: Application) -> None:
    await say(app, "邻居家的孩子被打得很厉害", UNKNOWN)
    [case] = await cases(app)
    await say(app, f"认领 {case.ref}", HOTLINE)
    await say(app, f"回复 {case.ref} 孩子现在安全吗？", HOTLINE)
    rows = await outbox_rows(app, UNKNOWN)
    async with app.db.transaction() as s:  # the provider refused it for good
        await s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == rows[-1].id)
            .values(status="failed", error_code="30003")
        )
    await record_deliveries(app)
    await record_deliveries(app)  # told once
    assert "reply_undelivered" in await kinds(app, case.id)
    notices = [t for t in await texts(app, HOTLINE) if "回复未送达" in t]
    assert len(notices) == 1 and case.ref in notices[0]
