"""The planner queues a batch's messages in multi-row inserts, and reads and creates the
recipients' addresses in set-based statements, not statements per recipient (issue 13), on
real SQLite and PostgreSQL. Counts of statements, never timings."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.app import Application
from bot.reminders import plan
from storage.models import ChannelAddress
from tests.integration.reminders.roster import Roster, outbox_rows
from tests.integration.test_inbound_statements import recorded

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TWO_MONTHS = date(2026, 1, 2)  # IPV1 and DTaP1 fall due on 2026-03-02


async def test_one_outbox_insert_for_many_guardians(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        mums = [await r.person() for _ in range(6)]
        for mum in mums:
            await r.child(TWO_MONTHS, [mum])
    with recorded(app) as seen:
        result = await plan(app)
    assert result.messages == 6
    inserts = [s for s in seen["sql"] if s.startswith("INSERT INTO outbox")]
    assert len(inserts) == 1
    rows = await outbox_rows(app)
    assert sorted(row.address for row in rows) == sorted(m.phone for m in mums)
    assert {row.dedup_key for row in rows} == {f"rem:digest:{m.id}:2026-03-02" for m in mums}
    again = await plan(app)  # the same day again: nothing new, nothing held twice
    assert again.messages == 0


def _address_statements(sql: list[str]) -> list[str]:
    return [s.split(" (")[0][:40] for s in sql if "channel_addresses" in s.split(" WHERE")[0]]


async def test_recipients_addresses_in_one_query_and_one_insert(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        mums = [await r.person() for _ in range(6)]
        aunt = await r.person()
        for mum in mums[:5]:
            await r.child(TWO_MONTHS, [mum])
        await r.child(TWO_MONTHS, [mums[5], aunt])  # the aunt is second: never asked
        s.add(ChannelAddress(channel="console", address=mums[1].phone, created_at=NOW))
    with recorded(app) as seen:
        result = await plan(app)
    assert result.messages == 6
    selects = [s for s in seen["sql"] if s.startswith("SELECT channel_addresses.")]
    inserts = [s for s in seen["sql"] if s.startswith("INSERT INTO channel_addresses")]
    updates = [s for s in seen["sql"] if s.startswith("UPDATE channel_addresses")]
    assert (len(selects), len(inserts), len(updates)) == (1, 1, 1), _address_statements(seen["sql"])
    async with app.db.transaction() as s:
        rows = (await s.execute(select(ChannelAddress))).scalars().all()
    # each mother's address, created (or, the one seen before, linked) for her; none for the aunt
    assert sorted((a.address, a.person_id) for a in rows) == sorted((m.phone, m.id) for m in mums)
