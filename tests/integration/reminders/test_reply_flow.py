"""The pure reminder-reply flow and the planner's pure helpers, as tables (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.reminders.finders import hits, merge
from dialogs import effects as fx
from dialogs.flows.reminder_reply import NAME
from dialogs.types import Channel, Context, Inbound, Person, Role, State
from reminders import effects as reminder_fx
from reminders.digest import DueItem
from reminders.replies import items_of
from reminders.stages import DEFAULT_STAGES
from tests.support.core import shipped_engine

TODAY = date(2026, 3, 2)
DOSE = DueItem(7, "小明", "vaccine", "DTaP1", "due", TODAY, "DTaP", 1, 2)
INSURANCE = DueItem(8, "小红", "insurance", "2027", "before", date(2026, 12, 31))
PERMIT = DueItem(7, "小明", "residence_permit", "2027", "due", TODAY)


def step(text: str, items: list[DueItem]) -> tuple[State, tuple[object, ...], str]:
    engine = shipped_engine()
    state = State(NAME, "await", {"items": [i.to_json() for i in items]})
    ctx = Context(
        now=datetime(2026, 3, 2, 2, tzinfo=UTC),
        today=TODAY,
        locale="zh_Hans",
        person=Person(1, Role.GUARDIAN, "张奶奶", "zh_Hans"),
        channel=Channel.SMS,
    )
    outcome = engine.step(state, Inbound(Channel.SMS, "+86", "p1", ctx.now, text), ctx)
    return outcome.state, outcome.effects, outcome.replies[0].key


def route(text: str, *items: DueItem) -> reminder_fx.RouteRemindersToDirector:
    """ONE effect: the shell writes each director one message with all the items."""
    return reminder_fx.RouteRemindersToDirector(
        text, tuple(tuple(sorted(i.to_json().items())) for i in items)
    )


@pytest.mark.parametrize(
    ("text", "items", "effects", "flow"),
    [
        ("1", [DOSE], (reminder_fx.ConfirmDose(7, "DTaP1", TODAY),), None),
        ("已接种", [DOSE, INSURANCE], (reminder_fx.ConfirmDose(7, "DTaP1", TODAY),), None),
        ("done", [DOSE], (reminder_fx.ConfirmDose(7, "DTaP1", TODAY),), None),
        ("已参保", [DOSE, INSURANCE], (reminder_fx.ConfirmInsurance(8, 2027),), None),
        ("1", [PERMIT], (reminder_fx.ConfirmReminder(7, "residence_permit", "2027"),), None),
        ("2", [DOSE], (route("2", DOSE),), None),
        ("不知道", [DOSE, INSURANCE], (route("不知道", DOSE, INSURANCE),), None),
        ("你好呀", [DOSE], (), NAME),  # not understood: keep waiting
    ],
)
def test_reply_to_a_reminder(
    text: str, items: list[DueItem], effects: tuple[object, ...], flow: str | None
) -> None:
    state, got, _ = step(text, items)
    assert got == effects
    assert state.flow == flow


def test_stop_still_works_while_a_reminder_waits() -> None:
    state, effects, key = step("TD", [DOSE])
    assert effects == (fx.OptOut(),) and state.flow is None and key == "stop.confirmed"


@pytest.mark.parametrize("item", [DOSE, INSURANCE, PERMIT])
def test_items_survive_the_conversation_state(item: DueItem) -> None:
    assert DueItem.from_json(item.to_json()) == item
    assert items_of(State(NAME, "await", {"items": [item.to_json()]}).data["items"]) == [item]


@pytest.mark.parametrize(
    ("due", "since", "as_of", "expected"),
    [
        (date(2026, 3, 9), date(2026, 3, 2), date(2026, 3, 2), ["before"]),
        (date(2026, 3, 2), date(2026, 3, 2), date(2026, 3, 2), ["due"]),
        (date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 2), ["overdue"]),
        (date(2026, 3, 1), date(2026, 2, 20), date(2026, 3, 2), ["before", "due"]),
        (date(2026, 3, 3), date(2026, 3, 2), date(2026, 3, 2), []),
    ],
)
def test_stage_hits(due: date, since: date, as_of: date, expected: list[str]) -> None:
    assert hits(due, DEFAULT_STAGES, since, as_of) == expected


def test_merge_joins_touching_and_overlapping_ranges() -> None:
    d = date
    ranges = [
        (d(2026, 1, 10), d(2026, 1, 20)),
        (d(2026, 1, 1), d(2026, 1, 9)),
        (d(2026, 1, 15), d(2026, 1, 25)),
        (d(2026, 2, 1), d(2026, 2, 2)),
    ]
    assert merge(ranges) == [(d(2026, 1, 1), d(2026, 1, 25)), (d(2026, 2, 1), d(2026, 2, 2))]
