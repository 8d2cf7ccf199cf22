"""Birth dates of children at an age for a sex-specific dose (the planner's warning)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core_data import load_schedule
from bot.reminders.sex_unknown import birth_window


@pytest.mark.parametrize(
    ("as_of", "window"),
    [
        # HPV: born on or after 2011-11-10, from 13 (30 days ahead), under 18 (HPV2 has no
        # earlier limit)
        (date(2026, 3, 2), (date(2011, 11, 10), date(2013, 4, 1))),
        (date(2030, 3, 2), (date(2012, 3, 3), date(2017, 4, 1))),
        (date(2024, 1, 1), None),  # nobody of the cohort is 13 yet
    ],
)
def test_birth_window(as_of: date, window: tuple[date, date] | None) -> None:
    edition = load_schedule().in_force(as_of)
    assert birth_window(edition, as_of) == window
