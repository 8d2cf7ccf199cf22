"""Regional data is honest: an unverified date says "以当地通知为准" and never "已截止";
newborns are reminded of the enrolment period that covers them from birth."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.app import Application
from bot.reminders import admin, plan
from bot.reply_json import reply_from_json
from dialogs.render import render
from reminders.digest import honest_stages
from tests.integration.reminders.roster import Roster, fake, ledger, outbox_rows

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("names", "verified", "expected"),
    [
        (["before", "due", "overdue"], True, ["before", "due", "overdue"]),
        (["before", "due", "overdue"], False, ["u-before", "u-due"]),
        (["overdue"], False, []),
    ],
)
def test_honest_stages(names: list[str], verified: bool, expected: list[str]) -> None:
    assert honest_stages(names, verified) == expected


async def test_a_newborn_gets_the_90_day_enrolment_reminder(app: Application) -> None:
    birth = TODAY - timedelta(days=60)  # 30 days before the 90-day mark
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup(region="530102")
        await r.child(birth, [await r.person()])
    await plan(app)
    newborn = [d for d in await ledger(app) if d.item == "newborn"]
    assert [(d.kind, d.stage, d.due_date) for d in newborn] == [
        ("insurance", "u-before", birth + timedelta(days=90))
    ]
    (row,) = await outbox_rows(app)
    text = render(reply_from_json(row.message), app.catalog, "zh_Hans", "numbered").text
    assert "新生儿" in text and "以当地通知为准" in text


async def test_a_verified_newborn_period_is_worded_plainly(app: Application) -> None:
    birth = TODAY - timedelta(days=60)
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup(region="530102")
        await r.child(birth, [await r.person()])
        doc = {
            "region": "530102",
            "insurance": {"newborn_enrol_within_days": 90, "verified": True, "source": "test"},
        }
        await admin.set_calendar(s, doc, NOW, "test", TODAY)
    await plan(app)
    fake(app).set(NOW + timedelta(days=37))  # a week after the 90 days
    await plan(app)
    stages = [d.stage for d in await ledger(app) if d.item == "newborn"]
    assert stages == ["before", "due", "overdue"]
    last = (await outbox_rows(app))[-1]
    text = render(reply_from_json(last.message), app.catalog, "zh_Hans", "numbered").text
    assert "等待期" in text
