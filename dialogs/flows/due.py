"""Flow "due": the director's children due or overdue for a visit (待访 / due).

One page fits one SMS; 更多 / more (the [flows] more words, or the button) shows the next.
Picking a child starts the guided visit report for it. Overdue children whose vaccinations
are behind are marked (``ctx.extra["vaccine_overdue_child_ids"]``, a collection of ids).
"""

from __future__ import annotations

from content.keywords import Keywords
from content.replies import Choice, Reply
from dialogs import effects as fx
from dialogs.flow import Answer, not_understood
from dialogs.flows.visit import VisitFlow
from dialogs.types import IDLE, Channel, Context, Inbound, Outcome, Role, State
from dialogs.visits.cadence import Cadence
from dialogs.visits.due_list import (
    INFO_CHILD,
    MORE,
    VISIT_CHILD,
    due_entries,
    due_page,
    pages_of,
)
from dialogs.visits.parse import child_by_id, match_children

NAME = "due"
INFO_DONE = "due:info_done:"
INFO_LATER = "due:info_later"


class DueFlow:
    name = NAME
    roles: frozenset[Role] | None = frozenset({Role.DIRECTOR})
    menu_label_key: str | None = "menu.due"

    def __init__(self, cadence: Cadence, keywords: Keywords, visit_flow: VisitFlow) -> None:
        self.cadence = cadence
        self._keywords = keywords
        self._visit = visit_flow

    def _is_more(self, text: str) -> bool:
        return self._keywords.flow_for(text) == "more"

    def _page(self, page: int, ctx: Context) -> Outcome:
        vaccine_ids = ctx.extra.get("vaccine_overdue_child_ids") or ()
        entries = due_entries(
            ctx.children,
            ctx.today,
            self.cadence.due_soon_days,
            vaccine_ids,
            rules=self.cadence.rules,
        )
        size = (
            self.cadence.buttons_page_size
            if ctx.channel == Channel.TELEGRAM
            else self.cadence.sms_page_size
        )
        reply = due_page(entries, page, size)
        if pages_of(entries, size) <= page + 1:
            # Last page: the list stays open so a number still picks a child.
            return Outcome(State(NAME, "list", {"page": page, "last": True}), (reply,))
        return Outcome(State(NAME, "list", {"page": page}), (reply,))

    def start(self, inbound: Inbound, ctx: Context, args: str) -> Outcome:
        if not ctx.children:
            return Outcome(IDLE, (Reply("due.none"),))
        return self._page(0, ctx)

    def _info_check(self, child_id: str, ctx: Context) -> Outcome:
        child = child_by_id(ctx.children, child_id)
        if child is None:
            return not_understood()
        names = {"code": child.code, "name": child.name}
        choices = (
            Choice("due.info_confirm", INFO_DONE + str(child.id)),
            Choice("due.info_later", INFO_LATER),
        )
        reply = Reply("due.info_check", names, choices)
        return Outcome(State(NAME, "info", {"child": child.id}), (reply,))

    def _info_done(self, child_id: str, ctx: Context) -> Outcome:
        child = child_by_id(ctx.children, child_id)
        if child is None:
            return not_understood()
        next_due = self.cadence.rules.info_refresh.after(ctx.today)
        reply = Reply("due.info_done", {"code": child.code, "name": child.name, "next": next_due})
        return Outcome(IDLE, (reply,), (fx.MarkChildInfoUpdated(child.id, ctx.today),))

    def handle(self, state: State, answer: Answer, ctx: Context) -> Outcome:
        payload = answer.payload or ""
        if payload.startswith(INFO_CHILD):
            return self._info_check(payload.removeprefix(INFO_CHILD), ctx)
        if payload.startswith(INFO_DONE):
            return self._info_done(payload.removeprefix(INFO_DONE), ctx)
        if payload == INFO_LATER:
            return Outcome(IDLE, (Reply("due.info_later_ok"),))
        if payload.startswith(VISIT_CHILD):
            child = child_by_id(ctx.children, payload.removeprefix(VISIT_CHILD))
            if child is not None:
                return self._visit.start_for_child(child, ctx)
        if payload == MORE or (not payload and self._is_more(answer.text)):
            if state.data.get("last"):
                return Outcome(IDLE, (Reply("due.no_more"),))
            return self._page(int(state.data.get("page", 0)) + 1, ctx)
        matches = match_children(answer.text, ctx.children) if not payload else ()
        if len(matches) == 1:  # a code or name typed from the list: report that child
            return self._visit.start_for_child(matches[0], ctx)
        return not_understood()

    def on_timeout(self, state: State, ctx: Context) -> Outcome:
        return Outcome(IDLE)
