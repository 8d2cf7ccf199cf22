"""Messages to a person go to their reachable channel; quiet conversations are closed by the
scheduler through the flow's own on_timeout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import Application
from bot.routing import queue_for_person
from content.replies import Reply
from dialogs.types import Channel, Context, Inbound, Lane, Outcome, Role, State
from storage.models import ChannelAddress, OutboxMessage, Person

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


async def person(app: Application, phone: str) -> Person:
    async with app.db.transaction() as s:
        return (await s.execute(select(Person).where(Person.phone == phone))).scalar_one()


async def test_queue_for_person_prefers_telegram_then_sms(app: Application) -> None:
    guardian = await person(app, "+8613800000013")
    channels = [Channel.CONSOLE, Channel.SMS, Channel.TELEGRAM]
    async with app.db.transaction() as s:
        p = await s.get(Person, guardian.id)
        assert p is not None
        await queue_for_person(
            s, p, Reply("cancel.done"), lane=Lane.REMINDER, now=NOW, channels=channels
        )
        s.add(ChannelAddress(channel="telegram", address="777", person_id=p.id, created_at=NOW))
        await s.flush()
        await queue_for_person(
            s, p, Reply("cancel.done"), lane=Lane.REMINDER, now=NOW, channels=channels
        )
    async with app.db.transaction() as s:
        rows = (await s.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
        assert [(r.channel, r.address) for r in rows] == [
            ("sms", "+8613800000013"),
            ("telegram", "777"),
        ]


async def test_opted_out_person_is_not_reached_elsewhere(app: Application) -> None:
    guardian = await person(app, "+8613800000013")
    async with app.db.transaction() as s:
        s.add(
            ChannelAddress(
                channel="sms",
                address="+8613800000013",
                person_id=guardian.id,
                opted_out_at=NOW,
                created_at=NOW,
            )
        )
    async with app.db.transaction() as s:
        p = await s.get(Person, guardian.id)
        assert p is not None
        queued = await queue_for_person(
            s,
            p,
            Reply("cancel.done"),
            lane=Lane.REMINDER,
            now=NOW,
            channels=[Channel.CONSOLE, Channel.SMS],
        )
        assert queued is None


async def test_dedup_key_queues_once_per_person(app: Application) -> None:
    guardian = await person(app, "+8613800000013")
    async with app.db.transaction() as s:
        p = await s.get(Person, guardian.id)
        assert p is not None
        first = await queue_for_person(
            s,
            p,
            Reply("cancel.done"),
            lane=Lane.REMINDER,
            now=NOW,
            channels=[Channel.CONSOLE],
            dedup_key="k1",
        )
        second = await queue_for_person(
            s,
            p,
            Reply("cancel.done"),
            lane=Lane.REMINDER,
            now=NOW,
            channels=[Channel.CONSOLE],
            dedup_key="k1",
        )
    assert first is not None and second is None


@dataclass
class SlowFlow:
    """A test flow: asks a question, and on timeout says goodbye."""

    name: str = "slow"
    roles: frozenset[Role] | None = None
    menu_label_key: str | None = None

    def start(self, inbound: Inbound, ctx: Context, args: str) -> Outcome:
        return Outcome(State(flow="slow", step="q"), (Reply("language.prompt"),))

    def handle(self, state: State, answer: object, ctx: Context) -> Outcome:
        return Outcome(State(), (Reply("cancel.done"),))

    def on_timeout(self, state: State, ctx: Context) -> Outcome:
        return Outcome(State(), (Reply("fallback.not_understood"),))


async def test_quiet_conversation_is_closed_by_the_sweeper(app: Application) -> None:
    app.service.engine.flows["slow"] = SlowFlow()
    app.service.engine.keywords.flow_words["slow"] = frozenset({"slow"})  # type: ignore[index]
    await app.service.handle(
        Inbound(
            channel=Channel.CONSOLE,
            address="+8613800000002",
            provider_id="x1",
            received_at=NOW,
            text="slow",
        )
    )
    assert await app.service.expire_conversations() == 0
    app.clock.advance(hours=25)  # type: ignore[attr-defined]
    assert await app.service.expire_conversations() == 1
    assert await app.service.expire_conversations() == 0
    async with app.db.transaction() as s:
        keys = [
            m["key"]
            for m in (
                await s.execute(select(OutboxMessage.message).order_by(OutboxMessage.id))
            ).scalars()
        ]
    assert keys == ["language.prompt", "fallback.not_understood"]
