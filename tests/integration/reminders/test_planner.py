"""The planner queues each reminder once: twice-run, concurrent, late; quiet hours; combined
messages; who receives them; who gets nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import Application
from bot.clock import FakeClock
from bot.reminders import plan, reminder_runtime
from bot.reminders.config import ReminderSettings
from bot.reply_json import reply_from_json
from dialogs.render import render
from storage.models import DoseGiven, Person
from tests.integration.reminders.roster import Roster, fake, ledger, outbox_rows
from tests.support.apps import make_app

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TWO_MONTHS = date(2026, 1, 2)  # IPV1 and DTaP1 fall due on 2026-03-02


async def roster(app: Application) -> Roster:
    async with app.db.transaction() as s:
        return await Roster(s, NOW).setup()


async def test_due_doses_are_queued_once_even_when_run_twice(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        mum = await r.person()
        await r.child(TWO_MONTHS, [mum])
    first = await plan(app)
    second = await plan(app)
    rows = await outbox_rows(app)
    assert [(row.address, row.message["key"], row.dedup_key) for row in rows] == [
        (mum.phone, "reminder.digest", f"rem:digest:{mum.id}:2026-03-02")
    ]
    assert first.messages == 1 and second.messages == 0
    items = {(d.item, d.stage) for d in await ledger(app)}
    assert {("IPV1", "due"), ("DTaP1", "due")} <= items
    assert all(d.outbox_id == rows[0].id for d in await ledger(app))


async def test_two_planners_at_once_queue_each_reminder_once(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        for _ in range(3):
            await r.child(TWO_MONTHS, [await r.person()])
    other = make_app(app.settings.database_url, FakeClock(NOW))
    try:
        await asyncio.gather(plan(app), plan(other), plan(app))
    finally:
        await other.stop()
    rows = await outbox_rows(app)
    assert len(rows) == 3
    assert len({row.dedup_key for row in rows}) == 3
    keys = [(d.child_id, d.item, d.stage) for d in await ledger(app)]
    assert len(keys) == len(set(keys))


async def test_late_run_after_downtime_catches_up_without_duplicates(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        mum = await r.person()
        await r.child(TWO_MONTHS - timedelta(days=3), [mum])  # due three days ago
    fake(app).set(NOW - timedelta(days=4))
    await plan(app)  # four days before: nothing on the day yet, "before" stage only
    before = await outbox_rows(app)
    fake(app).set(NOW)
    await plan(app)
    await plan(app)
    rows = await outbox_rows(app)
    assert len(before) == 1 and len(rows) == 2
    stages = sorted((d.item, d.stage) for d in await ledger(app) if d.kind == "vaccine")
    assert stages == [("DTaP1", "before"), ("DTaP1", "due"), ("IPV1", "before"), ("IPV1", "due")]
    assert "已逾期" not in rows[1].message["params"]["lines"]


@pytest.mark.parametrize(
    ("utc_hour", "expected"),
    [
        (14, datetime(2026, 3, 3, 0, 0, tzinfo=UTC)),  # 22:00 local -> 08:00 next morning
        (21, datetime(2026, 3, 2, 0, 0, tzinfo=UTC)),  # 05:00 local -> 08:00 the same day
        (2, datetime(2026, 3, 2, 2, 0, tzinfo=UTC)),  # 10:00 local -> now
    ],
)
async def test_quiet_hours_hold_a_night_reminder_until_morning(
    app: Application, utc_hour: int, expected: datetime
) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        await r.child(TWO_MONTHS, [await r.person()])
    now = datetime(2026, 3, 2, utc_hour, 0, tzinfo=UTC)
    if utc_hour >= 16:
        now -= timedelta(days=1)
        now = now.replace(hour=utc_hour)
    fake(app).set(now)
    await plan(app, as_of=date(2026, 3, 2))
    (row,) = await outbox_rows(app)
    assert row.not_before == expected


async def test_quiet_hours_follow_the_recipients_area_time_zone(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup(tz="Asia/Urumqi")  # UTC+6
        await r.child(TWO_MONTHS, [await r.person()])
    fake(app).set(datetime(2026, 3, 1, 23, 30, tzinfo=UTC))  # 07:30 in Shanghai, 05:30 here
    await plan(app, as_of=date(2026, 3, 2))
    (row,) = await outbox_rows(app)
    assert row.not_before == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def sent_text(app: Application, message: dict[str, object]) -> str:
    return render(reply_from_json(message), app.catalog, "zh_Hans", "numbered").text


async def test_one_guardian_with_three_children_gets_one_message(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        gran = await r.person()
        for n in range(3):
            await r.child(TWO_MONTHS + timedelta(days=n), [gran])
    fake(app).set(NOW + timedelta(days=2))
    await plan(app)
    rows = await outbox_rows(app)
    assert len(rows) == 1
    text = sent_text(app, rows[0].message)  # rendered as the dispatcher will, at send time
    assert [text.index(f"小{n}：") for n in (1, 2, 3)] == sorted(
        text.index(f"小{n}：") for n in (1, 2, 3)
    )


async def test_falls_back_to_second_guardian_then_director(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        away, dad = await r.person(), await r.person()
        await r.opt_out(away)
        await r.child(TWO_MONTHS, [away, dad])
        nobody_home = await r.person(do_not_contact=True)
        await r.child(TWO_MONTHS, [nobody_home])
        assert r.director is not None
        director = r.director
    await plan(app)
    rows = await outbox_rows(app)
    assert sorted((row.address, row.message["key"]) for row in rows) == sorted(
        [(dad.phone, "reminder.digest"), (director.phone, "reminder.director")]
    )
    notice = next(row for row in rows if row.address == director.phone)
    assert "小2家" in sent_text(app, notice.message)
    roles = sorted(d.recipient_role or "" for d in await ledger(app) if d.stage == "due")
    assert roles == ["director", "director", "guardian", "guardian"]


@pytest.mark.parametrize(
    "who", ["opted_out", "unreachable", "do_not_contact", "inactive", "child_dnc", "dose"]
)
async def test_people_who_must_not_be_contacted_get_nothing(app: Application, who: str) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        assert r.director is not None
        r.director.do_not_contact = True  # no fallback: nothing at all must be queued
        guardian = await r.person(do_not_contact=who == "do_not_contact", active=who != "inactive")
        if who in ("opted_out", "unreachable"):
            await r.opt_out(guardian, unreachable=who == "unreachable")
        child = await r.child(TWO_MONTHS, [guardian], do_not_contact=who == "child_dnc")
        if who == "dose":
            for code in ("IPV1", "DTaP1"):
                s.add(DoseGiven(child_id=child.id, code=code, source="import", recorded_at=NOW))
    await plan(app)
    assert await outbox_rows(app) == []


async def test_suppression_provider_silences_a_guardian(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        suspect, aunt = await r.person(), await r.person()
        await r.child(TWO_MONTHS, [suspect, aunt])
    asked: list[set[int]] = []

    async def provider(session: AsyncSession, child_ids: Collection[int]) -> set[int]:
        asked.append(set(child_ids))
        return {suspect.id}

    reminder_runtime(app).suppression_providers.append(provider)
    await plan(app)
    assert [row.address for row in await outbox_rows(app)] == [aunt.phone]
    assert asked and asked[0]


async def test_dry_run_prints_and_queues_nothing(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        await r.child(TWO_MONTHS, [await r.person()])
    result = await plan(app, dry_run=True)
    assert {(line["item"], line["stage"]) for line in result.lines} >= {("IPV1", "due")}
    assert await outbox_rows(app) == [] and await ledger(app) == []


async def test_quiet_hours_are_configurable(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        await r.child(TWO_MONTHS, [await r.person()])
    reminder_runtime(app).settings = ReminderSettings(quiet_start=time(11, 0))
    await plan(app)  # 10:00 in Shanghai: held until 11:00
    (row,) = await outbox_rows(app)
    assert row.not_before == datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


async def test_a_queued_reminder_is_worded_in_the_language_of_the_day_it_is_sent(
    app: Application,
) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        gran = await r.person()
        await r.child(TWO_MONTHS, [gran])
    await plan(app)
    async with app.db.transaction() as s:  # she switches to English before it goes out
        person = await s.get(Person, gran.id)
        assert person is not None
        person.locale = "en"
    await app.dispatcher.run_until_idle()
    [row] = await outbox_rows(app)
    assert row.status == "sent" and row.text is not None
    assert "小" in row.text and not any(
        "\u4e00" <= ch <= "\u9fff" for ch in row.text.replace("小1", "")
    )
