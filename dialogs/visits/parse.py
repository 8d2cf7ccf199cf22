"""Reading what a hurried director types: visit dates and which child is meant.

Both are compared after `content.normalize.fold`: full-width digits, case and traditional
characters do not matter ("３月５日", "王小明" and "王小明" all read the same).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from content.normalize import fold
from dialogs.types import ChildRef

RELATIVE_DAYS = {
    "今天": 0,
    "今日": 0,
    "today": 0,
    "昨天": 1,
    "昨日": 1,
    "yesterday": 1,
    "前天": 2,
}
_FULL = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*[日号]?$")
_SHORT = re.compile(r"^(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*[日号]?$")


@dataclass(frozen=True, slots=True)
class DateReading:
    """A date read from text, or why not: "unknown" (not a date), "future", "impossible"."""

    value: date | None
    problem: str | None = None


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def read_date(text: str, today: date, old_days: int) -> DateReading:
    """Read a visit date. A year-less date is this year's, or last year's if that is recent."""
    form = "".join(fold(text).split())
    if form in RELATIVE_DAYS:
        return DateReading(today - timedelta(days=RELATIVE_DAYS[form]))
    full = _FULL.match(form)
    if full:
        value = _make(*(int(g) for g in full.groups()))
        if value is None:
            return DateReading(None, "impossible")
        return DateReading(value) if value <= today else DateReading(None, "future")
    short = _SHORT.match(form)
    if not short:
        return DateReading(None, "unknown")
    month, day = int(short.group(1)), int(short.group(2))
    value = _make(today.year, month, day)
    if value is None:
        last_year = _make(today.year - 1, month, day)
        return DateReading(last_year) if last_year else DateReading(None, "impossible")
    if value <= today:
        return DateReading(value)
    previous = _make(today.year - 1, month, day)
    if previous is not None and (today - previous).days <= old_days:
        return DateReading(previous)
    return DateReading(None, "future")


def looks_like_date(text: str) -> bool:
    form = "".join(fold(text).split())
    return form in RELATIVE_DAYS or bool(_FULL.match(form) or _SHORT.match(form))


def _key(text: str) -> str:
    return "".join(fold(text).split())


def match_children(query: str, children: tuple[ChildRef, ...]) -> tuple[ChildRef, ...]:
    """The director's children that ``query`` may mean: an exact code or name wins, else
    every child whose code or name contains it. Never guesses between several."""
    q = _key(query)
    if not q:
        return ()
    exact_code = tuple(c for c in children if _key(c.code) == q)
    if exact_code:
        return exact_code
    exact_name = tuple(c for c in children if _key(c.name) == q)
    if exact_name:
        return exact_name
    return tuple(c for c in children if q in _key(c.code) or q in _key(c.name))


def child_by_id(children: tuple[ChildRef, ...], child_id: object) -> ChildRef | None:
    for child in children:
        if child.id == child_id or str(child.id) == str(child_id):
            return child
    return None


def by_urgency(children: tuple[ChildRef, ...]) -> tuple[ChildRef, ...]:
    """Never-visited first, then the most overdue (earliest due date), then by code."""
    return tuple(
        sorted(
            children,
            key=lambda c: (c.next_visit_due is not None, c.next_visit_due or date.min, c.code),
        )
    )
