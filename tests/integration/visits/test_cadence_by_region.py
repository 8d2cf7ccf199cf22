"""Visits by province and risk (issue 11 item 7) through the real service, on SQLite and
PostgreSQL: the director's due list after home visits, phone calls, risk factors, a critical
flag and the six-monthly information update."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.app import Application
from bot.clock import FakeClock
from storage.db import Database
from storage.models import AuditEntry
from tests.support.reads import child

from .talk import EAST, WEST, regional_app, say

TODAY = date(2026, 3, 2)


@pytest.fixture
async def app(db: Database, clock: FakeClock) -> AsyncIterator[Application]:
    async with regional_app(db.url, clock) as application:
        yield application


async def due_list(app: Application, phone: str = EAST) -> str:
    """Every page of the director's due list, joined."""
    pages = [(await say(app, "待访", phone))[0]]
    while pages[-1].endswith("更多"):
        pages.append((await say(app, "更多", phone))[0])
    await say(app, "取消", phone)
    return "\n".join(pages)


async def test_hubei_counts_contacts_and_home_visits_apart(
    app: Application, clock: FakeClock
) -> None:
    replies = await say(app, "走访 A01 良好 在校 无")
    assert replies[0].startswith("已保存A01 张小明的走访。下次走访：2026年4月2日。")
    assert replies[1] == "下次联系：2026年4月2日；下次入户走访：2026年6月2日。"
    a01 = await child(app, "A01")
    assert (a01.last_home_visit_on, a01.last_contact_on, a01.next_visit_due) == (
        TODAY, TODAY, date(2026, 4, 2)
    )  # fmt: skip

    clock.advance(days=30)  # 2026-04-01: the monthly contact is due tomorrow
    assert "A01 张小明 1天后应联系" in await due_list(app)
    replies = await say(app, "走访 A01 良好 电话 无")
    assert replies[1] == "下次联系：2026年5月1日；下次入户走访：2026年6月2日。"
    a01 = await child(app, "A01")  # the call did not reset the home-visit clock
    assert (a01.last_home_visit_on, a01.last_contact_on) == (TODAY, date(2026, 4, 1))
    assert a01.next_visit_due == date(2026, 5, 1)

    clock.advance(days=60)  # 2026-05-31: the home visit is due in 2 days, the contact overdue
    assert "A01 张小明 联系逾期30天" in await due_list(app)
    await say(app, "走访 A01 良好 电话 无")  # another call: the home visit comes next
    assert "A01 张小明 2天后到期" in await due_list(app)


async def test_a_risk_factor_raises_the_child_to_the_key_child_cadence(app: Application) -> None:
    await say(app, "走访 A01 良好 在校 残疾 无")  # Hubei, disability: monthly home, 2-week contact
    a01 = await child(app, "A01")
    assert a01.visit_risks == ["disability"] and a01.next_visit_due == date(2026, 3, 16)
    await say(app, "走访 B01 良好 在校 无户口", WEST)  # Jilin, no hukou: home every 2 weeks
    b01 = await child(app, "B01")
    assert b01.visit_risks == ["no_hukou"] and b01.next_visit_due == date(2026, 3, 16)
    await say(app, "走访 B02 良好 在校 无", WEST)  # Jilin, good guardianship: every 3 months
    assert (await child(app, "B02")).next_visit_due == date(2026, 6, 2)


async def test_a_critical_flag_asks_for_a_follow_up_within_48_hours(
    app: Application, clock: FakeClock
) -> None:
    replies = await say(app, "走访 A03 良好 入户 独居")
    assert any("48小时内（2026年3月4日前）再联系或回访" in r for r in replies)
    a03 = await child(app, "A03")
    assert a03.followup_due == date(2026, 3, 4) and a03.next_visit_due == date(2026, 3, 4)
    listed = await due_list(app)
    assert listed.index("A03 刘安安 2天内须紧急跟进") < listed.index("A05")  # first

    clock.advance(days=1)
    await say(app, "走访 A03 良好 电话 无")  # the follow-up call
    a03 = await child(app, "A03")
    assert a03.followup_due is None and a03.next_visit_due == date(2026, 4, 3)
    assert "紧急跟进" not in await due_list(app)


async def test_the_six_monthly_information_update_is_in_the_due_list(
    app: Application, clock: FakeClock
) -> None:
    assert "更新信息" not in await due_list(app)
    clock.advance(days=190)  # children registered 2026-03-02: update due 2026-09-02
    listed = await due_list(app)
    assert "A01 张小明 更新信息逾期" in listed
    page = (await say(app, "待访"))[0]
    while "A01 张小明 更新信息" not in page:
        page = (await say(app, "更多"))[0]
    number = next(line.split()[0] for line in page.splitlines() if "A01 张小明 更新信息" in line)
    check = (await say(app, number))[0]
    assert check.startswith("A01 张小明：请核对并更新孩子的信息")
    assert (await say(app, "1"))[0] == "已记录：A01 张小明的信息已核对。下次更新：2027年3月8日。"
    today = TODAY + timedelta(days=190)
    assert (await child(app, "A01")).info_updated_on == today
    assert "A01 张小明 更新信息" not in await due_list(app)
    async with app.db.transaction() as s:
        actions = list((await s.execute(select(AuditEntry.action))).scalars())
    assert "child_info_checked" in actions
