"""Due doses from the published schedule (DOMAIN.md), as tables."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core_data import load_schedule
from content.dates import add_months
from reminders.immunization import DueRules, due_doses, plan_doses, vaccines_report
from reminders.schedule import Schedule, ScheduleError

SCHEDULE = load_schedule()
ALL_CODES = sorted({e.code for ed in SCHEDULE.editions for e in ed.entries})


def by_code(doses: list) -> dict:
    return {d.code: d for d in doses}


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 12, 15), 2, date(2026, 2, 15)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("as_of", "edition"),
    [
        (date(2019, 6, 1), "nip-2021"),  # before the first edition: the first one
        (date(2024, 12, 31), "nip-2021"),
        (date(2025, 1, 1), "nip-2025-dtap"),
        (date(2025, 12, 31), "nip-2025-dtap"),
        (date(2026, 6, 16), "nip-2025-dtap"),
        (date(2026, 6, 17), "nip-2026"),  # 国疾控卫免发〔2026〕16号, issued 2026-06-17
    ],
)
def test_edition_in_force(as_of: date, edition: str) -> None:
    assert SCHEDULE.in_force(as_of).id == edition


@pytest.mark.parametrize(
    ("birth", "as_of", "code", "due", "status"),
    [
        # born on a month end: 1 month = last day of February
        (date(2025, 1, 31), date(2025, 2, 28), "HepB2", date(2025, 2, 28), "due"),
        (date(2024, 1, 31), date(2024, 2, 20), "HepB2", date(2024, 2, 29), "upcoming"),
        # leap day birth: the 2-year JE-L2 falls on 28 February
        (date(2024, 2, 29), date(2026, 2, 28), "JE-L2", date(2026, 2, 28), "due"),
        # DTaP under the 2025 rules: 2, 4, 6, 18 months, 6 years
        (date(2025, 3, 10), date(2025, 5, 10), "DTaP1", date(2025, 5, 10), "due"),
        (date(2025, 3, 10), date(2025, 7, 10), "DTaP1", date(2025, 5, 10), "overdue"),
        (date(2025, 3, 10), date(2025, 6, 20), "IPV2", date(2025, 6, 10), "due"),
        # birth doses
        (date(2026, 3, 1), date(2026, 3, 1), "BCG", date(2026, 3, 1), "due"),
        (date(2026, 3, 1), date(2026, 3, 1), "HepB1", date(2026, 3, 1), "due"),
        # 6 years: DTaP5 and MPSV-AC2
        (date(2019, 11, 30), date(2025, 11, 30), "DTaP5", date(2025, 11, 30), "due"),
    ],
)
def test_due_date_and_status(birth: date, as_of: date, code: str, due: date, status: str) -> None:
    everything_before = [
        e.code for e in SCHEDULE.in_force(as_of).entries if e.due_date(birth) < due
    ]
    doses = by_code(due_doses(birth, "m", everything_before, as_of, schedule=SCHEDULE))
    assert doses[code].due_date == due
    assert doses[code].status == status


def test_dtap_change_child_born_before_the_edition() -> None:
    birth = date(2024, 10, 15)
    # 2021 edition in force: DTaP1 at 3 months (2025-01-15), IPV1 at 2 months
    before = by_code(
        due_doses(birth, "m", ["HepB1", "BCG", "HepB2"], date(2024, 12, 20), schedule=SCHEDULE)
    )
    assert before["IPV1"].status == "due"
    assert before["DTaP1"].due_date == date(2025, 1, 15)
    assert before["DTaP1"].status == "upcoming"
    # from 2025-01-01 the new edition decides: DTaP1 at 2 months, already due
    after = by_code(
        due_doses(birth, "m", ["HepB1", "BCG", "HepB2"], date(2025, 1, 2), schedule=SCHEDULE)
    )
    assert after["DTaP1"].due_date == date(2024, 12, 15)
    assert after["DTaP1"].status == "due"


def test_dtap3_due_at_5_months_under_2021_and_6_months_after() -> None:
    birth = date(2024, 1, 10)
    done = ["HepB1", "BCG", "HepB2", "IPV1", "IPV2", "DTaP1", "bOPV1", "DTaP2"]
    old = by_code(due_doses(birth, "m", done, date(2024, 6, 10), schedule=SCHEDULE))
    assert old["DTaP3"].due_date == date(2024, 6, 10)
    born_after = by_code(
        due_doses(date(2025, 1, 10), "m", done, date(2025, 7, 10), schedule=SCHEDULE)
    )
    assert born_after["DTaP3"].due_date == date(2025, 7, 10)


def test_dt_given_under_2021_counts_as_dtap5() -> None:
    birth = date(2019, 3, 1)
    first_four = ["DTaP1", "DTaP2", "DTaP3", "DTaP4"]
    doses = by_code(
        due_doses(birth, "f", [*first_four, "DT"], date(2025, 4, 10), schedule=SCHEDULE)
    )
    assert "DTaP5" not in doses
    doses = by_code(due_doses(birth, "f", first_four, date(2025, 4, 10), schedule=SCHEDULE))
    assert doses["DTaP5"].status == "overdue"


@pytest.mark.parametrize(("sex", "listed"), [("f", True), ("F", True), ("m", False), (None, False)])
def test_hpv_only_for_girls_from_13(sex: str | None, listed: bool) -> None:
    birth = date(2013, 2, 1)
    doses = by_code(due_doses(birth, sex, [], date(2026, 2, 1), schedule=SCHEDULE))
    assert ("HPV1" in doses) is listed
    if listed:
        assert doses["HPV1"].due_date == date(2026, 2, 1)
        assert doses["HPV1"].status == "due"
        assert "HPV2" not in doses  # six months later, beyond the horizon


def test_hpv_second_dose_six_months_after_the_first() -> None:
    birth = date(2013, 1, 1)
    plan = plan_doses(birth, "f", {"HPV1": date(2026, 3, 20)}, date(2026, 7, 1), schedule=SCHEDULE)
    doses = {d.code: d for d in plan.doses}
    assert doses["HPV2"].due_date == date(2026, 7, 1)
    assert doses["HPV2"].earliest_allowed == date(2026, 9, 20)
    assert doses["HPV2"].status == "upcoming"


def test_hpv_not_in_the_2025_edition() -> None:
    assert "HPV1" not in by_code(
        due_doses(date(2012, 2, 1), "f", [], date(2025, 3, 1), schedule=SCHEDULE)
    )


def test_catch_up_for_a_three_year_old_with_no_records() -> None:
    birth = date(2023, 1, 10)
    as_of = date(2026, 1, 20)
    plan = plan_doses(birth, "m", [], as_of, schedule=SCHEDULE)
    doses = {d.code: d for d in plan.doses}
    first_doses = ["HepB1", "BCG", "IPV1", "DTaP1", "MPSV-AC1", "MMR1", "JE-L1", "HepA-L"]
    for code in first_doses:
        assert doses[code].status == "overdue", code
        assert doses[code].catch_up
        assert doses[code].batch == 1
    assert doses["BCG"].precondition == "ppd"
    # later doses wait for the interval from a dose not yet given
    assert doses["HepB2"].earliest_allowed == date(2026, 2, 17)  # HepB1 today + 28 days
    assert doses["HepB3"].earliest_allowed == date(2026, 4, 18)  # HepB2 + 60 days
    assert doses["DTaP4"].earliest_allowed == add_months(date(2026, 3, 17), 6)
    assert all(d.catch_up for d in doses.values() if d.earliest_allowed < date(2027, 1, 10))
    # from 24 months no MPSV-A; HPV not for boys
    assert not {"MPSV-A1", "MPSV-A2", "HPV1"} & set(doses)


def test_no_catch_up_at_18_and_bcg_limit_4() -> None:
    assert due_doses(date(2005, 1, 1), "f", [], date(2023, 1, 1), schedule=SCHEDULE) == []
    assert "BCG" in by_code(
        due_doses(date(2022, 1, 2), "m", [], date(2026, 1, 1), schedule=SCHEDULE)
    )
    assert "BCG" not in by_code(
        due_doses(date(2022, 1, 1), "m", [], date(2026, 1, 1), schedule=SCHEDULE)
    )


def test_live_injectables_28_days_apart_mmr_and_je() -> None:
    birth = date(2025, 1, 5)
    base = [
        "HepB1",
        "BCG",
        "HepB2",
        "IPV1",
        "DTaP1",
        "IPV2",
        "bOPV1",
        "DTaP2",
        "HepB3",
        "DTaP3",
        "MPSV-A1",
    ]
    given = {code: None for code in base} | {"MMR1": date(2025, 9, 10)}
    doses = by_code(due_doses(birth, "m", given, date(2025, 9, 20), schedule=SCHEDULE))
    assert doses["JE-L1"].earliest_allowed == date(2025, 10, 8)  # MMR1 + 28 days
    assert doses["JE-L1"].status == "upcoming"
    # the same day is fine
    same_day = by_code(due_doses(birth, "m", given, date(2025, 9, 10), schedule=SCHEDULE))
    assert same_day["JE-L1"].earliest_allowed == date(2025, 9, 5)
    assert same_day["JE-L1"].status == "due"
    # a non-live vaccine is not held back
    assert doses["MPSV-A2"].earliest_allowed == doses["MPSV-A2"].due_date == date(2025, 10, 5)


def test_minimum_interval_from_recorded_date() -> None:
    birth = date(2025, 5, 1)
    doses = by_code(
        due_doses(
            birth,
            "m",
            {"HepB1": date(2025, 5, 1), "BCG": None, "HepB2": date(2025, 6, 20)},
            date(2025, 11, 1),
            schedule=SCHEDULE,
        )
    )
    assert doses["HepB3"].due_date == date(2025, 11, 1)
    assert doses["HepB3"].earliest_allowed == date(2025, 11, 1)  # 2025-06-20 + 60 < due
    late = by_code(
        due_doses(
            birth,
            "m",
            {"HepB1": None, "BCG": None, "HepB2": date(2025, 10, 1)},
            date(2025, 11, 1),
            schedule=SCHEDULE,
        )
    )
    assert late["HepB3"].earliest_allowed == date(2025, 11, 30)


@pytest.mark.parametrize("given", ["DTaP2", "dtap2", "DTaP 2", "DTAP-2"])
def test_given_codes_match_loosely(given: str) -> None:
    doses = by_code(
        due_doses(date(2025, 3, 10), "m", [given], date(2025, 7, 10), schedule=SCHEDULE)
    )
    assert "DTaP2" not in doses
    assert "DTaP1" in doses


def test_rules_are_parameters() -> None:
    birth = date(2025, 3, 10)
    narrow = by_code(
        due_doses(
            birth,
            "m",
            ["HepB1", "BCG"],
            date(2025, 4, 1),
            rules=DueRules(upcoming_days=5, grace_months=1),
            schedule=SCHEDULE,
        )
    )
    assert "HepB2" not in narrow
    wide = by_code(
        due_doses(
            birth,
            "m",
            ["HepB1", "BCG"],
            date(2025, 4, 1),
            rules=DueRules(upcoming_days=60, grace_months=1),
            schedule=SCHEDULE,
        )
    )
    assert wide["HepB2"].status == "upcoming"
    assert wide["IPV1"].status == "upcoming"
    lenient = by_code(
        due_doses(
            birth,
            "m",
            ["HepB1", "BCG"],
            date(2025, 5, 20),
            rules=DueRules(grace_months=3),
            schedule=SCHEDULE,
        )
    )
    assert lenient["HepB2"].status == "due"


def test_vaccines_report_json_shape() -> None:
    report = vaccines_report("2025-03-10", "f", "HepB1,BCG,XYZ", "2025-04-05", schedule=SCHEDULE)
    assert report["edition"]["id"] == "nip-2025-dtap"
    assert [d["code"] for d in report["doses"]] == ["HepB2"]
    assert report["doses"][0]["due_date"] == "2025-04-10"
    assert report["doses"][0]["status"] == "upcoming"
    assert report["unknown_given"] == ["xyz"]


def test_schedule_from_mapping_for_db_editions() -> None:
    schedule = Schedule.from_editions(
        [
            {
                "id": "x",
                "effective_from": "2030-01-01",
                "entries": [{"code": "A1", "vaccine": "A", "dose": 1, "months": 2}],
            },
        ]
    )
    doses = due_doses(date(2030, 1, 1), None, [], date(2030, 3, 1), schedule)
    assert [(d.code, d.status) for d in doses] == [("A1", "due")]
    with pytest.raises(ScheduleError):
        Schedule.from_editions(
            [{"id": "x", "effective_from": "2030-01-01", "entries": [{"code": "A1", "dose": 1}]}]
        )
    with pytest.raises(ScheduleError):
        Schedule.from_editions([])


@settings(max_examples=300, deadline=None)
@given(
    birth=st.dates(date(2005, 1, 1), date(2026, 12, 31)),
    age_days=st.integers(0, 19 * 366),
    sex=st.sampled_from(["f", "m", None, "x", ""]),
    given_codes=st.lists(st.sampled_from([*ALL_CODES, "nonsense"]), max_size=12),
    given_dates=st.lists(st.none() | st.dates(date(2005, 1, 1), date(2045, 1, 1)), max_size=12),
)
def test_never_raises_never_returns_a_given_dose(
    birth: date,
    age_days: int,
    sex: str | None,
    given_codes: list[str],
    given_dates: list[date | None],
) -> None:
    from datetime import timedelta

    as_of = birth + timedelta(days=age_days)
    records = dict(zip(given_codes, given_dates + [None] * len(given_codes), strict=False))
    doses = due_doses(birth, sex, records, as_of, schedule=SCHEDULE)
    listed = {d.code for d in doses}
    assert not listed & set(given_codes)
    for dose in doses:
        assert dose.earliest_allowed >= dose.due_date or dose.code == "MPSV-AC1"
        assert dose.status in {"due", "upcoming", "overdue"}
        assert (dose.status == "upcoming") == (dose.earliest_allowed > as_of)


@pytest.mark.parametrize(
    "entries",
    [
        [{"code": "A1", "vaccine": "A", "dose": 1}, {"code": "a-1", "vaccine": "A", "dose": 2}],
        [{"code": "A2", "vaccine": "A", "dose": 2, "after": "Z9"}],
        [{"code": "A1", "vaccine": "A", "dose": 1, "sex": "girl"}],
    ],
)
def test_schedule_rejects_bad_entries(entries: list[dict]) -> None:
    with pytest.raises(ScheduleError):
        Schedule.from_editions([{"id": "x", "effective_from": "2030-01-01", "entries": entries}])


def test_shipped_editions_are_marked_unverified_where_unchecked() -> None:
    assert all(not ed.verified for ed in SCHEDULE.editions)
    hpv = SCHEDULE.in_force(date(2026, 6, 1)).entry("HPV2")
    assert hpv is not None and hpv.sex == "f" and hpv.verified is False
    assert hpv.due_date(date(2013, 1, 31)) == date(2026, 7, 31)
