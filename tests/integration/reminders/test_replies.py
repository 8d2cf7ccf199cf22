"""The closed loop: a guardian's reply records the dose, stops the year's insurance
reminders, or goes to the director; directors see children with overdue doses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import Application
from bot.reminders import plan
from dialogs.types import Channel
from storage.models import ChannelAddress, DoseGiven, Person, ReminderAck
from tests.integration.reminders.roster import Roster, fake, ledger, outbox_rows, say

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
TWO_MONTHS = date(2026, 1, 2)


async def setup(app: Application) -> tuple[Person, Person, int]:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        mum = await r.person()
        child = await r.child(TWO_MONTHS, [mum])
        assert r.director is not None
        return mum, r.director, child.id


@pytest.mark.parametrize("text", ["1", "已接种", "done"])
async def test_confirming_records_the_doses_and_cancels_the_pending_reminder(
    app: Application, text: str
) -> None:
    mum, _, _child_id = await setup(app)
    await plan(app)
    await app.dispatcher.run_once()  # the reminder is sent
    await say(app, mum, text)
    async with app.db.transaction() as s:
        doses = (
            await s.execute(
                select(DoseGiven.code, DoseGiven.source).where(DoseGiven.source == "guardian")
            )
        ).all()
    assert sorted(doses) == [("DTaP1", "guardian"), ("IPV1", "guardian")]
    rows = await outbox_rows(app)
    assert rows[0].message["key"] == "reminder.digest" and rows[0].status == "sent"
    assert rows[-1].message["key"] == "reminder.reply.recorded"
    assert all(d.resolved_at is not None for d in await ledger(app))
    fake(app).set(NOW + timedelta(days=7))
    before = [d for d in await ledger(app) if d.kind == "vaccine"]
    await plan(app)  # the overdue stage finds the doses given: nothing more
    assert len([d for d in await ledger(app) if d.kind == "vaccine"]) == len(before)


async def test_a_sent_reminder_is_not_cancelled_but_later_stages_never_come(
    app: Application,
) -> None:
    mum, _, _ = await setup(app)
    await plan(app)
    await app.dispatcher.run_once()
    await say(app, mum, "1")
    rows = await outbox_rows(app)
    assert rows[0].status == "sent"


async def test_insurance_confirmation_stops_this_years_reminders(app: Application) -> None:
    mum, _, _child_id = await setup(app)
    await plan(app, as_of=date(2026, 12, 1))  # 30 days before the enrolment deadline
    await app.dispatcher.run_once()
    rows = await outbox_rows(app)
    assert any(d.kind == "insurance" and d.item == "2027" for d in await ledger(app))
    await say(app, mum, "已参保")
    async with app.db.transaction() as s:
        acks = (await s.execute(select(ReminderAck.kind, ReminderAck.item))).all()
    assert acks == [("insurance", "2027")]
    await plan(app, as_of=date(2026, 12, 31))
    insurance = [d for d in await ledger(app) if d.kind == "insurance"]
    assert [d.stage for d in insurance] == ["u-before"]  # the national window is not verified
    assert len(await outbox_rows(app)) == len(rows) + 1  # only the reply to "已参保"


@pytest.mark.parametrize("text", ["2", "不知道", "在哪里打针？"])
async def test_a_question_goes_to_the_director(app: Application, text: str) -> None:
    mum, director, _ = await setup(app)
    await plan(app)
    await app.dispatcher.run_once()
    await say(app, mum, text)
    rows = await outbox_rows(app)
    routed = [r for r in rows if r.message["key"] == "reminder.route.guardian"]
    assert [r.address for r in routed] == [director.phone]
    params = routed[0].message["params"]
    assert params["text"] == text and params["phone"] == mum.phone
    assert rows[-1].message["key"] == "reminder.reply.routed" or any(
        r.message["key"] == "reminder.reply.routed" for r in rows
    )


async def test_a_reply_without_a_reminder_is_not_taken_as_a_dose(app: Application) -> None:
    mum, _, _ = await setup(app)
    await say(app, mum, "1")
    async with app.db.transaction() as s:
        stmt = select(DoseGiven).where(DoseGiven.source == "guardian")
        assert (await s.execute(stmt)).first() is None


async def test_directors_see_children_with_overdue_doses(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        mum = await r.person()
        late = await r.child(date(2025, 6, 1), [mum], records={})
        await r.child(TWO_MONTHS, [mum])
        assert r.director is not None and r.director.phone
        director = r.director
        address = ChannelAddress(
            channel="console", address=r.director.phone, person_id=director.id, created_at=NOW
        )
        s.add(address)
        await s.flush()
        ctx = await app.service.context(s, director, address, Channel.CONSOLE, NOW)
    assert ctx.extra["vaccine_overdue_child_ids"] == frozenset({late.id})


async def test_a_reply_at_night_confirms_nothing_still_queued(app: Application) -> None:
    """22:00 in Shanghai: the reminder waits for 08:00; her "1" at 22:30 records nothing."""
    mum, _, _ = await setup(app)
    fake(app).set(datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    await plan(app, as_of=date(2026, 3, 2))
    fake(app).set(datetime(2026, 3, 2, 14, 30, tzinfo=UTC))
    await app.dispatcher.run_once()  # nothing may go out before 08:00
    await say(app, mum, "1")
    async with app.db.transaction() as s:
        stmt = select(DoseGiven).where(DoseGiven.source == "guardian")
        assert (await s.execute(stmt)).first() is None
    assert all(d.resolved_at is None for d in await ledger(app))


async def test_two_children_one_question_one_message_to_the_director(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        mum = await r.person()
        await r.child(TWO_MONTHS, [mum])
        await r.child(TWO_MONTHS - timedelta(days=1), [mum])
        assert r.director is not None
        director = r.director
    await plan(app)
    await app.dispatcher.run_once()
    await say(app, mum, "2")
    rows = await outbox_rows(app)
    routed = [row for row in rows if row.address == director.phone]
    assert len(routed) == 1
    await app.dispatcher.run_once()
    async with app.db.transaction() as s:
        sent = await s.get(type(routed[0]), routed[0].id)
        assert sent is not None and sent.text is not None
        assert mum.name in sent.text and str(mum.phone) in sent.text
        assert "小1" in sent.text and "小2" in sent.text and "脊灰第1剂" in sent.text


async def test_one_child_of_two_is_confirmed_by_name(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        mum = await r.person()
        first = await r.child(TWO_MONTHS, [mum])
        await r.child(TWO_MONTHS - timedelta(days=1), [mum])
    await plan(app)
    await app.dispatcher.run_once()
    await say(app, mum, "1 小1")
    async with app.db.transaction() as s:
        stmt = select(DoseGiven.child_id).where(DoseGiven.source == "guardian")
        assert set((await s.execute(stmt)).scalars()) == {first.id}
    last = (await outbox_rows(app))[-1]
    assert last.message["key"] == "reminder.reply.recorded_others"  # 小2 still waits
    await say(app, mum, "1")  # then the other child's doses
    async with app.db.transaction() as s:
        stmt = select(DoseGiven.child_id).where(DoseGiven.source == "guardian")
        assert len(set((await s.execute(stmt)).scalars())) == 2
