"""Screen hit -> case, safety reply and staff alert; merging; the urgent flow; review cases."""

from __future__ import annotations

import pytest

from bot.app import Application
from bot.clock import FakeClock
from dialogs.types import Lane
from storage.repos import outbox
from tests.integration.hotline.helpers import (
    DIRECTOR,
    HOTLINE,
    NOW,
    UNKNOWN,
    cases,
    kinds,
    outbox_rows,
    person_id,
    say,
    texts,
)
from tests.support.categories import in_group
from tests.support.reads import child

CONCERN = "A04的爸爸昨晚又把他打了一顿，身上都是伤"


async def test_hit_opens_case_replies_and_alerts_ahead_of_reminders(app: Application) -> None:
    async with app.db.transaction() as s:
        for n in range(10):
            await outbox.enqueue(
                s, channel="console", address=f"+86139000000{n:02d}",
                message={"key": "start.confirmed", "params": {}, "choices": []},
                lane=Lane.REMINDER, now=NOW,
            )  # fmt: skip
    await say(app, CONCERN)
    [case] = await cases(app)
    assert (case.severity, case.status) == ("high", "open")
    assert case.category in in_group("violence_abuse")
    assert case.child_id == (await child(app, "A04")).id and case.child_code == "A04"
    assert case.reporter_role == "director" and case.ref.startswith("C260302-")
    assert case.ack_due_at is not None and (case.ack_due_at - NOW).total_seconds() == 30 * 60
    app.dispatcher.batch = 1
    await app.dispatcher.run_once()  # one row only: it must be the alert
    [alert] = [r for r in await outbox_rows(app, HOTLINE) if r.status == "sent"]
    assert alert.lane == Lane.ALERT
    label = app.catalog.text(f"case.category.{case.category}", "zh_Hans", {})
    assert case.ref in (alert.text or "") and label in (alert.text or "")
    for private in ("刘乐乐", "乐乐", "李主任", DIRECTOR, "打了一顿"):
        assert private not in (alert.text or "")
    director = await texts(app, DIRECTOR)
    assert any("已转给值班工作人员" in t for t in director)  # the safety reply
    # no reply claims an official line (12345) got it unless the deployment is named so
    assert not any("已转给未成年人保护热线" in t for t in director)
    # the director is a mandated reporter: told to report to 公安 now, without liability
    assert any("110" in t and "报告无责" in t and "已报警" in t for t in director)
    # idle, the safety reply is the whole answer (no cold "not understood" after it);
    # inside a flow the dialog still runs (test_concern_inside_a_visit_report_...)
    assert not any("没看懂" in t for t in director)
    assert await kinds(app, case.id) == ["created", "guardian_suspected", "duty_told", "alerted"]


async def test_same_reporter_within_window_merges_later_opens_new(app: Application) -> None:
    await say(app, CONCERN)
    await app.dispatcher.run_until_idle()  # the first alert went out
    assert isinstance(app.clock, FakeClock)
    app.clock.advance(minutes=20)
    await say(app, "A04现在还在被打，快来")  # critical now: same case, alerted again
    [case] = await cases(app)
    assert case.severity == "critical"
    assert (
        case.ack_due_at is not None and (case.ack_due_at - app.clock.now()).total_seconds() == 300
    )
    assert (await kinds(app, case.id)).count("merged") == 1
    assert (await kinds(app, case.id)).count("alerted") == 2
    app.clock.advance(minutes=100)
    await say(app, "A04身上还有伤")  # within 2 h of the last message: still the same case
    assert len(await cases(app)) == 1
    app.clock.advance(hours=3)
    await say(app, "A04身上又有新伤")
    assert len(await cases(app)) == 2


async def test_a_raise_before_the_first_alert_went_out_updates_it(app: Application) -> None:
    await say(app, CONCERN)
    await say(app, "A04现在还在被打，快来")  # the first alert is still queued
    [case] = await cases(app)
    assert (await kinds(app, case.id)).count("alerted") == 1
    await app.dispatcher.run_until_idle()
    [alert] = [r for r in await outbox_rows(app, HOTLINE) if r.status == "sent"]
    assert "紧急" in (alert.text or "")  # worded with the raised severity


async def test_other_child_is_a_new_case(app: Application) -> None:
    await say(app, CONCERN)
    await say(app, "A05被人打了一顿")
    assert [c.child_code for c in await cases(app)] == ["A04", "A05"]


async def test_urgent_flow_and_its_screen_hit_are_one_case(app: Application) -> None:
    for text in ("紧急", "孩子被他爸爸打了一顿", "A04", "村口", "是", "否"):
        await say(app, text)
    [case] = await cases(app)
    assert (case.severity, case.in_danger, case.callback_ok) == ("critical", True, False)
    assert case.location == "村口" and case.child_code == "A04"
    history = await kinds(app, case.id)
    assert history[0] == "created" and "merged" in history
    director = await texts(app, DIRECTOR)
    assert any("110" in t for t in director)


async def test_urgent_flow_without_any_term_still_opens_a_case(app: Application) -> None:
    for text in ("紧急", "邻居家的情况不太对劲", "跳过", "跳过", "不确定", "是"):
        await say(app, text)
    [case] = await cases(app)
    assert (case.category, case.severity, case.source) == ("unclassified", "high", "urgent_flow")


@pytest.mark.parametrize(
    ("text", "opens"),
    [
        ("请问你们这里是做什么的", True),
        ("帮助", False),
        ("紧急", False),
        ("你好啊", True),
        ("你好", False),
        ("在吗？", False),
        ("Thanks!", False),
    ],
)
async def test_unknown_free_text_opens_review_case(
    app: Application, text: str, opens: bool
) -> None:
    await say(app, text, UNKNOWN)
    found = await cases(app)
    assert bool(found) is opens
    if opens:
        assert (found[0].category, found[0].severity, found[0].source) == (
            "unclassified", "medium", "review",
        )  # fmt: skip
        assert found[0].reporter_role == "unknown"
        # the review lane: 4 working hours (Monday 10:00 local), no page to anyone
        assert found[0].needs_review
        assert (found[0].ack_due_at - NOW).total_seconds() == 4 * 3600  # type: ignore[operator]
        sent = await texts(app, UNKNOWN)
        assert len(sent) == 1 and "工作人员会查看" in sent[0]  # one coherent reply
        assert await texts(app, HOTLINE) == []


async def test_director_free_text_without_a_hit_opens_nothing(app: Application) -> None:
    await say(app, "今天天气不错")
    assert await cases(app) == []


async def test_young_person_self_harm_gets_support_and_critical_case(app: Application) -> None:
    await say(app, "我不想活了", UNKNOWN)
    [case] = await cases(app)
    assert (case.category, case.severity) == ("self_harm", "critical")
    sent = await texts(app, UNKNOWN)
    assert any("12355" in t or "12356" in t for t in sent)
    assert await person_id(app, HOTLINE)


async def test_concern_inside_a_visit_report_opens_case_and_the_report_goes_on(
    app: Application,
) -> None:
    for text in ("走访", "A04", "1"):
        await say(app, text)
    await say(app, "孩子说经常挨打，身上有淤青")
    [case] = await cases(app)
    assert case.child_code == "A04" and case.category in in_group("violence_abuse")
    async with app.db.transaction() as s:
        from sqlalchemy import select

        from storage.models import Conversation

        conv = (await s.execute(select(Conversation))).scalar_one()
    assert (conv.state["flow"], conv.state["step"]) == ("visit", "date")
    director = await texts(app, DIRECTOR)
    assert any("已转给值班工作人员" in t for t in director)
