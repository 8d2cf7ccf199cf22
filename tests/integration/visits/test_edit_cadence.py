"""Correcting a visit (改) by region cadence, through the real service on SQLite and
PostgreSQL: the reply's "下次走访" and the visit row's ``next_due`` are computed from the
child's clock without the corrected visit, and agree with the child's stored due date."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy import select

from bot.app import Application
from bot.clock import FakeClock
from storage.db import Database
from storage.models import Child, Visit
from tests.support.reads import child

from .talk import WEST, conversation, regional_app, say

# The edit summary's numbers: 1 save, 2 discard, 3 kind, 4 date, 5 assessment, ...
SAVE, KIND, DATE = "1", "3", "4"


@pytest.fixture
async def app(db: Database, clock: FakeClock) -> AsyncIterator[Application]:
    async with regional_app(db.url, clock) as application:
        yield application


async def last_visit(app: Application, code: str) -> Visit:
    async with app.db.transaction() as s:
        rows = await s.execute(
            select(Visit).join(Child).where(Child.code == code).order_by(Visit.id.desc())
        )
        return rows.scalars().first()  # type: ignore[return-value]


async def test_a_home_visit_edited_into_a_phone_call(app: Application, clock: FakeClock) -> None:
    """Jilin (no contact rule): the call leaves the home visit due 3 months after the first."""
    await say(app, "走访 B01 良好 在校 无", WEST)  # home visit 2026-03-02
    clock.advance(days=28)  # 2026-03-30
    saved = await say(app, "走访 B01 良好 在校 无", WEST)
    assert saved[0].startswith("已保存B01 ") and "下次走访：2026年6月30日" in saved[0]
    clock.advance(hours=2)
    replies = await conversation(app, ["改", KIND, "电话", SAVE], WEST)
    assert len(replies) == 1 and replies[0].endswith("的走访。下次走访：2026年6月2日。")
    visit = await last_visit(app, "B01")
    assert (visit.kind, visit.next_due) == ("contact", date(2026, 6, 2))
    b01 = await child(app, "B01")
    assert (b01.last_home_visit_on, b01.last_contact_on) == (date(2026, 3, 2), date(2026, 3, 30))
    assert b01.next_visit_due == date(2026, 6, 2)


async def test_a_home_visit_whose_date_is_corrected(app: Application) -> None:
    """Hubei: the monthly contact counts from the corrected day."""
    saved = await say(app, "走访 A02 良好 在校 无")  # 2026-03-02
    assert "下次走访：2026年4月2日" in saved[0]
    replies = await conversation(app, ["改", DATE, "2026-02-20", SAVE])
    assert replies == ["已修改A02 张小红的走访。下次走访：2026年3月20日。"]
    visit = await last_visit(app, "A02")
    assert (visit.visit_date, visit.next_due) == (date(2026, 2, 20), date(2026, 3, 20))
    a02 = await child(app, "A02")
    assert (a02.last_home_visit_on, a02.last_contact_on) == (date(2026, 2, 20), date(2026, 2, 20))
    assert a02.next_visit_due == date(2026, 3, 20)


async def test_a_phone_call_edited_into_an_earlier_home_visit(
    app: Application, clock: FakeClock
) -> None:
    """Hubei: a call on 04-01 was in fact a home visit on 03-29."""
    await say(app, "走访 A01 良好 在校 无")  # home visit 2026-03-02
    clock.advance(days=30)  # 2026-04-01
    saved = await say(app, "走访 A01 良好 电话 无")
    assert "下次走访：2026年5月1日" in saved[0]
    replies = await conversation(app, ["改", KIND, "入户", DATE, "2026-03-29", SAVE])
    assert replies[-1] == "已修改A01 张小明的走访。下次走访：2026年4月29日。"
    visit = await last_visit(app, "A01")
    assert (visit.kind, visit.visit_date, visit.next_due) == (
        "home", date(2026, 3, 29), date(2026, 4, 29)
    )  # fmt: skip
    a01 = await child(app, "A01")
    assert (a01.last_home_visit_on, a01.last_contact_on) == (date(2026, 3, 29), date(2026, 3, 29))
    assert a01.next_visit_due == date(2026, 4, 29)


async def test_a_phone_call_edited_into_a_home_visit_the_same_day(
    app: Application, clock: FakeClock
) -> None:
    """Jilin: the call left the home visit due; as a home visit it is due in 3 months."""
    await say(app, "走访 B02 良好 在校 无", WEST)  # home visit 2026-03-02
    clock.advance(days=28)  # 2026-03-30
    saved = await say(app, "走访 B02 良好 电话 无", WEST)
    assert "下次走访：2026年6月2日" in saved[0]
    replies = await conversation(app, ["改", KIND, "入户", SAVE], WEST)
    assert len(replies) == 1 and replies[0].endswith("的走访。下次走访：2026年6月30日。")
    visit = await last_visit(app, "B02")
    assert (visit.kind, visit.next_due) == ("home", date(2026, 6, 30))
    assert (await child(app, "B02")).next_visit_due == date(2026, 6, 30)
