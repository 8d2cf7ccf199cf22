"""The director's due list and the saved-visit replies with the region and risk cadence
(issue 11 item 7): which item each child shows, in which order, and what the bot says."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core_data import load_cadence, load_visit_rules
from dialogs.types import ChildRef
from dialogs.visits.clock import VisitClock
from dialogs.visits.due_list import INFO_CHILD, VISIT_CHILD, due_entries, entry_choice
from dialogs.visits.report import cadence_notes, save_visit

TODAY = date(2026, 4, 1)
RULES = load_visit_rules()
HUBEI, JILIN = "420102", "220104"
REGISTERED = date(2026, 3, 1)


def kid(n: int, **clock: object) -> ChildRef:
    c = VisitClock(**{"info_updated_on": REGISTERED, **clock})  # type: ignore[arg-type]
    return ChildRef(n, f"A{n:02d}", f"孩子{n}", clock=c)


CASES = [
    # clock, due-list line key, days
    ("hubei contact due in 1 day", dict(region_code=HUBEI, last_home=date(2026, 3, 2),
     last_contact=date(2026, 3, 2), level="good"), "due.line.contact_soon", 1),
    ("hubei contact overdue, home not yet", dict(region_code=HUBEI, last_home=date(2026, 2, 1),
     last_contact=date(2026, 2, 20), level="good"), "due.line.contact_overdue", 12),
    ("jilin home overdue after a call", dict(region_code=JILIN, last_home=date(2026, 2, 1),
     last_contact=date(2026, 3, 30), level="average"), "due.line.overdue", 31),
    ("phone only: no home visit yet", dict(region_code=JILIN, last_contact=date(2026, 3, 30),
     level="good"), "due.line.home_never", None),
    ("critical follow-up first", dict(region_code=JILIN, last_home=date(2026, 3, 31),
     last_contact=date(2026, 3, 31), level="good", followup_due=date(2026, 4, 2)),
     "due.line.followup_soon", 1),
    ("never visited", dict(region_code=HUBEI), "due.line.never", None),
    ("carried due date from before", dict(region_code=JILIN, carried_due=date(2026, 3, 20)),
     "due.line.overdue", 12),
]  # fmt: skip


@pytest.mark.parametrize(
    ("clock", "key", "days"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_child_shows_its_most_pressing_item(
    clock: dict[str, object], key: str, days: int | None
) -> None:
    [entry] = due_entries((kid(1, **clock),), TODAY, 7, rules=RULES)
    choice = entry_choice(entry)
    assert choice.label_key == key and choice.payload == VISIT_CHILD + "1"
    assert choice.params.get("days") == days


def test_follow_ups_first_information_updates_last() -> None:
    children = (
        kid(1, region_code=JILIN, carried_due=date(2026, 1, 1)),  # long overdue
        kid(2, region_code=JILIN, last_home=TODAY, last_contact=TODAY, level="good",
            followup_due=date(2026, 4, 3)),
        kid(3, region_code=JILIN, last_home=TODAY, last_contact=TODAY, level="good",
            info_updated_on=date(2025, 9, 1)),
    )  # fmt: skip
    entries = due_entries(children, TODAY, 7, rules=RULES)
    assert [(e.child.id, e.what) for e in entries] == [(2, "followup"), (1, "home"), (3, "info")]
    info = entry_choice(entries[-1])
    assert info.label_key == "due.line.info_overdue" and info.payload == INFO_CHILD + "3"
    assert info.params["days"] == 31


def test_no_information_item_before_six_months() -> None:
    child = kid(1, region_code=JILIN, last_home=TODAY, last_contact=TODAY, level="good")
    assert due_entries((child,), TODAY, 7, rules=RULES) == ()


ANSWERS = {"kind": "home", "date": "2026-04-01", "assessment": "good"}


def test_saved_visit_in_hubei_names_both_clocks() -> None:
    child = kid(1, region_code=HUBEI)
    effect = save_visit(ANSWERS, child, load_cadence())
    assert effect.next_due == date(2026, 5, 1)
    [note] = cadence_notes(ANSWERS, child, RULES)
    assert note.key == "visit.next_split"
    assert (note.params["contact"], note.params["home"]) == (date(2026, 5, 1), date(2026, 7, 1))


def test_a_call_with_the_home_visit_due_says_so_and_a_critical_flag_asks_a_follow_up() -> None:
    child = kid(1, region_code=JILIN, carried_due=date(2026, 3, 20))
    answers = {**ANSWERS, "kind": "contact", "living": "alone"}
    effect = save_visit(answers, child, load_cadence())
    assert effect.next_due == date(2026, 3, 20)  # the call did not reset the home visit
    keys = [n.key for n in cadence_notes(answers, child, RULES)]
    assert keys == ["visit.followup_asked", "visit.home_needed"]


def test_a_risk_found_raises_the_cadence_and_says_so() -> None:
    child = kid(1, region_code=JILIN)
    answers = {**ANSWERS, "hukou": "none"}
    assert save_visit(answers, child, load_cadence()).next_due == date(2026, 4, 15)
    assert [n.key for n in cadence_notes(answers, child, RULES)] == ["visit.risk_cadence"]


def test_without_a_clock_the_guardianship_intervals_apply() -> None:
    child = ChildRef(1, "A01", "孩子1")
    assert save_visit(ANSWERS, child, load_cadence()).next_due == date(2026, 7, 1)
    assert cadence_notes(ANSWERS, child, RULES) == ()
