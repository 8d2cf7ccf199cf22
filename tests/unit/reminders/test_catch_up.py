"""Catch-up plans by the NIP rules (../shared/IMMUNIZATION.md 1a-1c), as tables of cases."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core_data import load_dose_names, load_schedule
from content.dates import add_months
from reminders.dates import add_age
from reminders.dose_names import DoseNameError, parse_given
from reminders.immunization import DoseStatus, Plan, plan_doses, vaccines_report

SCHEDULE = load_schedule()
DOSE_NAMES = load_dose_names()
AS_OF = date(2026, 3, 2)  # nip-2025-dtap in force
ALL_CODES = sorted({e.code for ed in SCHEDULE.editions for e in ed.entries})
INFANT = ["HepB1", "BCG", "HepB2", "IPV1", "DTaP1", "IPV2", "bOPV1", "DTaP2", "HepB3", "DTaP3"]
INFANT += ["MPSV-A1", "MMR1", "JE-L1", "MPSV-A2", "DTaP4", "MMR2", "HepA-L", "JE-L2"]
UP_TO_4 = [*INFANT, "MPSV-AC1", "bOPV2"]
UP_TO_6 = [*UP_TO_4, "DTaP5", "MPSV-AC2"]


def plan(birth: date, sex: str | None, records: object, as_of: date = AS_OF) -> Plan:
    return plan_doses(birth, sex, records, as_of, schedule=SCHEDULE)  # type: ignore[arg-type]


def doses(p: Plan) -> dict[str, DoseStatus]:
    return {d.code: d for d in p.doses}


def batch(p: Plan, n: int) -> set[str]:
    return set(p.batches[n - 1].codes) if len(p.batches) >= n else set()


# --- the first clinic visit for a child registered late, by age and record -----------------
@pytest.mark.parametrize(
    ("birth", "sex", "records", "first", "absent"),
    [
        # the issue's 6-year-old with no record: every first dose now, not just DTaP5/MPSV-AC2
        (
            date(2020, 3, 1),
            "m",
            [],
            {"HepB1", "IPV1", "DTaP1", "MMR1", "JE-L1", "HepA-L", "MPSV-AC1"},
            {"BCG", "MPSV-A1", "MPSV-A2", "DTaP5", "MPSV-AC2", "HPV1"},
        ),
        # a newborn: the birth doses, nothing else
        (AS_OF, "f", [], {"HepB1", "BCG"}, {"HepB2"}),
        # 2 months, nothing given: birth doses and the 2-month doses together
        (date(2026, 1, 2), "m", [], {"HepB1", "BCG", "IPV1", "DTaP1"}, {"HepB2", "IPV2"}),
        # 2 years, infant record complete except JE-L2: only JE-L2
        (date(2024, 3, 2), "f", [c for c in INFANT if c != "JE-L2"], {"JE-L2"}, {"MPSV-AC1"}),
        # 10 years, nothing given: DT, never DTaP; no BCG, no MPSV-A
        (
            date(2016, 3, 1),
            "m",
            [],
            {"HepB1", "IPV1", "DT1", "MMR1", "JE-L1", "HepA-L", "MPSV-AC1"},
            {"DTaP1", "BCG", "MPSV-A1"},
        ),
        # 13-year-old girl born in the HPV cohort, complete to 6 years: HPV1 only
        (date(2012, 6, 1), "f", UP_TO_6, {"HPV1"}, {"HPV2"}),
        # the same record for a boy: nothing
        (date(2012, 6, 1), "m", UP_TO_6, set(), {"HPV1"}),
        # 5 years, complete to 4: nothing now
        (date(2021, 3, 1), "m", UP_TO_4, set(), {"DTaP5"}),
    ],
)
def test_first_batch(
    birth: date, sex: str, records: list[str], first: set[str], absent: set[str]
) -> None:
    p = plan(birth, sex, records)
    today = {d.code for d in p.doses if d.planned_on == AS_OF}
    assert today == (batch(p, 1) if first else set())
    assert today >= first
    assert not absent & today
    for code in first:
        assert doses(p)[code].status in {"due", "overdue"}
        assert doses(p)[code].planned_on == AS_OF


def test_six_year_old_plan_runs_every_series_with_its_intervals() -> None:
    p = plan(date(2020, 3, 1), "m", [])
    d = doses(p)
    assert [b.day for b in p.batches] == sorted(b.day for b in p.batches)
    assert d["HepB2"].planned_on == AS_OF + timedelta(days=28)
    assert d["HepB3"].planned_on == d["HepB2"].planned_on + timedelta(days=60)
    assert d["IPV2"].planned_on == AS_OF + timedelta(days=28)
    assert d["bOPV1"].planned_on == AS_OF + timedelta(days=56)
    assert d["bOPV2"].planned_on == AS_OF + timedelta(days=84)  # 4 polio doses from 4 years
    assert d["DTaP4"].planned_on == add_months(d["DTaP3"].planned_on or AS_OF, 6)
    # DTaP5 never with DTaP1: 12 months after DTaP4, as DT once the child is 7
    dt5 = d["DT5"]
    assert dt5.vaccine == "DT" and dt5.planned_on == add_months(d["DTaP4"].planned_on or AS_OF, 12)
    assert "DTaP5" not in d
    assert d["MMR2"].planned_on == AS_OF + timedelta(days=28)
    assert d["JE-L2"].planned_on == add_months(AS_OF, 12)
    assert d["MPSV-AC2"].planned_on == add_months(AS_OF, 36)
    assert {n.code: n.reason for n in p.not_given} == {
        "BCG": "age_limit",
        "MPSV-A1": "age_limit",
        "MPSV-A2": "after_missing",
    }


# --- DTaP / DT ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("birth", "records", "expected"),
    [
        # 8 years, nothing: three DT doses 28 days apart, then complete ([U] for < 3 doses)
        (date(2018, 1, 1), [], {"DT1": 0, "DT2": 28, "DT3": 56}),
        # 8 years, 3 DTaP: one DT >= 6 months after dose 3 completes the series
        (
            date(2018, 1, 1),
            {"DTaP1": None, "DTaP2": None, "DTaP3": date(2025, 12, 1)},
            {"DT4": 91},
        ),
        # 8 years, 4 DTaP: one DT >= 12 months after dose 4
        (
            date(2018, 1, 1),
            {**dict.fromkeys(["DTaP1", "DTaP2", "DTaP3"]), "DTaP4": date(2025, 9, 1)},
            {"DT5": 183},
        ),
        # a DT recorded as the first dose of the series counts as that dose
        (date(2018, 1, 1), {"DT1": date(2026, 2, 1)}, {"DT2": 0, "DT3": 28}),
        # 3 DTaP + 1 DT: complete
        (date(2018, 1, 1), ["DTaP1", "DTaP2", "DTaP3", "DT"], {}),
        # 5 years, late DTaP4 two months ago: DTaP5 at 6 years is still >= 12 months after it
        (
            date(2021, 3, 1),
            {**dict.fromkeys(["DTaP1", "DTaP2", "DTaP3"]), "DTaP4": date(2026, 1, 2)},
            {},
        ),
    ],
)
def test_dtap_and_dt(birth: date, records: object, expected: dict[str, int]) -> None:
    p = plan(birth, "m", records)
    series = {c: d for c, d in doses(p).items() if d.series == "DTaP"}
    got = {c: ((d.planned_on or AS_OF) - AS_OF).days for c, d in series.items()}
    if birth == date(2021, 3, 1):
        assert doses(p)["DTaP5"].earliest_allowed == date(2027, 3, 1)  # 6 years
        assert doses(p)["DTaP5"].vaccine == "DTaP"
        late = plan(
            birth, "m", {**dict.fromkeys(["DTaP1", "DTaP2", "DTaP3"]), "DTaP4": date(2026, 6, 1)}
        )
        assert doses(late)["DTaP5"].earliest_allowed == date(2027, 6, 1)  # DTaP4 + 12 months
        return
    assert got == expected
    assert all(d.vaccine == "DT" for d in series.values())


def test_dt_from_seven_is_unverified_and_ends_at_twelve() -> None:
    p = plan(date(2018, 1, 1), "m", [])
    assert not doses(p)["DT1"].verified
    teen = plan(date(2012, 1, 1), "m", [])  # 14: DT only for catch-up at 7-11 ([V1], data)
    assert not any(d.series == "DTaP" for d in teen.doses)
    assert ("DTaP1", "age_limit") in {(n.code, n.reason) for n in teen.not_given}


# --- MPSV-A / MPSV-AC -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("birth", "records", "ac1_on", "a2"),
    [
        # 30 months, no MPSV-A: MPSV-AC1 now, no MPSV-A
        (date(2023, 9, 2), [], AS_OF, False),
        # 30 months, one MPSV-A a month ago: MPSV-AC1 >= 3 months after it
        (date(2023, 9, 2), {"MPSV-A1": date(2026, 2, 2)}, date(2026, 5, 2), False),
        # 23 months, nothing: MPSV-A1 now; MPSV-A2 would fall after 24 months, so MPSV-AC1
        # >= 3 months after MPSV-A1
        (date(2024, 4, 2), [], date(2026, 6, 2), False),
        # 12 months, nothing: MPSV-A1 now, MPSV-A2 in 3 months, MPSV-AC1 at 3 years
        (date(2025, 3, 2), [], date(2028, 3, 2), True),
        # MPSV-A2 at 30 months (late): MPSV-AC1 >= 12 months after it
        (date(2021, 3, 2), {"MPSV-A1": None, "MPSV-A2": date(2023, 9, 2)}, date(2024, 9, 2), False),
    ],
)
def test_mpsv(birth: date, records: object, ac1_on: date, a2: bool) -> None:
    as_of = AS_OF if birth != date(2021, 3, 2) else date(2024, 3, 2)
    d = doses(plan(birth, "m", records, as_of))
    assert d["MPSV-AC1"].planned_on == ac1_on
    assert ("MPSV-A2" in d) is a2
    if a2:
        assert d["MPSV-A2"].planned_on == add_months(as_of, 3)
    assert d["MPSV-AC2"].planned_on == max(add_months(ac1_on, 36), add_age(birth, years=6))


# --- BCG, limits, statuses --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("age_months", "planned", "ppd"),
    [(0, True, False), (2, True, False), (3, True, True), (47, True, True), (48, False, False)],
)
def test_bcg_ppd_and_limit(age_months: int, planned: bool, ppd: bool) -> None:
    birth = add_months(AS_OF, -age_months)
    d = doses(plan(birth, "f", []))
    assert ("BCG" in d) is planned
    if planned:
        assert (d["BCG"].precondition == "ppd") is ppd


def test_nothing_on_or_after_the_18th_birthday() -> None:
    birth = date(2008, 6, 1)  # 17 years 9 months
    p = plan(birth, "m", [])
    eighteen = add_age(birth, years=18)
    assert p.doses
    assert all((d.planned_on or AS_OF) < eighteen for d in p.doses)
    assert "JE-L2" not in doses(p)  # 12 months after JE-L1 is after 18
    assert ("JE-L2", "age_limit") in {(n.code, n.reason) for n in p.not_given}
    assert plan(date(2008, 3, 2), "m", []).doses == ()  # 18 today


def test_nothing_overdue_before_it_may_be_given() -> None:
    # HepB1 given late (yesterday): HepB2 is upcoming for 28 days, never overdue before
    d = doses(plan(date(2025, 11, 1), "m", {"HepB1": date(2026, 3, 1), "BCG": None}))
    assert d["HepB2"].earliest_allowed == date(2026, 3, 29)
    assert d["HepB2"].status == "upcoming"
    assert d["HepB2"].catch_up


def test_alternatives_je_i_and_hepa_i_count() -> None:
    records: dict[str, date | None] = {
        c: None for c in INFANT if c not in ("JE-L1", "JE-L2", "HepA-L")
    }
    records |= {"JE-I1": date(2025, 3, 1), "JE-I2": date(2025, 3, 8), "HepA-I1": date(2025, 9, 2)}
    d = doses(plan(date(2024, 6, 1), "m", records))
    assert not {"JE-L1", "JE-L2", "HepA-L"} & set(d)
    assert d["JE-I3"].earliest_allowed == date(2026, 6, 1)  # 2 years
    assert d["HepA-I2"].earliest_allowed == date(2026, 6, 1)  # 2 years (> HepA-I1 + 6 months)
    late = doses(plan(date(2023, 6, 1), "m", records))
    assert late["HepA-I2"].earliest_allowed == date(2026, 3, 2)  # HepA-I1 + 6 months
    # one HepA-I then one HepA-L completes hepatitis A
    done = plan(date(2024, 6, 1), "m", records | {"HepA-L": date(2026, 3, 2)})
    assert not {"HepA-I2", "HepA-L"} & set(doses(done))
    # nothing recorded: the live vaccines are the default
    assert {"JE-L1", "HepA-L"} <= set(doses(plan(date(2024, 6, 1), "m", [])))


def test_live_injectables_on_different_days_are_28_days_apart() -> None:
    birth = date(2025, 1, 5)
    records = {c: None for c in INFANT[:11]} | {"MMR1": date(2025, 9, 10)}
    d = doses(plan(birth, "m", records, date(2025, 9, 20)))
    assert d["JE-L1"].earliest_allowed == date(2025, 10, 8)
    assert d["JE-L1"].status == "upcoming"
    same_day = doses(plan(birth, "m", records, date(2025, 9, 10)))
    assert same_day["JE-L1"].status == "due"  # the same day is fine


# --- HPV cohort -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("birth", "as_of", "status", "earliest"),
    [
        (date(2011, 11, 10), date(2025, 11, 10), "due", date(2025, 11, 10)),  # launch cohort, 14
        (date(2012, 6, 1), date(2025, 10, 1), "upcoming", date(2025, 11, 10)),  # programme start
        (date(2012, 6, 1), date(2026, 1, 20), "overdue", date(2025, 11, 10)),
        (date(2011, 11, 9), date(2025, 11, 10), None, None),  # born before: outside
        (date(2013, 2, 1), date(2026, 2, 1), "due", date(2026, 2, 1)),
        (date(2010, 1, 1), date(2026, 2, 1), None, None),
    ],
)
def test_hpv_cohort(birth: date, as_of: date, status: str | None, earliest: date | None) -> None:
    p = plan(birth, "f", UP_TO_6, as_of)
    d = doses(p)
    if status is None:
        assert "HPV1" not in d and "HPV2" not in d
        assert ("HPV1", "born_before") in {(n.code, n.reason) for n in p.not_given}
        return
    assert d["HPV1"].status == status
    assert d["HPV1"].earliest_allowed == earliest
    assert d["HPV2"].earliest_allowed == add_months(d["HPV1"].planned_on or as_of, 6)


def test_unknown_sex_warns_about_hpv() -> None:
    p = plan(date(2012, 6, 1), None, UP_TO_6)
    assert "HPV1" not in doses(p)
    assert any("HPV" in w for w in p.warnings)
    assert plan(date(2012, 6, 1), "f", UP_TO_6).warnings == ()


def test_birth_after_as_of_is_an_error() -> None:
    with pytest.raises(ValueError, match="after"):
        plan(date(2026, 3, 3), "f", [])


def test_complete_record_plans_nothing() -> None:
    assert plan(date(2012, 6, 1), "f", [*UP_TO_6, "HPV1", "HPV2"], date(2026, 12, 1)).doses == ()


# --- names and the report -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HepB1@2026-01-05,BCG", {"HepB1": date(2026, 1, 5), "BCG": None}),
        ("乙肝1", {"HepB1": None}),
        ("乙肝第1剂", {"HepB1": None}),
        ("乙肝第2针", {"HepB2": None}),
        ("卡介苗", {"BCG": None}),
        ("百白破3", {"DTaP3": None}),
        ("百白破第3剂、脊灰3，麻腮风1", {"DTaP3": None, "bOPV1": None, "MMR1": None}),
        ("白破", {"DT": None}),
        ("甲肝", {"HepA-L": None}),
        ("甲肝灭活1 乙脑灭活2", {"HepA-I1": None, "JE-I2": None}),
        ("流脑A群2,A群C群流脑1", {"MPSV-A2": None, "MPSV-AC1": None}),
        ("HPV第1剂@2026-01-09", {"HPV1": date(2026, 1, 9)}),
        ("", {}),
    ],
)
def test_dose_names(text: str, expected: dict[str, date | None]) -> None:
    assert parse_given(text, SCHEDULE, DOSE_NAMES, as_of=AS_OF) == expected


@pytest.mark.parametrize("text", ["xyz", "乙肝9", "乙肝", "HepB1@2026-13-01", "HepB1@2027-01-01"])
def test_bad_dose_names_are_errors(text: str) -> None:
    with pytest.raises(DoseNameError) as err:
        parse_given(text, SCHEDULE, DOSE_NAMES, as_of=AS_OF)
    if "@" not in text:
        assert "乙肝1" in str(err.value) and "HepB1" in str(err.value)


def test_report_keeps_doses_and_adds_batches() -> None:
    report = vaccines_report(
        "2020-03-01",
        "m",
        parse_given("乙肝1@2020-03-02", SCHEDULE, DOSE_NAMES),
        "2026-03-02",
        schedule=SCHEDULE,
    )
    first = report["doses"][0]
    assert set(first) >= {"code", "vaccine", "dose", "due_date", "earliest_allowed", "status"}
    assert report["batches"][0] == {
        "batch": 1,
        "date": "2026-03-02",
        "codes": [d["code"] for d in report["plan"] if d["batch"] == 1],
    }
    assert "HepB1" not in {d["code"] for d in report["plan"]}


# --- properties over any child --------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(
    birth=st.dates(date(2005, 1, 1), date(2026, 12, 31)),
    age_days=st.integers(0, 19 * 366),
    sex=st.sampled_from(["f", "m", None]),
    codes=st.lists(st.sampled_from(ALL_CODES), max_size=14, unique=True),
    dated=st.booleans(),
)
def test_plan_properties(
    birth: date, age_days: int, sex: str | None, codes: list[str], dated: bool
) -> None:
    as_of = birth + timedelta(days=age_days)
    records = {
        c: (min(as_of, birth + timedelta(days=30 * i)) if dated else None)
        for i, c in enumerate(codes)
    }
    p = plan_doses(birth, sex, records, as_of, schedule=SCHEDULE)
    eighteen = add_age(birth, years=18)
    edition = p.edition
    live_days: set[date] = set()
    for d in p.doses:
        assert d.code not in records
        assert d.planned_on is not None and d.planned_on >= as_of
        assert d.planned_on >= d.earliest_allowed
        assert d.planned_on < eighteen
        assert (d.status == "upcoming") == (d.earliest_allowed > as_of)
        assert d.status != "overdue" or d.earliest_allowed <= as_of
        entry = edition.entry(d.code)
        if entry is not None and entry.live_injectable:
            live_days.add(d.planned_on)
    ordered = sorted(live_days)
    assert all((b - a).days >= 28 for a, b in itertools.pairwise(ordered))
    assert [b.number for b in p.batches] == list(range(1, len(p.batches) + 1))
