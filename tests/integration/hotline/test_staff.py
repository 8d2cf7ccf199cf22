"""Staff act by message: claim, note, reply (relayed both ways), refer, close; the timeline."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import Application
from dialogs.types import Lane
from storage.db import Database
from storage.models import AuditEntry, CaseEvent
from storage.models.cases import AppendOnlyError
from tests.integration.hotline.helpers import (
    DIRECTOR,
    HOTLINE,
    NOW,
    SECOND,
    UNKNOWN,
    add_second_hotline,
    cases,
    events,
    kinds,
    open_case,
    outbox_rows,
    say,
    texts,
)
from tests.support.apps import demo_app


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:
    async with demo_app(db.url) as application:
        await add_second_hotline(application)
        yield application


async def test_claim_is_one_owner_at_a_time(app: Application) -> None:
    ref = await open_case(app)
    await say(app, f"认领 {ref}", HOTLINE)
    await say(app, f"claim {ref.lower()}", SECOND)
    [case] = await cases(app)
    assert case.status == "claimed" and case.acknowledged_at == NOW
    assert (await texts(app, HOTLINE))[-1] == f"案件 {ref} 已由您认领。"
    assert (await texts(app, SECOND))[-1] == f"案件 {ref} 已由 陈热线 认领。"
    assert (await kinds(app, case.id)).count("claimed") == 1
    async with app.db.transaction() as s:
        reads = (await s.execute(select(AuditEntry).where(AuditEntry.action == "case_read"))).all()
    assert len(reads) == 2  # both staff reads are audit-logged


async def test_reply_relay_round_trip(app: Application) -> None:
    ref = await open_case(app)
    await say(app, f"认领{ref}", HOTLINE)  # no space needed in Chinese
    await say(app, f"回复 {ref} 孩子现在安全吗？", HOTLINE)
    director = await texts(app, DIRECTOR)
    assert director[-1].startswith(f"热线工作人员（案件 {ref}）：孩子现在安全吗？")
    await say(app, "安全了，在邻居家")
    assert (await texts(app, DIRECTOR))[-1] == "已转给热线工作人员。"
    forwarded = [r for r in await outbox_rows(app, HOTLINE) if "安全了" in (r.text or "")]
    # on the reply lane: the alert lane is for text that screens as urgent
    assert len(forwarded) == 1 and forwarded[0].lane == Lane.REPLY
    [case] = await cases(app)
    history = await events(app, case.id)
    assert [e.kind for e in history][-2:] == ["reply", "reporter_message"]
    assert history[-1].detail["text"] == "安全了，在邻居家" and history[-1].inbound_id
    assert history[-2].outbox_id is not None


async def test_refer_and_close(app: Application) -> None:
    ref = await open_case(app)
    await say(app, f"认领 {ref}", HOTLINE)
    await say(app, f"备注 {ref} 已电话联系村委会", HOTLINE)
    await say(app, f"转介 {ref} 公安", HOTLINE)
    [case] = await cases(app)
    assert case.status == "referred"
    await say(app, f"结案 {ref} 已由派出所出警处理，孩子安置在亲属家", HOTLINE)
    [case] = await cases(app)
    assert (case.status, case.outcome) == ("closed", "已由派出所出警处理，孩子安置在亲属家")
    history = await events(app, case.id)
    assert [e.kind for e in history] == [
        "created", "duty_told", "alerted", "alerted", "claimed", "note", "referral", "closed",
    ]  # fmt: skip
    assert history[6].detail == {"agency": "police"}
    await say(app, f"回复 {ref} 还好吗", HOTLINE)
    assert (await texts(app, HOTLINE))[-1] == f"案件 {ref} 已结案。"


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("认领", "请写案件编号"),
        ("转介 C260302-0001 法院", "请写转介机构"),
        ("备注 C260302-0001", "请在编号后写内容"),
        ("认领 C260302-9999", "找不到案件 C260302-9999"),
    ],
)
async def test_bad_commands_are_explained(app: Application, command: str, answer: str) -> None:
    await open_case(app)
    await say(app, command, HOTLINE)
    assert answer in (await texts(app, HOTLINE))[-1]


async def test_staff_words_from_others_are_not_commands(app: Application) -> None:
    ref = await open_case(app)
    await say(app, f"认领 {ref}", UNKNOWN)
    [case, *_] = await cases(app)
    assert case.owner_id is None


async def test_timeline_is_append_only(app: Application) -> None:
    ref = await open_case(app)
    await say(app, f"认领 {ref}", HOTLINE)
    with pytest.raises(AppendOnlyError):
        async with app.db.transaction() as s:
            event = (await s.execute(select(CaseEvent).limit(1))).scalar_one()
            event.kind = "edited"
    with pytest.raises(AppendOnlyError):
        async with app.db.transaction() as s:
            event = (await s.execute(select(CaseEvent).limit(1))).scalar_one()
            await s.delete(event)
    [case] = await cases(app)
    assert (await kinds(app, case.id))[0] == "created"
