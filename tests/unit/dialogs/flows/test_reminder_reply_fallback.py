"""A guardian's text with nothing to pass on to the director is a fallback answer: after a
safety reply it says nothing (a new user's trial got "目前没有需要转给儿童主任的提醒" beside
the 110 advice), and alone it still answers."""

from __future__ import annotations

from typing import Any

from content.replies import Reply
from dialogs.engine import answered_already
from dialogs.flow import Answer
from dialogs.flows.reminder_reply import AWAIT, NAME, ReminderReplyFlow
from dialogs.types import IDLE, State
from reminders.replies import ReminderReply
from tests.unit.dialogs.screening.helpers import GUARDIAN, ctx

NOTHING = Reply("reminder.reply.nothing_to_route")


def nothing_to_route(*_args: Any, **_kw: Any) -> ReminderReply:
    return ReminderReply("nothing_pending", (), NOTHING)


def test_nothing_to_route_is_a_fallback() -> None:
    flow = ReminderReplyFlow(nothing_to_route)
    state = State(NAME, AWAIT, {"items": []})
    out = flow.handle(state, Answer("孙子说不想活了，还把药藏起来了", None), ctx(GUARDIAN))
    assert out.replies == (NOTHING,) and out.state == IDLE and out.fallback
    assert answered_already(out).replies == ()  # a safety reply answered it already
