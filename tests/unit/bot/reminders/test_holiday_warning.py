"""The missing holiday arrangement (调休) is a real fact each winter, until the State
Council publishes next year's: it is logged once per process and year, however often the
planner runs and /healthz is asked, and it stays in every answer (a cold trial's start-up
log said it several times)."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from bot.reminders import holidays
from reminders import workdays
from tests.support.core import shipped_workdays

# Far years: no chinesecalendar release has them, and the shipped data neither.
SHIPPED = shipped_workdays()
WITH_2041 = SHIPPED.with_imported(
    workdays.arrangements_from_mapping(
        {"years": [{"year": 2041, "days_off": ["2041-10-04"], "source": "test: fictional"}]}
    )
)


@pytest.mark.parametrize(
    ("calls", "logged"),
    [
        # (today, known) per call → the years whose warning went to the log, in order
        ([(date(2040, 12, 3), SHIPPED)], [2040, 2041]),
        ([(date(2040, 12, 3), SHIPPED)] * 4, [2040, 2041]),  # start-up, planner, /healthz ×2
        ([(date(2040, 12, 3), SHIPPED), (date(2041, 1, 2), SHIPPED)], [2040, 2041, 2042]),
        ([(date(2040, 12, 3), WITH_2041), (date(2040, 12, 4), SHIPPED)], [2040, 2041]),
        ([(date(2040, 12, 3), WITH_2041)] * 3, [2040]),
    ],
)  # fmt: skip
def test_each_missing_year_is_logged_once_per_process(
    calls: list[tuple[date, workdays.Workdays]],
    logged: list[int],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(holidays, "_logged", set())  # a new process
    with caplog.at_level(logging.WARNING, logger="bot.reminders.holidays"):
        for today, known in calls:
            answered = holidays.warn_missing(known, today)
            assert answered == known.missing_warnings(today)  # every answer still says it
    expected = [f"holiday arrangement {year} missing" for year in logged]
    assert [m.split(":")[0] for m in caplog.messages] == expected
    assert all(holidays.IMPORT_HINT in m for m in caplog.messages)
