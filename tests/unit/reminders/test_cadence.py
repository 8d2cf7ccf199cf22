from __future__ import annotations

from datetime import date

import pytest

from bot.core_data import load_cadence, load_visit_rules
from content.dates import add_months
from dialogs.visits.cadence import Cadence, next_visit_due


@pytest.fixture(scope="module")
def cadence() -> Cadence:
    return load_cadence()


@pytest.mark.parametrize(
    ("visit", "assessment", "key_child", "due"),
    [
        (date(2026, 3, 10), "good", False, date(2026, 6, 10)),
        (date(2026, 3, 10), "average", False, date(2026, 4, 10)),
        (date(2026, 3, 10), "poor", False, date(2026, 3, 24)),
        (date(2026, 3, 10), "good", True, date(2026, 3, 24)),
        (date(2026, 3, 10), "average", True, date(2026, 3, 24)),
        (date(2026, 1, 31), "average", False, date(2026, 2, 28)),
        (date(2024, 1, 31), "average", False, date(2024, 2, 29)),
        (date(2026, 11, 30), "good", False, date(2027, 2, 28)),
        (date(2026, 12, 25), "poor", False, date(2027, 1, 8)),
    ],
)
def test_next_visit_due(
    cadence: Cadence, visit: date, assessment: str, key_child: bool, due: date
) -> None:
    assert next_visit_due(visit, assessment, key_child, cadence) == due


def test_unknown_assessment_is_refused(cadence: Cadence) -> None:
    with pytest.raises(ValueError, match="unknown"):
        next_visit_due(date(2026, 3, 10), "excellent", False, cadence)


def test_cadence_is_data() -> None:
    custom = Cadence.from_mapping(
        {
            "intervals": {
                "good": {"months": 6},
                "average": {"weeks": 3},
                "poor": {"days": 5},
                "key_child": {"days": 10},
            },
            "visit": {"old_date_days": 30},
        },
        load_visit_rules(),
    )
    assert next_visit_due(date(2026, 3, 10), "good", False, custom) == date(2026, 9, 10)
    assert next_visit_due(date(2026, 3, 10), "average", False, custom) == date(2026, 3, 31)
    assert next_visit_due(date(2026, 3, 10), "good", True, custom) == date(2026, 3, 20)
    assert custom.old_date_days == 30


def test_a_missing_interval_is_an_error() -> None:
    with pytest.raises(ValueError, match="poor"):
        Cadence.from_mapping(
            {
                "intervals": {
                    "good": {"months": 3},
                    "average": {"months": 1},
                    "key_child": {"weeks": 2},
                }
            },
            load_visit_rules(),
        )


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 3, 31), 0, date(2026, 3, 31)),
        (date(2026, 1, 31), 13, date(2027, 2, 28)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected
