"""Flow "reminder_reply": a guardian answers a reminder (pure).

The shell puts an idle guardian's conversation in this flow when it queues a reminder,
with the reminded items in `state.data["items"]`. The reply is read by
`reminders.replies.parse_guardian_reply`: "1"/已接种/done confirm (ConfirmDose,
ConfirmInsurance, ConfirmReminder), "2"/不知道/a question goes to the director
(RouteToDirector). Anything else keeps the flow waiting and says how to answer, unless
the safety pre-step already answered it (a concern: one coherent answer, no "没看懂").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from content.replies import Reply
from dialogs.flow import Answer, Flow
from dialogs.types import IDLE, Context, Inbound, Outcome, Role, State
from reminders.digest import DueItem
from reminders.replies import parse_guardian_reply

NAME = "reminder_reply"


def items_of(state: State, ctx: Context | None = None) -> list[DueItem]:
    """The reminded items; with the shell's `reminders_received`, only those of the last
    reminder actually sent (one still queued for the morning is not confirmed)."""
    items: list[DueItem] = []
    seen: set[tuple[int, str, str]] = set()
    for raw in state.data.get("items") or ():
        if isinstance(raw, Mapping):
            item = DueItem.from_json(raw)
            if (item.child_id, item.kind, item.item) not in seen:  # each item once
                seen.add((item.child_id, item.kind, item.item))
                items.append(item)
    received = ctx.extra.get("reminders_received") if ctx is not None else None
    if received is None:
        return items
    return [i for i in items if (i.child_id, i.kind, i.item) in received]


class ReminderReplyFlow:
    name = NAME
    roles: frozenset[Role] | None = frozenset({Role.GUARDIAN})
    menu_label_key: str | None = None  # entered by the shell, never from the menu

    def start(self, inbound: Inbound, ctx: Context, args: str) -> Outcome:
        return Outcome(IDLE, (Reply("reminder.reply.nothing_pending"),))

    def handle(self, state: State, answer: Answer, ctx: Context) -> Outcome:
        parsed = parse_guardian_reply(answer.text, items_of(state, ctx), today=ctx.today)
        if parsed.intent == "unknown" and ctx.extra.get("screened"):
            return Outcome(state)  # the safety reply answered it; the reminder still waits
        if parsed.intent in ("unknown", "not_yet"):  # not_yet: "1" before the dose may be given
            return Outcome(state, (parsed.reply,))
        if parsed.pending:  # doses the reminder did not name: named now, "1" records them
            rest = {**state.data, "items": [i.to_json() for i in parsed.pending]}
            return Outcome(replace(state, data=rest), (parsed.reply,), parsed.effects)
        return Outcome(IDLE, (parsed.reply,), parsed.effects)

    def on_timeout(self, state: State, ctx: Context) -> Outcome:
        return Outcome(IDLE)


FLOW: Flow = ReminderReplyFlow()
