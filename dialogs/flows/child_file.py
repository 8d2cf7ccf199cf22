"""Flows "child_file" and "child_note" for directors: the short summary of one of their own
children's files by message (档案 A04), and a work-log note (日志 A04 送去了冬衣).

The summary itself is composed by the shell (`bot/childfile`), which reads the file; it names
the child by code only and carries counts and dates, never names or note texts (SMS is not
a safe place for a child's details). Both flows answer in one step and keep no state.
"""

from __future__ import annotations

from content.replies import Reply
from dialogs import effects as fx
from dialogs.flow import Answer, Flow, not_understood
from dialogs.types import IDLE, Context, Inbound, Outcome, Role, State
from dialogs.visits.parse import match_children

SUMMARY, NOTE = "child_file", "child_note"
MAX_NOTE = 500


def one_child(code: str, ctx: Context) -> tuple[int | None, Reply | None]:
    matches = match_children(code, ctx.children) if code else ()
    if len(matches) == 1:
        return matches[0].id, None
    if not matches:
        return None, Reply("childfile.unknown", {"code": code})
    return None, Reply("childfile.several", {"codes": "、".join(c.code for c in matches[:5])})


class ChildSummaryFlow:
    name = SUMMARY
    roles: frozenset[Role] | None = frozenset({Role.DIRECTOR})
    menu_label_key: str | None = None

    def start(self, inbound: Inbound, ctx: Context, args: str) -> Outcome:
        code = args.strip()
        if not code:
            return Outcome(IDLE, (Reply("childfile.usage"),))
        child_id, problem = one_child(code, ctx)
        if child_id is None:
            return Outcome(IDLE, (problem,) if problem else ())
        return Outcome(IDLE, (), (fx.SendChildSummary(child_id),))

    def handle(self, state: State, answer: Answer, ctx: Context) -> Outcome:
        return not_understood()

    def on_timeout(self, state: State, ctx: Context) -> Outcome:
        return Outcome(IDLE)


class ChildNoteFlow:
    name = NOTE
    roles: frozenset[Role] | None = frozenset({Role.DIRECTOR})
    menu_label_key: str | None = None

    def start(self, inbound: Inbound, ctx: Context, args: str) -> Outcome:
        code, _, text = args.strip().partition(" ")
        text = text.strip()
        if not code or not text:
            return Outcome(IDLE, (Reply("childnote.usage"),))
        if len(text) > MAX_NOTE:
            return Outcome(IDLE, (Reply("childnote.too_long", {"max": MAX_NOTE}),))
        child_id, problem = one_child(code, ctx)
        if child_id is None:
            return Outcome(IDLE, (problem,) if problem else ())
        return Outcome(IDLE, (), (fx.AddChildNote(child_id, text),))

    def handle(self, state: State, answer: Answer, ctx: Context) -> Outcome:
        return not_understood()

    def on_timeout(self, state: State, ctx: Context) -> Outcome:
        return Outcome(IDLE)


FLOWS: tuple[Flow, ...] = (ChildSummaryFlow(), ChildNoteFlow())
