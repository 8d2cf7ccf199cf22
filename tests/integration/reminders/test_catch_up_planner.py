"""Catch-up over time on a fake clock: a late-registered child's guardian gets the first
batch, then each next batch when due; nothing before a dose may be given, nothing from 18."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import select

from bot.app import Application
from bot.core_data import load_schedule
from bot.reminders import plan
from content.dates import add_months
from reminders.dates import add_age
from storage.models import DoseGiven
from tests.integration.reminders.roster import Roster, fake, ledger, outbox_rows, say, text_of

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


async def recorded(app: Application) -> dict[str, date | None]:
    async with app.db.transaction() as s:
        rows = (await s.execute(select(DoseGiven.code, DoseGiven.given_on))).all()
    return {code: given_on for code, given_on in rows}


async def test_late_registered_six_year_old_gets_the_first_batch_once(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        mum = await r.person()
        await r.child(date(2020, 3, 1), [mum], records={})
    await plan(app)
    await plan(app)
    rows = await outbox_rows(app)
    assert len(rows) == 1
    text = text_of(app, rows[0].message)
    assert "补种" in text and "乙肝第1剂" in text and "脊灰第1剂" in text
    assert "百白破第5剂" not in text and "卡介苗" not in text
    (row,) = await ledger(app)
    assert row.stage == "catchup" and row.item.startswith("catchup:")
    await app.dispatcher.run_once()
    await say(app, mum, "1")
    given = await recorded(app)
    assert {"HepB1", "IPV1", "DTaP1", "MMR1", "JE-L1", "HepA-L", "MPSV-AC1"} <= set(given)
    assert set(given.values()) == {date(2026, 3, 2)}


async def test_years_of_catch_up_on_a_fake_clock(app: Application) -> None:
    """Weekly planner runs for a 6-year-old registered with no record, whose guardian
    answers "1" to every reminder: each dose is recorded once, never before it may be
    given, with the series intervals and the 28-day rule kept."""
    birth = date(2020, 3, 1)
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        mum = await r.person()
        await r.child(birth, [mum], records={})
    seen = 0
    for week in range(52 * 4):
        fake(app).set(NOW + timedelta(days=7 * week))
        await plan(app)
        rows = await outbox_rows(app)
        if len(rows) > seen:
            await app.dispatcher.run_once()
            await say(app, mum, "1")
            seen = len(await outbox_rows(app))
    given = await recorded(app)
    edition = load_schedule().in_force(NOW.date() + timedelta(days=7 * 52 * 4))
    for a, b, gap in [
        ("HepB1", "HepB2", timedelta(days=28)),
        ("HepB2", "HepB3", timedelta(days=60)),
        ("IPV1", "IPV2", timedelta(days=28)),
        ("IPV2", "bOPV1", timedelta(days=28)),
        ("DTaP1", "DTaP2", timedelta(days=28)),
        ("DTaP2", "DTaP3", timedelta(days=28)),
    ]:
        ga, gb = given[a], given[b]
        assert ga is not None and gb is not None and gb - ga >= gap, (a, b)
    assert given["DTaP4"] and given["DTaP3"] and given["DTaP4"] >= add_months(given["DTaP3"], 6)
    assert given["JE-L2"] and given["JE-L1"] and given["JE-L2"] >= add_months(given["JE-L1"], 12)
    # DTaP5 comes 12 months after DTaP4, when the child is 7: as DT
    assert "DT5" in given and "DTaP5" not in given
    assert given["DT5"] and given["DT5"] >= add_months(given["DTaP4"], 12)
    assert given["DT5"] >= add_age(birth, years=7)
    live = sorted(
        {d for c, d in given.items() if d and (e := edition.entry(c)) and e.live_injectable}
    )
    assert all((b - a).days >= 28 for a, b in pairwise(live))
    assert not {"BCG", "MPSV-A1", "MPSV-A2", "DTaP5"} & set(given)
    # nothing was reminded as overdue: she answered every time
    assert not [d for d in await ledger(app) if d.stage == "overdue"]


async def test_nothing_from_the_18th_birthday(app: Application) -> None:
    birth = date(2008, 4, 1)  # 18 on 2026-04-01
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        mum = await r.person()
        await r.child(birth, [mum], records={})
    for week in range(12):
        fake(app).set(NOW + timedelta(days=7 * week))
        await plan(app)
    rows = await ledger(app)
    assert rows and all(d.due_date < add_age(birth, years=18) for d in rows)
    assert all(d.created_at.date() < add_age(birth, years=18) for d in rows)


async def test_a_reply_before_the_dose_may_be_given_records_nothing(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        mum = await r.person()
        birth = date(2026, 1, 9)  # IPV1, DTaP1 may be given from 2026-03-09
        records = {"HepB1": birth, "BCG": birth, "HepB2": date(2026, 2, 9)}
        await r.child(birth, [mum], records=records)
    await plan(app)  # the "before" stage, 7 days ahead
    assert {(d.item, d.stage) for d in await ledger(app)} >= {("IPV1", "before")}
    await app.dispatcher.run_once()
    await say(app, mum, "1")
    given = await recorded(app)
    assert "IPV1" not in given and "DTaP1" not in given, [
        (d.item, d.stage) for d in await ledger(app)
    ]
    assert "2026年3月9日" in text_of(app, (await outbox_rows(app))[-1].message)
