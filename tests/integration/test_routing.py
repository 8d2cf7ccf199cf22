"""Reachable addresses for many people at once (bot.routing.AddressBook), on real SQLite and
PostgreSQL: one query for the rows there are, one insert for those missing, and an address
created meanwhile by another transaction read and decided on as it is."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select

from bot.app import Application
from bot.routing import AddressBook
from dialogs.types import Channel
from storage.models import ChannelAddress, Person
from tests.integration.test_inbound_statements import recorded

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CHANNELS = [Channel.SMS, Channel.CONSOLE]


async def guardians(app: Application, n: int) -> list[Person]:
    async with app.db.transaction() as s:
        people = [
            Person(name=f"家长{i}", role="guardian", phone=f"+861390000{i:04d}", created_at=NOW)
            for i in range(n)
        ]
        s.add_all(people)
    return people


async def addresses(app: Application) -> list[tuple[str, str, int | None, bool]]:
    async with app.db.transaction() as s:
        rows = (await s.execute(select(ChannelAddress).order_by(ChannelAddress.id))).scalars()
        return [(a.channel, a.address, a.person_id, a.opted_out_at is not None) for a in rows]


async def test_many_people_in_one_query_and_one_insert(app: Application) -> None:
    people = await guardians(app, 5)
    with recorded(app) as seen:
        async with app.db.transaction() as s:
            book = AddressBook(CHANNELS, NOW, reminder=True)
            await book.load(s, people)
            before = [book.address(p) for p in people]  # decided, not yet stored
            assert await book.save(s)
            after = [book.address(p) for p in people]  # the rows as stored
    touching = [q for q in seen["sql"] if "channel_addresses" in q.split(" WHERE")[0]]
    assert [q.split()[0] for q in touching] == ["SELECT", "INSERT"]
    assert [(a.channel, a.address) for a in before if a is not None] == [
        ("sms", p.phone) for p in people
    ]
    assert all(a is not None and a.id is not None for a in after)
    assert await addresses(app) == [("sms", p.phone, p.id, False) for p in people]


async def test_an_address_created_meanwhile_is_read_and_decided_again(app: Application) -> None:
    (mum,) = await guardians(app, 1)
    async with app.db.transaction() as s:
        book = AddressBook(CHANNELS, NOW, reminder=True)
        await book.load(s, [mum])
        # Another transaction (an inbound STOP) creates the SMS address after the read.
        await s.execute(
            insert(ChannelAddress).values(
                channel="sms", address=mum.phone, opted_out_at=NOW, created_at=NOW
            )
        )
        assert book.address(mum) is not None  # taken as new, hence usable
        assert not await book.save(s)  # the insert found it: choose again
        book.reset()
        assert book.address(mum) is None  # they said stop on SMS: not the console either
        assert await book.save(s)
    assert await addresses(app) == [("sms", mum.phone, mum.id, True)]
