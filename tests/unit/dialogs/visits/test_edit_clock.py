"""Correcting a visit (改) computes its next due date from the child's clock as it was without
that visit (issue 11 item 7): the reply's "下次走访" and the visit row's ``next_due`` agree
with the child's due date recomputed from the stored visits, the corrected one counted once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.core_data import load_cadence, load_visit_rules
from content.keywords import Keywords
from dialogs import effects as fx
from dialogs.flow import Answer
from dialogs.flows.edit_visit import EditVisitFlow
from dialogs.types import Channel, ChildRef, Context, Inbound, Outcome, Person, Role
from dialogs.visits import prompts
from dialogs.visits.clock import VisitClock, VisitFact, dues, fold_visits
from dialogs.visits.report import visit_fact

from .scenarios import LAST_VISIT

NOW = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)
DIRECTOR = Person(id=7, role=Role.DIRECTOR, name="周主任", locale="zh_Hans", area_id=3)
HUBEI, JILIN = "420102", "220104"
VISIT_ID = 900


def home(day: date) -> VisitFact:
    return VisitFact(day, "home", "good")


# (region, earlier visits, the visit as saved (kind, date), the correction, next due after it)
Case = tuple[str | None, tuple[VisitFact, ...], tuple[str, str], dict[str, str], date]
CASES: dict[str, Case] = {
    # Jilin has no contact rule: the home visit stays due three months after the earlier one
    "home visit edited into a phone call": (
        JILIN, (home(date(2026, 1, 5)),), ("home", "2026-03-30"), {"kind": "contact"},
        date(2026, 4, 5),
    ),
    "home visit whose date is corrected (earlier)": (
        None, (), ("home", "2026-03-30"), {"date": "2026-03-20"}, date(2026, 6, 20),
    ),
    "home visit moved earlier than the one before it": (
        JILIN, (home(date(2026, 3, 25)),), ("home", "2026-03-30"), {"date": "2026-03-10"},
        date(2026, 6, 25),
    ),
    # Hubei: the monthly contact counts from the corrected day, not the day first reported
    "phone call edited into a home visit a few days earlier": (
        HUBEI, (home(date(2026, 1, 10)),), ("contact", "2026-03-31"),
        {"kind": "home", "date": "2026-03-27"}, date(2026, 4, 27),
    ),
    "phone call edited into a home visit the same day": (
        JILIN, (home(date(2026, 1, 5)),), ("contact", "2026-03-30"), {"kind": "home"},
        date(2026, 6, 30),
    ),
}  # fmt: skip


def saved_answers(kind: str, day: str) -> dict[str, Any]:
    answers: dict[str, Any] = dict(LAST_VISIT["answers"])  # type: ignore[call-overload]
    return {**answers, "child": 1, "kind": kind, "date": day}


def fold(region: str | None, visits: tuple[VisitFact, ...]) -> VisitClock:
    return fold_visits(VisitClock(region_code=region), visits, load_visit_rules())


def context(
    region: str | None, earlier: tuple[VisitFact, ...], saved: Mapping[str, Any]
) -> Context:
    """As the shell builds it: the child's clock counts the saved visit, the last visit
    carries the clock without it."""
    with_it = fold(region, (*earlier, visit_fact(saved)))
    due = dues(with_it, load_visit_rules()).next_visit
    child = ChildRef(1, "A01", "张小明", due, clock=with_it)
    last = {
        "id": VISIT_ID,
        "child_id": 1,
        "saved_at": NOW - timedelta(hours=2),
        "answers": {k: v for k, v in saved.items() if k != "child"},
        "clock": fold(region, earlier),
    }
    return Context(
        now=NOW,
        today=NOW.date(),
        locale="zh_Hans",
        person=DIRECTOR,
        channel=Channel.TELEGRAM,
        children=(child,),
        extra={"last_visit": last},
    )


def correct(ctx: Context, correction: Mapping[str, str]) -> tuple[Outcome, list[Outcome]]:
    flow = EditVisitFlow(load_cadence(), Keywords.load())
    inbound = Inbound(Channel.TELEGRAM, "42", "m1", NOW, text="改")
    outcome = flow.start(inbound, ctx, "")
    summaries = [outcome]
    for step, value in correction.items():
        outcome = flow.handle(outcome.state, Answer("", prompts.EDIT_PREFIX + step), ctx)
        answer = Answer("", f"opt:{value}") if step == "kind" else Answer(value, None)
        outcome = flow.handle(outcome.state, answer, ctx)
        summaries.append(outcome)
    return flow.handle(outcome.state, Answer("", prompts.SAVE), ctx), summaries


@pytest.mark.parametrize("case", list(CASES))
def test_a_correction_counts_the_visit_once_as_corrected(case: str) -> None:
    region, earlier, (kind, day), correction, expected = CASES[case]
    saved = saved_answers(kind, day)
    ctx = context(region, earlier, saved)
    saved_due = dues(ctx.children[0].clock, load_visit_rules()).next_visit  # type: ignore[arg-type]

    outcome, summaries = correct(ctx, correction)

    corrected = {**saved, **correction}
    stored = dues(fold(region, (*earlier, visit_fact(corrected))), load_visit_rules())
    assert stored.next_visit == expected  # what the shell stores on the child after the edit
    [reply] = outcome.replies
    assert reply.key == "visit.edit_saved" and reply.params["next_due"] == expected
    [effect] = outcome.effects
    assert isinstance(effect, fx.UpdateVisit) and effect.visit_id == VISIT_ID
    assert effect.changes.get("next_due", saved_due.isoformat() if saved_due else "") == (
        expected.isoformat()
    )
    # the summary shown while correcting says the same
    assert summaries[-1].replies[-1].params["next_due"] == expected.isoformat()


def test_an_untouched_visit_keeps_its_due_date_in_the_summary() -> None:
    """The summary on "改" shows the due date the visit was saved with."""
    saved = saved_answers("home", "2026-03-30")
    ctx = context(JILIN, (home(date(2026, 1, 5)),), saved)
    outcome, summaries = correct(ctx, {})
    assert summaries[0].replies[-1].params["next_due"] == "2026-06-30"
    assert [r.key for r in outcome.replies] == ["visit.edit_nothing"] and not outcome.effects
