"""Flow "reminder_reply": a guardian answers a reminder (pure).

The shell puts an idle guardian's conversation in this flow when it queues a reminder,
with the reminded items in `state.data["items"]` (`waiting_for_reply`). The reply is read
by the function the shell hands the flow (`reminders.replies.answer_reminder` with the
reply words): "1"/已接种/done confirm (ConfirmDose, ConfirmInsurance, ConfirmReminder),
"2"/不知道/a question goes to the director (RouteToDirector). Anything else keeps the flow
waiting and says how to answer, unless the safety pre-step already answered it (a concern:
one coherent answer, no "没看懂"). The dialog core never imports the reminders.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, Protocol

from content.replies import Reply
from dialogs.flow import Answer, Flow
from dialogs.types import IDLE, Context, Inbound, Outcome, Role, State

NAME = "reminder_reply"
AWAIT = "await"


class ReminderAnswer(Protocol):
    @property
    def intent(self) -> str: ...
    @property
    def effects(self) -> tuple[Any, ...]: ...
    @property
    def reply(self) -> Reply: ...
    @property
    def pending(self) -> Sequence[Mapping[str, Any]]: ...


class AnswerReminder(Protocol):
    """Reads a guardian's reply to the reminded items (their JSON) on `today`."""

    def __call__(
        self,
        text: str,
        raw_items: Iterable[Any],
        received: Collection[tuple[int, str, str]] | None,
        *,
        today: date,
    ) -> ReminderAnswer: ...


def item_key(raw: Mapping[str, Any]) -> tuple[int, str, str]:
    return (int(raw["child_id"]), str(raw["kind"]), str(raw["item"]))


def waiting_for_reply(state: State, items: Iterable[Mapping[str, Any]]) -> State | None:
    """The state of a conversation once `items` (DueItem JSON) were reminded: waiting in
    this flow with them added (each once); None when it is in another flow."""
    if state.flow not in (None, NAME):
        return None
    pending = list(state.data.get("items", [])) if state.flow == NAME else []
    known = {item_key(p) for p in pending}
    for item in items:  # each item once, even when two reminder rows list it
        if item_key(item) not in known:
            known.add(item_key(item))
            pending.append(dict(item))
    return State(NAME, AWAIT, {"items": pending})


class ReminderReplyFlow:
    name = NAME
    roles: frozenset[Role] | None = frozenset({Role.GUARDIAN})
    menu_label_key: str | None = None  # entered by the shell, never from the menu

    def __init__(self, answer_reminder: AnswerReminder) -> None:
        self._answer = answer_reminder

    def start(self, inbound: Inbound, ctx: Context, args: str) -> Outcome:
        return Outcome(IDLE, (Reply("reminder.reply.nothing_pending"),))

    def handle(self, state: State, answer: Answer, ctx: Context) -> Outcome:
        received = ctx.extra.get("reminders_received")
        items = state.data.get("items") or ()
        parsed = self._answer(answer.text, items, received, today=ctx.today)
        if parsed.intent == "unknown":  # a safety reply already given replaces it (a fallback)
            return Outcome(state, (parsed.reply,), fallback=True)  # the reminder still waits
        if parsed.intent == "nothing_pending" and not parsed.effects:
            # "nothing to pass on to the director": after a safety reply it says nothing (a
            # guardian's concern got "目前没有需要转给儿童主任的提醒" beside the 110 advice)
            return Outcome(IDLE, (parsed.reply,), fallback=True)
        if parsed.intent == "not_yet":  # "1" before the dose may be given
            return Outcome(state, (parsed.reply,))
        if parsed.pending:  # doses the reminder did not name: named now, "1" records them
            rest = {**state.data, "items": [dict(i) for i in parsed.pending]}
            return Outcome(replace(state, data=rest), (parsed.reply,), parsed.effects)
        return Outcome(IDLE, (parsed.reply,), parsed.effects)

    def on_timeout(self, state: State, ctx: Context) -> Outcome:
        return Outcome(IDLE)


def flow(answer_reminder: AnswerReminder) -> Flow:
    return ReminderReplyFlow(answer_reminder)
