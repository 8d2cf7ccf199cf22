"""People and channels: reachability per channel, filters, a supervisor's township only,
and every person/child record opened written to the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.demo import load_demo
from storage.db import Database
from storage.models import Area, AuditEntry, ChannelAddress, Child, ConsoleUser, Person
from tests.integration.console.support import console, signed_in

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


async def _demo(db: Database) -> None:
    async with db.transaction() as session:
        await load_demo(session, NOW, date(2026, 3, 2))
        people = {p.phone: p for p in (await session.execute(select(Person))).scalars()}
        zhang, liu = people["+8613800000011"], people["+8613800000012"]
        session.add_all(
            [
                ChannelAddress(
                    channel="sms", address=zhang.phone, person_id=zhang.id, created_at=NOW
                ),
                ChannelAddress(
                    channel="telegram", address="7001", person_id=zhang.id, created_at=NOW,
                    opted_out_at=NOW,
                ),
                ChannelAddress(
                    channel="sms", address=liu.phone, person_id=liu.id, created_at=NOW,
                    unreachable_at=NOW, unreachable_reason="21614",
                ),
            ]
        )  # fmt: skip


async def test_channels_show_reachable_opted_out_and_unreachable(db: Database) -> None:
    await _demo(db)
    async with console(db) as c, c.signed_in_as("hal", "hotline") as (client, _):
        page = (await client.get("/console/people?role=guardian")).text
        assert "张奶奶" in page and "李主任" not in page
        assert "sms: 可联系" in page and "telegram: 已退订" in page and "sms: 无法送达" in page
        east = (await client.get("/console/people?area=DEMO-530000-01-T1-V2")).text
        assert "黄妈妈" in east and "张奶奶" not in east


async def test_a_supervisor_sees_only_their_township(db: Database) -> None:
    await _demo(db)
    async with console(db) as c:
        await c.add_user("sue", "supervisor")
        async with db.transaction() as session:
            other = Area(code="OTHER-T", name="别镇", level="township")
            session.add(other)
            await session.flush()
            session.add(Person(name="外镇主任", role="director", phone="+8613800000099",
                               area_id=other.id, created_at=NOW))  # fmt: skip
            township = (
                await session.execute(select(Area).where(Area.code == "DEMO-530000-01-T1"))
            ).scalar_one()
            user = (await session.execute(select(ConsoleUser))).scalar_one()
            user.area_id = township.id
            stranger = (
                await session.execute(select(Person).where(Person.phone == "+8613800000099"))
            ).scalar_one()
        async with c.client() as client:
            await signed_in(client, "sue")
            page = (await client.get("/console/people")).text
            assert "李主任" in page and "外镇主任" not in page and "赵管理" not in page
            hidden = await client.get(f"/console/people/{stranger.id}")
            assert hidden.status_code == 404 and "找不到页面" in hidden.text


async def test_opening_a_record_is_audited(db: Database) -> None:
    await _demo(db)
    async with console(db) as c:
        await c.add_user("ada", "admin")
        async with db.transaction() as session:
            director = (
                await session.execute(select(Person).where(Person.phone == "+8613800000002"))
            ).scalar_one()
        async with c.client() as client:
            await signed_in(client, "ada")
            page = await client.get(f"/console/people/{director.id}")
            assert page.status_code == 200 and "小明" in page.text
    async with db.transaction() as session:
        entries = (await session.execute(select(AuditEntry))).scalars().all()
        own = await session.execute(select(Child).where(Child.director_id == director.id))
        expected = len(own.scalars().all())
    reads = {(e.actor, e.action, e.subject_type) for e in entries}
    assert ("user:ada", "read", "person") in reads and ("user:ada", "read", "child") in reads
    child_reads = [e for e in entries if e.action == "read" and e.subject_type == "child"]
    assert len(child_reads) == expected >= 5  # one read per child of the director shown
    assert all(e.at == NOW for e in entries if e.action == "read")
