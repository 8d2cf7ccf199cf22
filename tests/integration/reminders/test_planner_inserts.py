"""The planner queues a batch's messages in multi-row inserts, not one statement per
recipient (issue 13), on real SQLite and PostgreSQL. Counts of statements, never timings."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.app import Application
from bot.reminders import plan
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
