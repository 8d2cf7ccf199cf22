"""A guardian's "1" to a catch-up reminder records only the doses her SMS named (SQLite and
PostgreSQL): the cold trial of 张奶奶, whose "1" recorded 7 doses for an SMS that named 6
and hid HPV behind "等"."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.app import Application
from bot.reminders import plan
from storage.models import DoseGiven, Person
from tests.integration.reminders.roster import Roster, outbox_rows, say, text_of

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
NAMES = {
    "HPV1": "HPV第1剂",
    "HepA-L": "甲肝",
    "HepB1": "乙肝第1剂",
    "IPV1": "脊灰第1剂",
    "JE-L1": "乙脑第1剂",
    "MMR1": "麻腮风第1剂",
    "MPSV-AC1": "A群C群流脑第1剂",
}


async def test_one_records_the_doses_the_catch_up_sms_named(app: Application) -> None:
    async with app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        grandma = await r.person(name="张奶奶")
        await r.child(date(2012, 6, 1), [grandma], sex="f", records={}, display_name="小花")
    await plan(app)
    await app.dispatcher.run_once()
    (row,) = await outbox_rows(app)
    sms = text_of(app, row.message)
    assert "等共" not in sms, sms
    named = {code for code, name in NAMES.items() if name in sms}
    assert named == set(NAMES), sms  # HPV no longer hidden behind "等"
    assert isinstance(grandma, Person) and grandma.phone
    await say(app, grandma, "1")
    async with app.db.transaction() as s:
        given = dict((await s.execute(select(DoseGiven.code, DoseGiven.given_on))).all())
    assert set(given) == named
    assert set(given.values()) == {date(2026, 3, 2)}
    answer = text_of(app, (await outbox_rows(app))[-1].message)
    assert answer.startswith("已记录：小花 ")
    assert all(name in answer for name in NAMES.values()), answer
