"""Regional calendars with inheritance, and China's working days (holidays, 调休)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core_data import load_calendars
from reminders.calendars import (
    CalendarBook,
    CalendarError,
    insurance_window,
    newborn_enrol_by,
    next_insurance_window,
    permit_endorsement_window,
    primary_entry_year,
    primary_registration_for_child,
    region_chain,
    school_registration_window,
)
from tests.support.core import shipped_workdays

WORKDAYS = shipped_workdays()

BOOK = CalendarBook.from_mappings(
    [
        {
            "region": "national",
            "insurance": {
                "window_start": "09-01",
                "window_end": "12-31",
                "coverage": "next_year",
                "verified": False,
            },
            "school_primary": {
                "entry_age": 6,
                "birth_cutoff": "08-31",
                "registration_start": "04-01",
                "registration_end": "06-30",
            },
            "residence_permit": {"endorse_months_before": 1, "verified": True},
        },
        {
            "region": "530000",
            "insurance": {
                "window_start": "09-01",
                "window_end": "02-28",
                "coverage": "next_year",
                "verified": True,
            },
        },
        {"region": "530100", "school_primary": {"registration_start": "05-10"}},
        {"region": "530102", "insurance": {"window_start": "10-01", "verified": False}},
    ],
    WORKDAYS,
)


@pytest.mark.parametrize(
    ("code", "chain"),
    [
        ("530102", ("530102", "530100", "530000", "national")),
        ("530100", ("530100", "530000", "national")),
        ("530000", ("530000", "national")),
        ("national", ("national",)),
        ("000000", ("national",)),
    ],
)
def test_region_chain(code: str, chain: tuple[str, ...]) -> None:
    assert region_chain(code) == chain


@pytest.mark.parametrize("bad", ["53", "5301020", "abcdef"])
def test_region_chain_rejects_bad_codes(bad: str) -> None:
    with pytest.raises(CalendarError):
        region_chain(bad)


@pytest.mark.parametrize(
    ("code", "start", "end", "verified"),
    [
        ("530102", date(2025, 10, 1), date(2026, 2, 28), False),  # county start, province end
        ("530103", date(2025, 9, 1), date(2026, 2, 28), True),  # city file absent: province
        ("530000", date(2025, 9, 1), date(2026, 2, 28), True),
        ("220000", date(2025, 9, 1), date(2025, 12, 31), False),  # not in this book: national
    ],
)
def test_insurance_window_inherits(code: str, start: date, end: date, verified: bool) -> None:
    window = insurance_window(BOOK.resolve(code), 2026)
    assert (window.start, window.end, window.verified) == (start, end, verified)
    assert window.label == "2026"


def test_field_provenance() -> None:
    cal = BOOK.resolve("530102")
    assert cal.fact("insurance", "window_start").region == "530102"
    assert cal.fact("insurance", "window_end").region == "530000"
    assert cal.fact("insurance", "coverage").region == "530000"
    assert BOOK.resolve("220000").fact("insurance", "coverage").region == "national"
    assert cal.value("school_primary", "registration_start") == "05-10"
    assert cal.fact("school_primary", "registration_end").region == "national"


def test_book_needs_national_and_unique_regions() -> None:
    with pytest.raises(CalendarError):
        CalendarBook.from_mappings([{"region": "530000"}], WORKDAYS)
    with pytest.raises(CalendarError):
        CalendarBook.from_mappings([{"region": "national"}, {"region": "national"}], WORKDAYS)
    with pytest.raises(CalendarError):
        BOOK.resolve("530000").value("school_junior_middle", "registration_start")


@pytest.mark.parametrize("code", ["530000", "220000", "420000", "460000", "469001"])
def test_shipped_calendars_resolve_for_the_seed_provinces(code: str) -> None:
    cal = load_calendars().resolve(code)
    window = next_insurance_window(cal, date(2025, 11, 22))
    assert (window.start, window.end) == (date(2025, 9, 1), date(2025, 12, 31))
    assert window.verified is False  # a common practice, not a checked provincial date
    assert cal.verified("residence_permit", "endorse_months_before")
    assert cal.value("insurance", "migrant_children_enrol_where_they_live") is True


@pytest.mark.parametrize(
    ("as_of", "coverage_year"),
    [(date(2025, 8, 31), "2026"), (date(2025, 12, 31), "2026"), (date(2026, 1, 1), "2027")],
)
def test_next_insurance_window(as_of: date, coverage_year: str) -> None:
    assert next_insurance_window(load_calendars().resolve("420000"), as_of).label == coverage_year


def test_newborn_enrolment_deadline() -> None:
    assert newborn_enrol_by(load_calendars().resolve("460000"), date(2026, 1, 1)) == date(
        2026, 4, 1
    )


@pytest.mark.parametrize(
    ("birth", "entry_year"),
    [
        (date(2019, 8, 31), 2025),
        (date(2019, 9, 1), 2026),
        (date(2020, 2, 29), 2026),
        (date(2019, 1, 1), 2025),
    ],
)
def test_primary_school_cutoff(birth: date, entry_year: int) -> None:
    cal = load_calendars().resolve("220000")
    assert primary_entry_year(cal, birth) == entry_year
    window = primary_registration_for_child(cal, birth)
    assert window.start == date(entry_year, 4, 1)


def test_window_spanning_new_year() -> None:
    window = school_registration_window(
        CalendarBook.from_mappings(
            [
                {
                    "region": "national",
                    "school_junior_middle": {
                        "registration_start": "12-01",
                        "registration_end": "01-15",
                    },
                }
            ],
            WORKDAYS,
        ).resolve("national"),
        "school_junior_middle",
        2025,
    )
    assert (window.start, window.end) == (date(2025, 12, 1), date(2026, 1, 15))


@pytest.mark.parametrize(
    ("issued", "as_of", "start", "end", "label"),
    [
        (date(2024, 3, 15), date(2025, 1, 10), date(2025, 2, 15), date(2025, 3, 14), "1"),
        (date(2024, 3, 15), date(2025, 3, 14), date(2025, 2, 15), date(2025, 3, 14), "1"),
        (date(2024, 3, 15), date(2025, 3, 15), date(2026, 2, 15), date(2026, 3, 14), "2"),
        (date(2024, 3, 31), date(2024, 4, 1), date(2025, 2, 28), date(2025, 3, 30), "1"),
    ],
)
def test_permit_endorsement_month_before_each_full_year(
    issued: date, as_of: date, start: date, end: date, label: str
) -> None:
    window = permit_endorsement_window(load_calendars().resolve("530000"), issued, as_of)
    assert (window.start, window.end, window.label) == (start, end, label)


def test_deadline_on_a_weekend_is_shown_with_last_workday() -> None:
    window = permit_endorsement_window(
        load_calendars().resolve("530000"), date(2024, 3, 15), date(2025, 11, 22)
    )
    assert window.end == date(2026, 3, 14)  # a Saturday
    assert window.deadline.is_holiday and window.deadline.is_weekend
    assert window.last_workday == date(2026, 3, 13)


@pytest.mark.parametrize(
    ("day", "workday", "holiday_name", "makeup", "source"),
    [
        (date(2025, 10, 1), False, "National Day", False, "chinese_calendar"),
        (date(2025, 10, 8), False, "National Day", False, "chinese_calendar"),
        (date(2025, 9, 28), True, "National Day", True, "chinese_calendar"),  # 调休 Sunday
        (date(2025, 10, 11), True, "National Day", True, "chinese_calendar"),  # 调休 Saturday
        (date(2026, 2, 14), True, "Spring Festival", True, "chinese_calendar"),
        (date(2025, 11, 22), False, None, False, "chinese_calendar"),  # plain Saturday
        (date(2025, 11, 24), True, None, False, "chinese_calendar"),
        # beyond the package's data: statutory holidays computed, weekends off
        (date(2027, 1, 1), False, "New Year's Day", False, "statutory_only"),
        (date(2027, 1, 2), False, None, False, "statutory_only"),
        (date(2027, 1, 4), True, None, False, "statutory_only"),
        (date(2027, 10, 1), False, "National Day", False, "statutory_only"),
        (date(1999, 10, 1), False, "National Day", False, "statutory_only"),
    ],
)
def test_day_info(
    day: date, workday: bool, holiday_name: str | None, makeup: bool, source: str
) -> None:
    info = WORKDAYS.day_info(day)
    assert info.is_workday is workday
    assert info.holiday_name == holiday_name
    assert info.is_makeup_workday is makeup
    assert info.source == source
    assert WORKDAYS.is_workday(day) is workday


def test_public_holiday_flag() -> None:
    assert WORKDAYS.day_info(date(2025, 10, 1)).is_public_holiday
    assert not WORKDAYS.day_info(date(2025, 10, 11)).is_public_holiday


@pytest.mark.parametrize(
    ("day", "after", "before"),
    [
        (date(2025, 10, 1), date(2025, 10, 9), date(2025, 9, 30)),
        (date(2025, 10, 11), date(2025, 10, 11), date(2025, 10, 11)),
        (date(2025, 11, 22), date(2025, 11, 24), date(2025, 11, 21)),
    ],
)
def test_next_and_previous_workday(day: date, after: date, before: date) -> None:
    assert WORKDAYS.next_workday(day) == after
    assert WORKDAYS.previous_workday(day) == before


def test_every_shipped_calendar_section_says_whether_it_is_verified() -> None:
    import tomllib
    from importlib import resources

    folder = resources.files("content.calendars")
    files = [f for f in folder.iterdir() if f.name.endswith(".toml")]
    assert len(files) >= 5
    for item in files:
        doc = tomllib.loads(item.read_text("utf-8"))
        for section, values in doc.items():
            if isinstance(values, dict):
                assert "verified" in values and values.get("source"), (item.name, section)


def test_data_gaps_list_unverified_and_national_defaults() -> None:
    from bot.core_data import load_calendars
    from reminders.calendars import data_gaps

    gaps = {(g.region, g.section): g.problem for g in data_gaps(load_calendars(), ["420000", "x"])}
    assert gaps[("420000", "insurance")] == "national_default"  # Hubei sets no window
    assert gaps[("420000", "school_primary")] == "national_default"
    assert ("420000", "residence_permit") not in gaps  # the national rule is verified
    assert gaps[("x", "*")] == "missing"


# Spring Festival (lunar 1/1), Qingming (solar term), Dragon Boat (5/5), Mid-Autumn (8/15)
HOLIDAY_YEARS = {
    2026: [date(2026, 2, 17), date(2026, 4, 5), date(2026, 6, 19), date(2026, 9, 25)],
    2027: [date(2027, 2, 6), date(2027, 4, 5), date(2027, 6, 9), date(2027, 9, 15)],
    2028: [date(2028, 1, 26), date(2028, 4, 4), date(2028, 5, 28), date(2028, 10, 3)],
    2029: [date(2029, 2, 13), date(2029, 4, 4), date(2029, 6, 16), date(2029, 9, 22)],
    2030: [date(2030, 2, 3), date(2030, 4, 5), date(2030, 6, 5), date(2030, 9, 12)],
}


@pytest.mark.parametrize("year", sorted(HOLIDAY_YEARS))
def test_statutory_holidays_for_any_year(year: int) -> None:
    from reminders.workdays import statutory_holidays

    days = statutory_holidays(year)
    for fixed in (date(year, 1, 1), date(year, 5, 1), date(year, 10, 1), date(year, 10, 3)):
        assert fixed in days and not WORKDAYS.is_workday(fixed)
    for lunar in HOLIDAY_YEARS[year]:
        assert lunar in days, lunar
        assert not WORKDAYS.is_workday(lunar)
    assert not any("observed" in n or "Day off" in n for n in days.values())
    assert WORKDAYS.arrangement_missing(year) is (year > 2026)


def test_an_arrangement_in_the_data_adds_days_off_and_makeup_workdays() -> None:
    from reminders.workdays import arrangements_from_mapping

    found = arrangements_from_mapping(
        {"years": [{"year": 2027, "days_off": ["2027-02-09"], "workdays": ["2027-02-14"]}]}
    )
    assert found[2027].days_off == {date(2027, 2, 9)}
    with pytest.raises(ValueError, match="not in that year"):
        arrangements_from_mapping({"years": [{"year": 2027, "days_off": ["2028-01-01"]}]})
