"""A whole year of a cohort through a fake clock: the planner runs at night and at midday
every simulated day, the dispatcher right after; no reminder twice, nothing sent at night."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.clock import FakeClock
from bot.reminders import plan
from storage.db import Database
from storage.models import OutboxMessage
from tests.integration.reminders.roster import Roster, ledger
from tests.support.apps import make_app

START = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")
RUNS = (time(2, 0), time(13, 0))  # local: one at night, one at midday


async def test_a_year_of_a_cohort_without_duplicates_or_night_sends(db: Database) -> None:
    rng = random.Random(5)
    clock = FakeClock(START)
    app = make_app(db.url, clock)
    try:
        async with app.db.transaction() as s:
            r = await Roster(s, START).setup()
            guardians = [await r.person() for _ in range(30)]
            for n in range(50):
                birth = date(2026, 1, 1) - timedelta(days=n * 102 + rng.randrange(0, 30))
                await r.child(
                    birth,
                    [guardians[n % 30]],
                    sex=rng.choice("fm"),
                    residence_permit_issued_on=birth + timedelta(days=200),
                )
        sent_days: Counter[tuple[str, date]] = Counter()
        for day in range(365):
            local_day = date(2026, 1, 1) + timedelta(days=day)
            for at in RUNS:
                clock.set(datetime.combine(local_day, at, TZ).astimezone(UTC))
                await plan(app)
                await app.dispatcher.run_once()
        async with app.db.transaction() as s:
            rows = list((await s.execute(select(OutboxMessage))).scalars())
    finally:
        await app.stop()
    reminders = [row for row in rows if row.dedup_key and row.dedup_key.startswith("rem:")]
    assert len(reminders) > 100  # the year really produced reminders of every kind
    keys = [row.dedup_key for row in reminders]
    assert len(keys) == len(set(keys))
    for row in reminders:
        assert row.status == "sent" and row.sent_at is not None
        local = row.sent_at.astimezone(TZ)
        assert time(8, 0) <= local.time() < time(21, 0), (row.dedup_key, local)
        sent_days[(row.address, local.date())] += 1
    assert max(sent_days.values()) == 1  # one message per guardian per day
    items = [(d.child_id, d.kind, d.item, d.stage) for d in await ledger(app)]
    assert len(items) == len(set(items))
    kinds = {d.kind for d in await ledger(app)}
    assert kinds == {
        "vaccine",
        "insurance",
        "school_primary",
        "school_junior_middle",
        "residence_permit",
    }
