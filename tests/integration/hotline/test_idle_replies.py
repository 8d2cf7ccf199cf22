"""Idle messages get one coherent answer (issue 10, item 4): a guardian's mistyped "1" after
a reminder conversation never starts the emergency flow, an unknown sender gets one reply
(not three contradictory ones), and small talk gets the menu, not "没看懂"."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import Application
from bot.reminders.planner import plan
from storage.models import Conversation
from tests.integration.hotline.helpers import (
    DIRECTOR,
    UNKNOWN,
    cases,
    outbox_rows,
    say,
    texts,
)

GRANDMA = "+8613800000011"  # 张奶奶, a guardian with reminders in the demo data


async def _flow(app: Application, phone: str) -> str | None:
    async with app.db.transaction() as s:
        conv = (
            await s.execute(select(Conversation).where(Conversation.address == phone))
        ).scalar_one()
        flow = conv.state.get("flow")
        return str(flow) if flow else None


async def _keys(app: Application, phone: str, since: int = 0) -> list[str]:
    await app.dispatcher.run_until_idle()
    return [r.message["key"] for r in (await outbox_rows(app, phone))[since:]]


async def test_a_guardians_repeated_1_never_starts_the_emergency_flow(app: Application) -> None:
    await plan(app)
    assert await texts(app, GRANDMA)  # the reminder
    assert await _flow(app, GRANDMA) == "reminder_reply"
    await say(app, "1", GRANDMA)  # confirms the reminder
    seen = len(await outbox_rows(app, GRANDMA))
    for _ in range(3):  # thumbs slipping: "1", "1", "1"
        await say(app, "1", GRANDMA)
        assert await _flow(app, GRANDMA) != "urgent"
    keys = await _keys(app, GRANDMA, seen)
    assert not [k for k in keys if k.startswith("urgent.")], keys
    assert "fallback.not_understood" not in keys  # told nothing is waiting, not "没看懂"
    assert await cases(app) == []


async def test_the_guardian_menu_never_numbers_the_emergency_flow(app: Application) -> None:
    await say(app, "帮助帮助帮助", GRANDMA)  # not understood: the menu
    rows = await outbox_rows(app, GRANDMA)
    menus = [r for r in rows if r.message["key"] == "menu.guardian"]
    assert menus
    payloads = [c["payload"] for c in menus[-1].message.get("choices", [])]
    assert "cmd:urgent" not in payloads
    assert "紧急" in (await texts(app, GRANDMA))[-1]  # the menu says how to ask for help


@pytest.mark.parametrize("text", ["你好", "在吗", "谢谢"])
async def test_small_talk_gets_the_menu(app: Application, text: str) -> None:
    await say(app, text, DIRECTOR)
    assert await _keys(app, DIRECTOR) == ["menu.director"]


async def test_an_unknown_sender_gets_one_coherent_reply(app: Application) -> None:
    await say(app, "你好", UNKNOWN)
    assert len(await _keys(app, UNKNOWN)) == 1
    await say(app, "请问这个号码是做什么的", UNKNOWN)
    keys = await _keys(app, UNKNOWN, 1)
    assert len(keys) == 1, keys
    await say(app, "1", UNKNOWN)
    keys = await _keys(app, UNKNOWN, 2)
    assert len(keys) == 1 and not keys[0].startswith("urgent."), keys
