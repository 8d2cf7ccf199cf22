"""Imported holiday arrangements (调休) in the pure core: working days, the deadline note and
the missing-year warning (issue 11 item 6). The 2027 arrangement here is fictional."""

from __future__ import annotations

from datetime import date

import pytest

from content.catalog import Text
from reminders import workdays
from reminders.digest import DueItem, _day_note
from tests.support.core import shipped_workdays

FICTIONAL_2027 = {
    "years": [
        {
            "year": 2027,
            "days_off": ["2027-10-04", "2027-10-05", "2027-10-06", "2027-10-07"],
            "workdays": ["2027-09-26", "2027-10-09"],
            "source": "test: a fictional arrangement",
        }
    ]
}

SHIPPED = shipped_workdays()  # nothing imported
IMPORTED = SHIPPED.with_imported(workdays.arrangements_from_mapping(FICTIONAL_2027))


def test_without_the_arrangement_the_year_is_missing_and_only_statutory() -> None:
    assert SHIPPED.arrangement_source(2027) is None
    assert SHIPPED.missing_warnings(date(2026, 12, 1)) == ["holiday arrangement 2027 missing"]
    assert SHIPPED.is_workday(date(2027, 10, 4))  # a Monday: only 1-3 October are statutory
    assert not SHIPPED.is_workday(date(2027, 10, 9))  # a Saturday
    assert SHIPPED.arrangement_source(2026) == "chinese_calendar"


def test_an_imported_arrangement_sets_days_off_and_make_up_working_days() -> None:
    assert IMPORTED.arrangement_source(2027) == "imported"
    assert IMPORTED.missing_warnings(date(2026, 12, 1)) == []
    assert not IMPORTED.is_workday(date(2027, 10, 4))
    saturday = IMPORTED.day_info(date(2027, 10, 9))
    assert saturday.is_workday and saturday.is_makeup_workday
    assert IMPORTED.is_workday(date(2027, 9, 26))  # a Sunday worked
    assert IMPORTED.previous_workday(date(2027, 10, 7)) == date(2027, 9, 30)
    assert IMPORTED.next_workday(date(2027, 10, 1)) == date(2027, 10, 8)


@pytest.mark.parametrize(
    ("due", "key", "last"),
    [
        (date(2027, 10, 5), "reminder.day_note.holiday", (9, 30)),  # imported day off
        (date(2027, 10, 2), "reminder.day_note.holiday", (9, 30)),  # National Day
        (date(2027, 10, 10), "reminder.day_note.weekend", (10, 9)),  # Sunday after a make-up day
    ],
)
def test_a_deadline_on_a_day_off_names_the_last_working_day(
    due: date, key: str, last: tuple[int, int]
) -> None:
    note = _day_note(DueItem(1, "小明", "insurance", "2027", "due", due), IMPORTED)
    assert isinstance(note, Text) and note.key == key
    day = note.params["last"]
    assert isinstance(day, Text) and (day.params["m"], day.params["d"]) == last


def test_a_deadline_on_a_working_day_has_no_note() -> None:
    assert (
        _day_note(DueItem(1, "小明", "insurance", "2027", "due", date(2027, 10, 9)), IMPORTED) == ""
    )
