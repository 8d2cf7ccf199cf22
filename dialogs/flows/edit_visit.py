"""Flow "edit_visit": correct the last saved visit (改 / edit) within a time window.

The shell passes ``ctx.extra["last_visit"]`` = {"id": int, "child_id": int,
"saved_at": aware datetime or ISO text, "answers": dict as saved, "clock": the child's
`VisitClock` without that visit}. The director sees the summary, edits items by number, and
saving yields ``UpdateVisit(visit_id, changes)``.

The child's own clock (``ChildRef.clock``) already counts the visit being corrected, so the
corrected visit's next due date is computed from ``"clock"`` instead: the visit is counted
once, as corrected. Without ``"clock"`` (older callers) the child's clock is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from content.keywords import Keywords
from content.replies import Reply
from dialogs.flow import Answer
from dialogs.types import IDLE, Context, Inbound, Outcome, Role, State
from dialogs.visits.cadence import Cadence
from dialogs.visits.clock import VisitClock
from dialogs.visits.dialog import VisitDialog
from dialogs.visits.parse import child_by_id
from dialogs.visits.questions import CHECKLIST_KEYS, ORDER, SKIP
from dialogs.visits.report import clean_answers

NAME = "edit_visit"


def with_clock_before(ctx: Context, visit_id: object) -> Context:
    """The context with the edited visit's child on its clock as it was without that visit."""
    last = ctx.extra.get("last_visit")
    if not isinstance(last, Mapping) or last.get("id") != visit_id:
        return ctx
    clock = last.get("clock")
    if not isinstance(clock, VisitClock):
        return ctx
    child_id = last.get("child_id")
    children = tuple(replace(c, clock=clock) if c.id == child_id else c for c in ctx.children)
    return replace(ctx, children=children)


def _saved_at(raw: object) -> datetime | None:
    if isinstance(raw, str):
        try:
            raw = datetime.fromisoformat(raw)
        except ValueError:
            return None
    if not isinstance(raw, datetime):
        return None
    return raw if raw.tzinfo else raw.replace(tzinfo=UTC)


class EditVisitFlow:
    name = NAME
    roles: frozenset[Role] | None = frozenset({Role.DIRECTOR})
    menu_label_key: str | None = None

    def __init__(self, cadence: Cadence, keywords: Keywords) -> None:
        self.dialog = VisitDialog(NAME, cadence, keywords)

    def start(self, inbound: Inbound, ctx: Context, args: str) -> Outcome:
        last = ctx.extra.get("last_visit")
        if not isinstance(last, Mapping):
            return Outcome(IDLE, (Reply("visit.edit_none"),))
        child = child_by_id(ctx.children, last.get("child_id"))
        saved_at = _saved_at(last.get("saved_at"))
        visit_id = last.get("id")
        ctx = with_clock_before(ctx, visit_id)
        if child is None or saved_at is None or not isinstance(visit_id, int):
            return Outcome(IDLE, (Reply("visit.edit_none"),))
        hours = self.dialog.cadence.edit_window_hours
        if ctx.now - saved_at > timedelta(hours=hours):
            return Outcome(IDLE, (Reply("visit.edit_too_late", {"hours": hours}),))
        raw = last.get("answers")
        answers = clean_answers(
            {**(raw if isinstance(raw, Mapping) else {}), "child": child.id},
            ctx.children,
            ctx.today,
        )
        for key in CHECKLIST_KEYS:  # a question added since the visit was saved: not asked
            answers.setdefault(key, SKIP)
        data: dict[str, Any] = {
            "answers": answers,
            "before": dict(answers),
            "mode": "edit",
            "visit_id": visit_id,
        }
        missing = [s for s in ORDER if s != "notes" and s not in answers]
        return self.dialog.ask(missing[0] if missing else "confirm", data, ctx)

    def handle(self, state: State, answer: Answer, ctx: Context) -> Outcome:
        ctx = with_clock_before(ctx, state.data.get("visit_id"))
        return self.dialog.handle(state, answer, ctx)

    def on_timeout(self, state: State, ctx: Context) -> Outcome:
        return self.dialog.timeout(state, with_clock_before(ctx, state.data.get("visit_id")))
