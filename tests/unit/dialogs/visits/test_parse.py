from __future__ import annotations

from datetime import date

import pytest

from dialogs.types import ChildRef
from dialogs.visits.parse import DateReading, by_urgency, match_children, read_date

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天", DateReading(date(2026, 3, 10))),
        ("昨天", DateReading(date(2026, 3, 9))),
        ("前天", DateReading(date(2026, 3, 8))),
        ("Yesterday", DateReading(date(2026, 3, 9))),
        ("3月5日", DateReading(date(2026, 3, 5))),
        ("3月5号", DateReading(date(2026, 3, 5))),
        ("３月５日", DateReading(date(2026, 3, 5))),
        ("3.5", DateReading(date(2026, 3, 5))),
        ("3/5", DateReading(date(2026, 3, 5))),
        ("2026-03-05", DateReading(date(2026, 3, 5))),
        ("2026年3月5日", DateReading(date(2026, 3, 5))),
        ("2025.12.30", DateReading(date(2025, 12, 30))),
        ("3.11", DateReading(None, "future")),
        ("2026-03-11", DateReading(None, "future")),
        ("2.30", DateReading(None, "impossible")),
        ("2026-02-30", DateReading(None, "impossible")),
        ("明天吧", DateReading(None, "unknown")),
        ("", DateReading(None, "unknown")),
    ],
)
def test_read_date(text: str, expected: DateReading) -> None:
    assert read_date(text, TODAY, 60) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # a year-less date after today means last year, if that is recent
        ("12.30", date(2026, 1, 5), DateReading(date(2025, 12, 30))),
        ("10.1", date(2026, 1, 5), DateReading(None, "future")),
        ("2.29", date(2025, 3, 1), DateReading(date(2024, 2, 29))),
    ],
)
def test_read_date_around_new_year(text: str, today: date, expected: DateReading) -> None:
    assert read_date(text, today, 60) == expected


CHILDREN = (
    ChildRef(1, "A12", "王小明", date(2026, 2, 20)),
    ChildRef(2, "A15", "王小红", date(2026, 3, 1)),
    ChildRef(3, "B3", "李娜", None),
    ChildRef(4, "A1", "张伟", date(2026, 3, 12)),
)


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("A12", (1,)),
        ("a12", (1,)),
        ("Ａ１２", (1,)),
        (" A 12 ", (1,)),
        ("A1", (4,)),  # an exact code wins over codes that contain it
        ("王小红", (2,)),
        ("王小紅", (2,)),  # traditional
        ("小明", (1,)),
        ("王", (1, 2)),  # ambiguous: asked back, never guessed
        ("A", (1, 2, 4)),
        ("Z99", ()),
        ("", ()),
    ],
)
def test_match_children(query: str, ids: tuple[int, ...]) -> None:
    assert tuple(c.id for c in match_children(query, CHILDREN)) == ids


def test_by_urgency_never_visited_then_most_overdue() -> None:
    assert [c.id for c in by_urgency(CHILDREN)] == [3, 1, 2, 4]
