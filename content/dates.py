"""Calendar arithmetic both cores need (pure, no clock): the reminders' ages and due dates,
the visits' cadence. Below `dialogs` and `reminders`, which never import each other."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """`start` plus whole calendar months (negative: earlier), clamped to the last day of the
    target month (31 January + 1 -> 28 or 29 February)."""
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(start.day, last))
