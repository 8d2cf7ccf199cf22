"""Flow "visit": the child director reports a visit, guided or in one SMS (quick form).

Started by 走访 / visit / V / the menu. With text after the trigger word it is the quick
form (`dialogs.visits.quick`); without, a guided report, which first offers to resume the
draft the shell passes as ``ctx.extra["visit_draft"]`` = {"child_id": int, "answers": dict}.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from content.keywords import Keywords
from content.replies import Reply
from dialogs import effects as fx
from dialogs.flow import Answer
from dialogs.types import IDLE, ChildRef, Context, Inbound, Outcome, Role, State
from dialogs.visits.cadence import Cadence
from dialogs.visits.dialog import VisitDialog, draft_offer
from dialogs.visits.parse import match_children
from dialogs.visits.quick import QuickReport, parse_quick
from dialogs.visits.report import clean_answers

NAME = "visit"


def quick_problem_reply(report: QuickReport) -> Reply | None:
    """The reply naming the part of a quick report that could not be read, with a fix."""
    problem = report.problem
    if problem is None:
        return None
    positions = tuple(p for p, _ in problem.parts)
    shown = " ".join(f"“{text}”({p})" for p, text in problem.parts)
    if problem.kind == "bad_parts":
        if "assessment" not in report.answers:  # the example must be a report that saves
            rest = report.example((1, *positions)).removeprefix(report.child_query).strip()
            return Reply(
                "visit.quick.bad_parts_no_assessment",
                {"parts": shown, "child": report.child_query, "rest": rest},
            )
        return Reply("visit.quick.bad_parts", {"parts": shown, "fixed": report.example(positions)})
    if problem.kind == "future_date":
        return Reply(
            "visit.quick.future_date", {"parts": shown, "fixed": report.example(positions)}
        )
    if problem.kind == "conflict":
        first, second = problem.parts
        return Reply(
            "visit.quick.conflict",
            {
                "first": f"“{first[1]}”({first[0]})",
                "second": f"“{second[1]}”({second[0]})",
                "fixed": report.example((second[0],)),
            },
        )
    rest = " ".join(report.parts[1:])
    return Reply("visit.quick.no_assessment", {"child": report.child_query, "rest": rest})


class VisitFlow:
    name = NAME
    roles: frozenset[Role] | None = frozenset({Role.DIRECTOR})
    menu_label_key: str | None = "menu.visit"

    def __init__(self, cadence: Cadence, keywords: Keywords) -> None:
        self.dialog = VisitDialog(NAME, cadence, keywords)

    def start(self, inbound: Inbound, ctx: Context, args: str) -> Outcome:
        if not ctx.children:
            return Outcome(IDLE, (Reply("visit.no_children"),))
        if args.strip():
            return self.quick(args, ctx)
        draft = _draft(ctx.extra.get("visit_draft"), ctx)
        if draft is not None:
            data = {"answers": {}, "mode": "new", "draft": draft}
            return Outcome(State(NAME, "draft", data), (draft_offer(draft, ctx),))
        return self.dialog.ask("child", {"answers": {}, "mode": "new"}, ctx)

    def start_for_child(self, child: ChildRef, ctx: Context) -> Outcome:
        """A guided report for a child already chosen (from the due list)."""
        return self.dialog.ask("kind", {"answers": {"child": child.id}, "mode": "new"}, ctx)

    def quick(self, args: str, ctx: Context) -> Outcome:
        report = parse_quick(args, ctx.today, self.dialog.cadence.old_date_days)
        matches = match_children(report.child_query, ctx.children)
        if not matches:
            query = report.child_query[:20]
            return Outcome(IDLE, (Reply("visit.quick.child_not_found", {"query": query}),))
        problem = quick_problem_reply(report)
        if problem is not None:
            return Outcome(IDLE, (problem,))
        answers: dict[str, Any] = dict(report.answers)
        data: dict[str, Any] = {"answers": answers, "mode": "new", "quick": True}
        visit_date = date.fromisoformat(answers["date"])
        if (ctx.today - visit_date).days > self.dialog.cadence.old_date_days:
            data["pending_date"] = answers.pop("date")
        if len(matches) > 1:
            return self.dialog.handle(
                State(NAME, "child", data), Answer(report.child_query, None), ctx
            )
        answers["child"] = matches[0].id
        return self.dialog.advance("child", data, ctx)

    def handle(self, state: State, answer: Answer, ctx: Context) -> Outcome:
        return self.dialog.handle(state, answer, ctx)

    def on_timeout(self, state: State, ctx: Context) -> Outcome:
        return self.dialog.timeout(state, ctx)

    def on_cancel(self, state: State, ctx: Context) -> Outcome:
        """Cancelling a report: the photos and voice notes sent with it go at once."""
        return Outcome(IDLE, (Reply("cancel.done"),), (fx.DiscardVisitMedia(),))


def _draft(raw: object, ctx: Context) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping):
        return None
    answers = raw.get("answers")
    draft = clean_answers(
        {**(answers if isinstance(answers, Mapping) else {}), "child": raw.get("child_id")},
        ctx.children,
        ctx.today,
    )
    return draft if "child" in draft else None
