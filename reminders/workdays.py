"""Working days in mainland China, including make-up working days (调休), as plain facts.

Uses the `chinesecalendar` package (`chinese_calendar`), which knows each year's State
Council holiday arrangement. For a year it does not cover (it is updated once a year, when
the arrangement is published) we fall back to the weekend rule and say so in `source`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import chinese_calendar

Source = Literal["chinese_calendar", "weekend_rule"]


@dataclass(frozen=True, slots=True)
class DayInfo:
    day: date
    is_workday: bool
    is_weekend: bool
    is_holiday: bool  # a public holiday or a weekend day off
    holiday_name: str | None  # "National Day", "Spring Festival" ... when known
    is_makeup_workday: bool  # a weekend day that is a working day (调休上班)
    source: Source  # "weekend_rule": the package has no data for that year

    @property
    def is_public_holiday(self) -> bool:
        return self.holiday_name is not None and not self.is_workday


def day_info(day: date) -> DayInfo:
    weekend = day.weekday() >= 5
    try:
        workday = bool(chinese_calendar.is_workday(day))
        _, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return DayInfo(day, not weekend, weekend, weekend, None, False, "weekend_rule")
    return DayInfo(
        day=day,
        is_workday=workday,
        is_weekend=weekend,
        is_holiday=not workday,
        holiday_name=str(name) if name else None,
        is_makeup_workday=workday and weekend,
        source="chinese_calendar",
    )


def is_workday(day: date) -> bool:
    return day_info(day).is_workday


def next_workday(day: date) -> date:
    """`day` itself if it is a working day, else the next working day."""
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def previous_workday(day: date) -> date:
    """`day` itself if it is a working day, else the working day before it."""
    while not is_workday(day):
        day -= timedelta(days=1)
    return day
