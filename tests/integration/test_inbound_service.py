"""The path of one inbound message on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.app import Application
from bot.clock import FakeClock
from bot.reply_json import reply_to_json
from content.replies import Reply
from dialogs.types import Channel, Inbound, Lane
from storage.db import Database
from storage.models import ChannelAddress, InboundMessage, OutboxMessage, Person
from storage.repos import outbox
from tests.support.apps import make_app
from tests.support.reads import sent_texts

DIRECTOR = "+8613800000002"
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def msg(text: str, pid: str, phone: str = DIRECTOR, payload: str | None = None) -> Inbound:
    return Inbound(
        channel=Channel.CONSOLE,
        address=phone,
        provider_id=pid,
        received_at=NOW,
        text=text,
        payload=payload,
    )


async def count(app: Application, model: type) -> int:
    async with app.db.transaction() as s:
        return int((await s.execute(select(func.count()).select_from(model))).scalar_one())


async def test_known_director_gets_help_in_their_language(app: Application) -> None:
    await app.service.handle(msg("帮助", "m1"))
    texts = await sent_texts(app, DIRECTOR)
    assert texts and texts[0].startswith("儿童主任可用")


async def test_provider_retry_is_a_no_op(app: Application) -> None:
    first = await app.service.handle(msg("帮助", "same-id"))
    second = await app.service.handle(msg("帮助", "same-id"))
    assert not first.duplicate and second.duplicate
    assert await count(app, InboundMessage) == 1
    assert await count(app, OutboxMessage) == 1


async def test_unknown_sender_is_answered_politely(app: Application) -> None:
    await app.service.handle(msg("你好", "u1", phone="+8613999999999"))
    texts = await sent_texts(app, "+8613999999999")
    assert len(texts) == 1 and "请直接描述情况" in texts[0]  # small talk: the menu, once
    await app.service.handle(msg("帮助", "u2", phone="+8613999999999"))
    assert "请直接描述情况" in (await sent_texts(app, "+8613999999999"))[-1]


async def test_a_stranger_writing_english_is_answered_in_english(app: Application) -> None:
    """An unknown sender's English concern gets the English safety reply, and the address
    keeps English; a known person's own locale is never guessed over, nor pinyin."""
    stranger = "+8613999999998"
    await app.service.handle(msg("my neighbour's kid is beaten badly every night", "e1", stranger))
    first = await sent_texts(app, stranger)
    assert first and not any("\u4e00" <= ch <= "\u9fff" for ch in "".join(first)), first
    await app.service.handle(msg("1", "e2", stranger))  # the next reply stays in English
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in (await sent_texts(app, stranger))[-1])
    async with app.db.transaction() as s:
        row = (
            await s.execute(select(ChannelAddress).where(ChannelAddress.address == stranger))
        ).scalar_one()
        assert row.locale == "en"
    await app.service.handle(msg("help me please now", "e3"))  # the director: zh_Hans stays
    assert (await sent_texts(app, DIRECTOR))[-1][0] >= "\u4e00"
    pinyin = "+8613999999997"
    await app.service.handle(msg("wo jia hai zi bei da le", "e4", pinyin))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in (await sent_texts(app, pinyin))[0])


async def test_stop_confirms_then_no_reminder_is_sent(app: Application) -> None:
    await app.service.handle(msg("退订", "s1"))
    assert (await sent_texts(app, DIRECTOR))[-1].startswith("已退订")
    async with app.db.transaction() as s:
        await outbox.enqueue(
            s, channel=Channel.CONSOLE, address=DIRECTOR,
            message=reply_to_json(Reply("cancel.done")), lane=Lane.REMINDER, now=NOW,
        )  # fmt: skip
    await app.service.handle(msg("帮助", "s2"))  # a conversation they start is answered
    assert len(await sent_texts(app, DIRECTOR)) == 2
    async with app.db.transaction() as s:
        statuses = (
            await s.execute(select(OutboxMessage.status).order_by(OutboxMessage.id))
        ).scalars()
        assert list(statuses) == ["sent", "suppressed", "sent"]
    await app.service.handle(msg("订阅", "s3"))
    assert (await sent_texts(app, DIRECTOR))[-1] == "已恢复订阅。"


async def test_language_choice_survives_a_restart(db: Database, app: Application) -> None:
    await app.service.handle(msg("语言", "l1"))
    assert "1 简体中文" in (await sent_texts(app, DIRECTOR))[-1]
    await app.stop()
    restarted = make_app(db.url, FakeClock(NOW))
    try:
        await restarted.service.handle(msg("2", "l2"))  # a new process resolves "2"
        assert (await sent_texts(restarted, DIRECTOR))[-1] == "語言已設為繁體中文。"
        await restarted.service.handle(msg("help", "l3"))
        assert (await sent_texts(restarted, DIRECTOR))[-1].startswith("兒童主任可用")
    finally:
        await restarted.stop()


async def test_a_processing_failure_keeps_the_message_and_apologises(app: Application) -> None:
    async def broken(scope, state, ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("bug")

    app.service.pre_step_hooks.append(broken)
    await app.service.handle(msg("帮助", "f1"))
    async with app.db.transaction() as s:
        row = (await s.execute(select(InboundMessage))).scalar_one()
        assert row.processed_at is None  # kept, visible as unprocessed
    assert "稍后再试" in (await sent_texts(app, DIRECTOR))[-1]


async def test_address_row_records_the_sender(app: Application) -> None:
    await app.service.handle(msg("帮助", "a1"))
    async with app.db.transaction() as s:
        addr = (await s.execute(select(ChannelAddress))).scalar_one()
        assert addr.person_id is not None and addr.last_inbound_at == NOW


async def test_first_contact_links_the_address_to_the_active_person_with_that_phone(
    app: Application,
) -> None:
    await app.service.handle(msg("帮助", "l1"))  # the director, never seen on this channel
    async with app.db.transaction() as s:
        addr = (await s.execute(select(ChannelAddress))).scalar_one()
        row = (await s.execute(select(InboundMessage))).scalar_one()
        director = (await s.execute(select(Person).where(Person.phone == DIRECTOR))).scalar_one()
        assert addr.person_id == director.id and row.person_id == director.id
        assert row.processed_at == NOW
        director.active = False  # inactive from now on: a new address is not linked
    await app.service.handle(
        Inbound(Channel.SMS, DIRECTOR, "l2", NOW, text="帮助")
    )  # same phone, another channel
    await app.service.handle(msg("帮助", "l3"))  # the linked console address stays linked
    async with app.db.transaction() as s:
        sms = (
            await s.execute(select(ChannelAddress).where(ChannelAddress.channel == Channel.SMS))
        ).scalar_one()
        assert sms.person_id is None
        rows = {r.provider_id: r for r in (await s.execute(select(InboundMessage))).scalars()}
        assert rows["l2"].person_id is None and rows["l3"].person_id == director.id


async def test_a_telegram_address_is_never_linked_by_its_number(app: Application) -> None:
    await app.service.handle(Inbound(Channel.TELEGRAM, DIRECTOR, "t1", NOW, text="帮助"))
    async with app.db.transaction() as s:
        addr = (await s.execute(select(ChannelAddress))).scalar_one()
        row = (await s.execute(select(InboundMessage))).scalar_one()
    assert addr.person_id is None and row.person_id is None
