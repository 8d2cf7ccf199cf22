"""Calendar arithmetic for ages and due dates (pure, no clock).

Adding months clamps to the end of the month: a child born on 31 January is one month
old on 28 (or 29) February; a child born on 29 February is one year old on 28 February.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from content.dates import add_months


def add_age(birth: date, *, years: int = 0, months: int = 0, days: int = 0) -> date:
    """The date on which a child born on `birth` reaches the given age."""
    return add_months(birth, years * 12 + months) + timedelta(days=days)


def parse_date(value: date | str) -> date:
    """A date, or an ISO "YYYY-MM-DD" string (as typed on the command line)."""
    if isinstance(value, date):
        return value
    return date.fromisoformat(value.strip())


def month_day(value: str, year: int) -> date:
    """A "MM-DD" in a given year; 02-29 in a common year becomes 02-28."""
    month_text, day_text = value.strip().split("-")
    month, day = int(month_text), int(day_text)
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day, last))
