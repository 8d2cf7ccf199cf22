"""Visit cadence: when a child's next visit falls due, from the guardianship assessment.

Pure: the intervals are data (``content/cadence.toml``, with the rules by region and risk of
``content/visit_cadence.toml``), read by the shell and passed in; the visit date is a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from content.dates import add_months

if TYPE_CHECKING:
    from dialogs.visits.clock import VisitRules

ASSESSMENTS: tuple[str, ...] = ("good", "average", "poor")


@dataclass(frozen=True, slots=True)
class Interval:
    months: int = 0
    weeks: int = 0
    days: int = 0

    def after(self, start: date) -> date:
        return add_months(start, self.months) + timedelta(weeks=self.weeks, days=self.days)


@dataclass(frozen=True, slots=True)
class Cadence:
    intervals: Mapping[str, Interval]
    key_child: Interval
    rules: VisitRules  # by region and risk (`dialogs.visits.clock`)
    old_date_days: int = 60
    edit_window_hours: int = 24
    due_soon_days: int = 7
    sms_page_size: int = 3
    buttons_page_size: int = 8
    child_choices_sms: int = 3
    child_choices_buttons: int = 8

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], rules: VisitRules) -> Cadence:
        intervals = {k: Interval(**v) for k, v in raw.get("intervals", {}).items()}
        missing = [a for a in (*ASSESSMENTS, "key_child") if a not in intervals]
        if missing:
            raise ValueError(f"cadence: no interval for {', '.join(missing)}")
        key_child = intervals.pop("key_child")
        visit = dict(raw.get("visit", {}))
        return cls(intervals=intervals, key_child=key_child, rules=rules, **visit)


def next_visit_due(visit_date: date, assessment: str, is_key_child: bool, cadence: Cadence) -> date:
    """The next visit's due date: the assessment's interval, never later than a key child's."""
    interval = cadence.intervals.get(assessment)
    if interval is None:
        raise ValueError(f"unknown guardianship assessment {assessment!r}")
    due = interval.after(visit_date)
    if is_key_child:
        due = min(due, cadence.key_child.after(visit_date))
    return due
