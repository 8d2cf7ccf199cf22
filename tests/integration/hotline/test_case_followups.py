"""Follow-ups to an open case (issue 10, items 2 and 4, found in a cold demo trial): small
talk and bare numbers are never added to a case as details (the dialog answers them), real
details still are; a safety report in the middle of a reminder conversation gets the safety
replies only, not a "没看懂" after them."""

from __future__ import annotations

import pytest

from bot.app import Application
from bot.reminders.planner import plan
from tests.integration.hotline.helpers import (
    DIRECTOR,
    GUARDIAN_LIU,
    cases,
    events,
    say,
    texts,
)
from tests.support.apps import fake_clock

GRANDMA = "+8613800000011"  # 张奶奶, a guardian with reminders in the demo data


async def _details(app: Application) -> list[str]:
    found: list[str] = []
    for case in await cases(app):
        found += [str(e.detail["text"]) for e in await events(app, case.id) if e.kind == "details"]
    return found


@pytest.mark.parametrize("text", ["你好", "吃饭了吗", "谢谢", "12"])
async def test_small_talk_and_numbers_are_not_added_to_the_directors_case(
    app: Application, text: str
) -> None:
    await say(app, "A04 孩子被打了，身上都是伤", DIRECTOR)
    assert await cases(app)
    fake_clock(app).advance(minutes=2)
    await say(app, text, DIRECTOR)
    sent = await texts(app, DIRECTOR)
    assert not sent[-1].startswith("已补充到案件"), sent[-1]
    assert await _details(app) == []


async def test_the_trials_director_sequence_adds_nothing(app: Application) -> None:
    """The cold trial: a report about A04, then greetings, small talk and a stray number."""
    await say(app, "A04 孩子被打了，身上都是伤", DIRECTOR)
    for text in ("你好", "吃饭了吗", "12", "1", "谢谢"):
        fake_clock(app).advance(minutes=1)
        await say(app, text, DIRECTOR)
        assert not (await texts(app, DIRECTOR))[-1].startswith("已补充到案件"), text
    assert await _details(app) == []


async def test_a_guardians_thanks_is_not_added_to_her_case(app: Application) -> None:
    await say(app, "孩子被打了一顿", GUARDIAN_LIU)
    assert await cases(app)
    fake_clock(app).advance(minutes=2)
    await say(app, "谢谢", GUARDIAN_LIU)
    assert not (await texts(app, GUARDIAN_LIU))[-1].startswith("已补充到案件")
    assert await _details(app) == []


async def test_real_details_from_a_director_are_still_added(app: Application) -> None:
    await say(app, "A04 孩子被打了，身上都是伤", DIRECTOR)
    fake_clock(app).advance(minutes=2)
    await say(app, "就在东村三组，孩子大概8岁", DIRECTOR)
    assert (await texts(app, DIRECTOR))[-1].startswith("已补充到案件")
    assert [d for d in await _details(app) if d.startswith("就在东村")]


async def test_a_safety_report_during_a_reminder_reply_gets_no_not_understood(
    app: Application,
) -> None:
    await plan(app)
    seen = len(await texts(app, GRANDMA))  # the reminder: a reply is pending
    assert seen
    await say(app, "孙子身上青一块紫一块的", GRANDMA)
    after = (await texts(app, GRANDMA))[seen:]
    assert after, "the safety replies"
    assert not any("没看懂" in t for t in after), after
    assert await cases(app)
    await say(app, "1", GRANDMA)  # the reminder still waits for its answer
    assert "没看懂" not in (await texts(app, GRANDMA))[-1]
