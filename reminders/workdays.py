"""Working days in mainland China, including make-up working days (调休), as plain facts.

Three layers, for any year:
1. The statutory holidays (元旦, 春节 and its eve, 清明, 劳动节, 端午, 中秋, 国庆) are computed
   by the `holidays` package (lunar dates and the Qingming solar term included); its own
   guesses of observed or substituted days are not used.
2. Each year's State Council arrangement (extra days off, make-up working days): the
   `chinesecalendar` package where it has the year (to 2026), else an arrangement an
   administrator imported (`careline reminders holidays import FILE` or the console), else
   the editable data in `content/calendars/holidays.toml` (`[[years]]`).
3. Otherwise weekends are days off; `source` then says "statutory_only" and
   `arrangement_missing(year)` is true, so the shell can warn.

The arrangements are a value, `Workdays(shipped, imported)`: the shell reads the file
(`bot.core_data.load_workdays`) and the database (`bot.reminders.holidays.load_imported`)
and hands it to whatever needs a working day. Nothing here reads a file or keeps state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Literal

import chinese_calendar

Source = Literal["chinese_calendar", "arrangement_data", "statutory_only"]
ArrangementSource = Literal["chinese_calendar", "imported", "arrangement_data"]
_GUESSES = ("observed", "Day off", "substituted")


@dataclass(frozen=True, slots=True)
class DayInfo:
    day: date
    is_workday: bool
    is_weekend: bool
    is_holiday: bool  # a public holiday or a weekend day off
    holiday_name: str | None  # "National Day", "Spring Festival" ... when known
    is_makeup_workday: bool  # a weekend day that is a working day (调休上班)
    source: Source

    @property
    def is_public_holiday(self) -> bool:
        return self.holiday_name is not None and not self.is_workday


@dataclass(frozen=True, slots=True)
class Arrangement:
    year: int
    days_off: frozenset[date]
    workdays: frozenset[date]
    verified: bool = False
    source: str = ""


def arrangements_from_mapping(raw: Mapping[str, Any]) -> dict[int, Arrangement]:
    """`[[years]]` with `year`, `days_off`, `workdays` (dates): each date must be in its year."""
    result: dict[int, Arrangement] = {}
    for entry in raw.get("years", ()):
        year = int(entry["year"])
        days = {
            k: frozenset(
                d if isinstance(d, date) else date.fromisoformat(str(d)) for d in entry.get(k, ())
            )
            for k in ("days_off", "workdays")
        }
        for d in days["days_off"] | days["workdays"]:
            if d.year != year:
                raise ValueError(f"{year}: {d.isoformat()} is not in that year")
        if days["days_off"] & days["workdays"]:
            raise ValueError(f"{year}: a date is both a day off and a working day")
        result[year] = Arrangement(
            year,
            days["days_off"],
            days["workdays"],
            bool(entry.get("verified", False)),
            str(entry.get("source", "")),
        )
    return result


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> Mapping[date, str]:
    """The statutory holidays of `year`, computed (no observed or substituted days)."""
    import holidays  # 80 ms of start-up, used when a year's deadlines are first computed

    computed = holidays.China(years=year, language="en_US")
    return {d: str(n) for d, n in computed.items() if not any(g in str(n) for g in _GUESSES)}


@lru_cache(maxsize=64)
def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Workdays:
    """The year arrangements known: the shipped data's and the ones administrators imported."""

    shipped: Mapping[int, Arrangement] = field(default_factory=dict)
    imported: Mapping[int, Arrangement] = field(default_factory=dict)

    def with_imported(self, imported: Mapping[int, Arrangement]) -> Workdays:
        """The same shipped data with these imported arrangements (replacing the last set)."""
        return Workdays(self.shipped, dict(imported))

    def arrangement_for(self, year: int) -> Arrangement | None:
        """An imported arrangement, else the shipped data's (None: neither has the year)."""
        return self.imported.get(year) or self.shipped.get(year)

    def arrangement_source(self, year: int) -> ArrangementSource | None:
        """Where the year's arrangement comes from; None when it is missing."""
        if _package_covers(year):
            return "chinese_calendar"
        if year in self.imported:
            return "imported"
        if year in self.shipped:
            return "arrangement_data"
        return None

    def arrangement_missing(self, year: int) -> bool:
        """True when neither the package nor the data has the State Council's arrangement."""
        return self.arrangement_source(year) is None

    def missing_warnings(self, today: date) -> list[str]:
        """ "holiday arrangement YEAR missing" for this year and next, where missing."""
        return [
            f"holiday arrangement {year} missing"
            for year in (today.year, today.year + 1)
            if self.arrangement_missing(year)
        ]

    def day_info(self, day: date) -> DayInfo:
        weekend = day.weekday() >= 5
        if _package_covers(day.year):
            workday = bool(chinese_calendar.is_workday(day))
            _, name = chinese_calendar.get_holiday_detail(day)
            return DayInfo(
                day, workday, weekend, not workday, str(name) if name else None,
                workday and weekend, "chinese_calendar",
            )  # fmt: skip
        name = statutory_holidays(day.year).get(day)
        arrangement = self.arrangement_for(day.year)
        if arrangement is not None:
            if name is None and day in arrangement.days_off:
                name = _nearest_holiday(day)  # an extra day off of the arrangement (调休放假)
            off = day in arrangement.days_off or name is not None or weekend
            workday = day in arrangement.workdays or not off
            return DayInfo(
                day, workday, weekend, not workday, name, workday and weekend, "arrangement_data"
            )
        workday = not weekend and name is None
        return DayInfo(day, workday, weekend, not workday, name, False, "statutory_only")

    def is_workday(self, day: date) -> bool:
        return self.day_info(day).is_workday

    def next_workday(self, day: date) -> date:
        """`day` itself if it is a working day, else the next working day."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def previous_workday(self, day: date) -> date:
        """`day` itself if it is a working day, else the working day before it."""
        while not self.is_workday(day):
            day -= timedelta(days=1)
        return day


def _nearest_holiday(day: date) -> str:
    """The statutory holiday an extra day off belongs to (within a week), else a generic name."""
    for gap in range(1, 8):
        for near in (day - timedelta(days=gap), day + timedelta(days=gap)):
            name = statutory_holidays(near.year).get(near)
            if name is not None:
                return name
    return "Day off (arrangement)"
