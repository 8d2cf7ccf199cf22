"""Reminder stages and quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from reminders.quiet_hours import next_allowed_send
from reminders.stages import (
    Stage,
    latest_stage,
    stage_dates,
    stage_on,
    stages_from_mapping,
)

DUE = date(2025, 10, 8)


def test_default_stages() -> None:
    assert stage_dates(DUE) == [
        ("before", date(2025, 10, 1)),
        ("due", date(2025, 10, 8)),
        ("overdue", date(2025, 10, 15)),
    ]


def test_configured_stages_from_mapping() -> None:
    stages = stages_from_mapping({"overdue": 30, "before": -14, "due": 0, "soon": -3})
    assert [s.name for s in stages] == ["before", "soon", "due", "overdue"]
    assert stage_dates(date(2026, 1, 31), stages)[-1] == ("overdue", date(2026, 3, 2))
    with pytest.raises(ValueError):
        stages_from_mapping({"a": 0, "b": 0})


@pytest.mark.parametrize(
    ("today", "on", "latest"),
    [
        (date(2025, 9, 30), None, None),
        (date(2025, 10, 1), "before", "before"),
        (date(2025, 10, 5), None, "before"),
        (date(2025, 10, 8), "due", "due"),
        (date(2025, 10, 15), "overdue", "overdue"),
        (date(2025, 12, 1), None, "overdue"),
    ],
)
def test_stage_on_and_latest(today: date, on: str | None, latest: str | None) -> None:
    assert stage_on(DUE, today) == on
    assert latest_stage(DUE, today) == latest


def test_single_stage() -> None:
    assert stage_dates(DUE, [Stage("due", 0)]) == [("due", DUE)]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "tz", "expected"),
    [
        # Asia/Shanghai is UTC+8 all year: 08:00 local = 00:00 UTC, 21:00 local = 13:00 UTC
        (utc(2025, 6, 1, 2, 0), "Asia/Shanghai", utc(2025, 6, 1, 2, 0)),  # 10:00 local
        (utc(2025, 6, 1, 0, 0), "Asia/Shanghai", utc(2025, 6, 1, 0, 0)),  # 08:00 exactly
        (utc(2025, 6, 1, 13, 0), "Asia/Shanghai", utc(2025, 6, 2, 0, 0)),  # 21:00 -> next day
        (utc(2025, 6, 1, 15, 30), "Asia/Shanghai", utc(2025, 6, 2, 0, 0)),  # 23:30 local
        (utc(2025, 5, 31, 19, 0), "Asia/Shanghai", utc(2025, 6, 1, 0, 0)),  # 03:00 local
        (utc(2025, 12, 31, 16, 0), "Asia/Shanghai", utc(2026, 1, 1, 0, 0)),  # midnight, year end
        # Europe/Berlin: DST ends 2025-10-26, starts 2025-03-30
        (utc(2025, 10, 25, 20, 0), "Europe/Berlin", utc(2025, 10, 26, 7, 0)),  # CEST->CET
        (utc(2025, 3, 29, 21, 0), "Europe/Berlin", utc(2025, 3, 30, 6, 0)),  # CET->CEST
        (utc(2025, 7, 1, 5, 59), "Europe/Berlin", utc(2025, 7, 1, 6, 0)),
        (utc(2025, 7, 1, 6, 0), "Europe/Berlin", utc(2025, 7, 1, 6, 0)),
    ],
)
def test_next_allowed_send_default_hours(at: datetime, tz: str, expected: datetime) -> None:
    assert next_allowed_send(at, tz, time(8, 0), time(21, 0)) == expected


def test_configurable_and_overnight_windows() -> None:
    at = utc(2025, 6, 1, 12, 0)  # 20:00 in Shanghai
    assert next_allowed_send(at, "Asia/Shanghai", time(9, 0), time(20, 0)) == utc(2025, 6, 2, 1)
    # allowed 22:00-06:00 (a night-shift worker): 20:00 waits until 22:00
    assert next_allowed_send(at, "Asia/Shanghai", time(22, 0), time(6, 0)) == utc(2025, 6, 1, 14)
    assert next_allowed_send(at, "Asia/Shanghai", time(0, 0), time(0, 0)) == at


def test_start_in_a_dst_gap_moves_to_first_valid_minute() -> None:
    # 2025-03-30 02:00-03:00 does not exist in Berlin
    at = utc(2025, 3, 29, 23, 0)  # 00:00 CET
    assert next_allowed_send(at, "Europe/Berlin", time(2, 30), time(21, 0)) == utc(2025, 3, 30, 1)


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError):
        next_allowed_send(datetime(2025, 6, 1, 2, 0), "Asia/Shanghai", time(8), time(21))
