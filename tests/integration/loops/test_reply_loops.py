"""Auto-reply loops are cut (issue 10, item 13): the same text from one address within minutes
gets one answer, replies to one address are capped per hour (staff and safety replies exempt),
and a cut loop is logged and shown to administrators (audit viewer, /healthz count)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from bot.app import Application
from bot.clock import FakeClock
from bot.web.server import create_web_app
from storage.db import Database
from storage.models import AuditEntry
from tests.integration.hotline.helpers import (
    DIRECTOR,
    HOTLINE,
    NOW,
    UNKNOWN,
    outbox_rows,
    say,
    texts,
)
from tests.integration.visits.talk import GUIDED
from tests.support.apps import demo_app, fake_clock, load_demo_roster, make_app

AWAY = "您好，我现在不方便接听，稍后回复您。"
GUARDIAN = "+8613800000011"


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:
    async with demo_app(db.url, reply_cap_per_hour=5) as application:
        yield application


async def _loops(app: Application) -> list[AuditEntry]:
    async with app.db.transaction() as s:
        rows = await s.execute(
            select(AuditEntry).where(AuditEntry.action.like("reply_loop%")).order_by(AuditEntry.id)
        )
        return list(rows.scalars())


async def test_twenty_identical_auto_replies_get_one_answer(app: Application) -> None:
    await say(app, AWAY, UNKNOWN)
    first = len(await texts(app, UNKNOWN))
    assert first >= 1
    for _ in range(19):
        fake_clock(app).advance(seconds=20)
        await say(app, AWAY, UNKNOWN)
    assert len(await outbox_rows(app, UNKNOWN)) == first  # 20 messages, one answer
    loops = await _loops(app)
    assert len(loops) == 1  # logged once, not once per message
    assert loops[0].detail["kind"] == "repeat" and loops[0].detail["address"] == UNKNOWN
    # Long after the window the same text is answered again.
    fake_clock(app).advance(hours=2)
    await say(app, AWAY, UNKNOWN)
    assert len(await outbox_rows(app, UNKNOWN)) > first


async def test_a_repeated_answer_in_a_flow_is_not_a_loop(app: Application) -> None:
    """'1' twice in a row answers two different questions: both are answered."""
    await say(app, "走访", DIRECTOR)
    before = len(await outbox_rows(app, DIRECTOR))
    await say(app, "1", DIRECTOR)
    mid = len(await outbox_rows(app, DIRECTOR))
    await say(app, "1", DIRECTOR)
    assert before < mid < len(await outbox_rows(app, DIRECTOR))


async def test_the_last_answer_of_a_report_is_answered(db: Database) -> None:
    """A visit report's final "1" (save) ends idle: it is still answered (default cap)."""
    app = make_app(db.url, FakeClock(NOW))
    await load_demo_roster(app)
    for text in GUIDED:
        await say(app, text, DIRECTOR)
    keys = [r.message["key"] for r in await outbox_rows(app, DIRECTOR)]
    await app.stop()
    assert keys[-1] == "visit.saved", keys


async def test_a_command_asked_twice_is_answered_twice(app: Application) -> None:
    await say(app, "帮助", DIRECTOR)
    await say(app, "帮助", DIRECTOR)
    assert len(await outbox_rows(app, DIRECTOR)) == 2


async def test_replies_are_capped_per_hour_but_never_a_safety_reply(app: Application) -> None:
    for n in range(8):
        fake_clock(app).advance(minutes=1)
        await say(app, f"你好{n}", GUARDIAN)
    assert len(await outbox_rows(app, GUARDIAN)) == 5  # the cap
    await say(app, "孩子被他爸爸打得浑身是伤", GUARDIAN)
    rows = await outbox_rows(app, GUARDIAN)
    assert any(r.message["key"].startswith("safety.") for r in rows[5:])
    loops = await _loops(app)
    assert [e.detail["kind"] for e in loops] == ["cap"]
    # An hour later the address is answered again.
    fake_clock(app).advance(hours=1, minutes=5)
    n = len(await outbox_rows(app, GUARDIAN))
    await say(app, "你好", GUARDIAN)
    assert len(await outbox_rows(app, GUARDIAN)) > n


async def test_staff_are_never_capped(app: Application) -> None:
    for n in range(8):
        fake_clock(app).advance(minutes=1)
        await say(app, "帮助" if n % 2 else "案件", HOTLINE)
    assert len(await outbox_rows(app, HOTLINE)) >= 8
    assert await _loops(app) == []


async def test_a_cut_loop_is_visible_to_administrators(app: Application) -> None:
    for _ in range(3):
        await say(app, AWAY, UNKNOWN)
    transport = httpx.ASGITransport(app=create_web_app(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        health = (await client.get("/healthz")).json()
    assert health["reply_loops_24h"] == 1  # a count only: /healthz is public


async def test_a_directors_work_is_never_capped(app: Application) -> None:
    """A director asking for due lists and help again and again is working, not looping:
    the WeCom burst test sends 45 such commands in a minute and expects 45 answers."""
    for n in range(8):
        fake_clock(app).advance(minutes=1)
        await say(app, "帮助" if n % 2 else "待访", DIRECTOR)
    assert len(await outbox_rows(app, DIRECTOR)) >= 8
    assert [e.detail["kind"] for e in await _loops(app)] == []


async def test_a_concern_sent_again_is_told_it_arrived_never_silence(app: Application) -> None:
    concern = "邻居家的孩子一个人在家好几天了，没人管"
    await say(app, concern, UNKNOWN)
    first = await texts(app, UNKNOWN)
    assert any("已收到" in t for t in first)
    noted = "您的报告已经收到，值班工作人员会处理，不必再发。有危险请马上拨打 110。"
    for n in range(1, 4):  # the worried reporter sends it again, and again
        fake_clock(app).advance(minutes=1)
        await say(app, concern, UNKNOWN)
        assert (await texts(app, UNKNOWN))[len(first) :] == [noted] * n
    fake_clock(app).advance(minutes=1)
    await say(app, concern, UNKNOWN)  # a loop gains no more than three such lines
    assert len(await texts(app, UNKNOWN)) == len(first) + 3
