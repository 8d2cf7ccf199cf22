"""Visit cadence by region and risk (issue 11 item 7): tables of cases over the shipped data."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.core_data import load_visit_rules
from dialogs.visits.clock import (
    DEFAULT,
    VisitClock,
    VisitFact,
    VisitRules,
    after_visit,
    dues,
    fold_visits,
)

HUBEI, JILIN, BEIJING = "420102", "220104", "110101"
D = date(2026, 3, 10)


@pytest.fixture(scope="module")
def rules() -> VisitRules:
    return load_visit_rules()


def v(day: date, kind: str = "home", assessment: str = "good", **answers: Any) -> VisitFact:
    flags = tuple(answers.pop("flags", ()))
    return VisitFact(day, kind, assessment, answers, flags)


def clock(region: str | None, *visits: VisitFact, key: bool = False) -> VisitClock:
    return fold_visits(VisitClock(region_code=region, is_key_child=key), visits, load_visit_rules())


def test_every_rule_cites_its_source(rules: VisitRules) -> None:
    for rule in rules.regions.values():
        assert rule.source and rule.key_source
    assert all(r.source for r in rules.risks)
    assert rules.followup_source and rules.info_source
    # the numbers the seeds do not give are marked unverified
    assert not rules.regions["42"].key_verified and not rules.regions["22"].key_verified
    assert not rules.regions[DEFAULT].verified
    assert rules.regions["42"].verified and rules.regions["22"].verified


@pytest.mark.parametrize(
    ("region", "expected"),
    [("420102", "42"), ("420000", "42"), ("220104", "22"), ("110101", DEFAULT), (None, DEFAULT),
     ("", DEFAULT), ("nonsense", DEFAULT)],
)  # fmt: skip
def test_region_lookup(rules: VisitRules, region: str | None, expected: str) -> None:
    assert rules.rule_for(region).region == expected


# (region, visits, key child) -> home due, contact due, what is most pressing
CASES: list[tuple[str, str | None, tuple[VisitFact, ...], bool, date | None, date | None, str]] = [
    ("hubei home good", HUBEI, (v(D),), False, date(2026, 6, 10), date(2026, 4, 10), "contact"),
    ("hubei home poor: still 3 months", HUBEI, (v(D, assessment="poor"),), False,
     date(2026, 6, 10), date(2026, 4, 10), "contact"),
    ("hubei phone after home: home clock kept", HUBEI,
     (v(D), v(date(2026, 4, 8), "contact")), False, date(2026, 6, 10), date(2026, 5, 8), "contact"),
    ("hubei met elsewhere counts as contact only", HUBEI,
     (v(D), v(date(2026, 4, 8), "elsewhere")), False, date(2026, 6, 10), date(2026, 5, 8),
     "contact"),
    ("hubei phone only: home visit due since the call", HUBEI, (v(D, "contact"),), False,
     D, date(2026, 4, 10), "home"),
    ("hubei key child", HUBEI, (v(D),), True, date(2026, 4, 10), date(2026, 3, 24), "contact"),
    ("jilin good", JILIN, (v(D),), False, date(2026, 6, 10), None, "home"),
    ("jilin average", JILIN, (v(D, assessment="average"),), False, date(2026, 4, 10), None,
     "home"),
    ("jilin poor", JILIN, (v(D, assessment="poor"),), False, date(2026, 3, 24), None, "home"),
    ("jilin phone does not reset the home clock", JILIN,
     (v(D), v(date(2026, 5, 1), "contact")), False, date(2026, 6, 10), None, "home"),
    ("jilin key child", JILIN, (v(D),), True, date(2026, 3, 24), None, "home"),
    ("default as before (Jilin numbers)", BEIJING, (v(D, assessment="average"),), False,
     date(2026, 4, 10), None, "home"),
    ("month end clamps", JILIN, (v(date(2026, 1, 31), assessment="average"),), False,
     date(2026, 2, 28), None, "home"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("region", "visits", "key", "home", "contact", "what"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_home_and_contact_counted_apart(
    region: str | None,
    visits: tuple[VisitFact, ...],
    key: bool,
    home: date | None,
    contact: date | None,
    what: str,
    rules: VisitRules,
) -> None:
    due = dues(clock(region, *visits, key=key), rules)
    assert (due.home, due.contact, due.what) == (home, contact, what)


def test_never_visited_has_nothing_due_yet(rules: VisitRules) -> None:
    due = dues(VisitClock(region_code=HUBEI), rules)
    assert due.next_visit is None and due.home_never


RISKS = [
    ("disability", {"health": "disabled"}),
    ("dropout", {"school": "out"}),
    ("dropout", {"school": "risk"}),
    ("psychological", {"mental": "concern"}),
    ("psychological", {"mental": "self_harm"}),
    ("no_hukou", {"hukou": "none"}),
    ("carer_unable", {"care": "entrusted_unable"}),
]


@pytest.mark.parametrize(("risk", "answers"), RISKS)
@pytest.mark.parametrize(
    ("region", "home", "contact"),
    [(HUBEI, date(2026, 4, 10), date(2026, 3, 24)), (JILIN, date(2026, 3, 24), None)],
)
def test_a_risk_factor_raises_to_the_key_child_cadence(
    risk: str,
    answers: dict[str, str],
    region: str,
    home: date,
    contact: date | None,
    rules: VisitRules,
) -> None:
    c = clock(region, v(D, **answers))
    assert c.risks == (risk,)
    due = dues(c, rules)
    assert due.key_cadence and (due.home, due.contact) == (home, contact)


def test_a_risk_stays_until_a_later_visit_answers_otherwise(rules: VisitRules) -> None:
    found = clock(JILIN, v(D, health="disabled"))
    skipped = after_visit(found, v(date(2026, 3, 20), health="skip"), rules)
    assert skipped.risks == ("disability",)
    by_phone = after_visit(skipped, v(date(2026, 3, 22), "contact"), rules)
    assert by_phone.risks == ("disability",)  # a call that did not ask keeps it
    cleared = after_visit(by_phone, v(date(2026, 4, 1), health="healthy"), rules)
    assert cleared.risks == () and not dues(cleared, rules).key_cadence
    # an older visit reported late never overrides a newer finding
    late = after_visit(found, v(date(2026, 3, 1), health="healthy"), rules)
    assert late.risks == ("disability",) and late.last_home == D


@pytest.mark.parametrize("flag", ["injury_signs", "living_alone", "no_carer", "self_harm_risk"])
def test_a_critical_flag_asks_for_a_follow_up_within_48_hours(flag: str, rules: VisitRules) -> None:
    c = clock(JILIN, v(D, flags=[flag]))
    due = dues(c, rules)
    assert due.followup == date(2026, 3, 12) and due.what == "followup"
    assert due.next_visit == date(2026, 3, 12)
    done = after_visit(c, v(date(2026, 3, 11), "contact"), rules)
    assert dues(done, rules).followup is None


def test_a_medium_flag_asks_no_follow_up(rules: VisitRules) -> None:
    assert dues(clock(JILIN, v(D, flags=["home_hazard"])), rules).followup is None


def test_an_old_critical_visit_reported_late_with_later_contacts(rules: VisitRules) -> None:
    c = clock(JILIN, v(D), v(date(2026, 3, 1), flags=["no_carer"]))
    assert c.followup_due is None  # the visit of 03-10 came after it
    c2 = after_visit(clock(JILIN, v(D)), v(date(2026, 3, 1), flags=["no_carer"]), rules)
    assert c2.followup_due is None


def test_info_refresh_six_months(rules: VisitRules) -> None:
    due = dues(VisitClock(info_updated_on=date(2026, 1, 31)), rules)
    assert due.info == date(2026, 7, 31)
    assert dues(VisitClock(), rules).info is None


def test_critical_flags_match_the_hotline_severities(rules: VisitRules) -> None:
    from bot.visits.danger import FLAG_SEVERITY

    assert rules.critical_flags == {f for f, s in FLAG_SEVERITY.items() if s == "critical"}


def test_risk_answers_are_visit_options(rules: VisitRules) -> None:
    from dialogs.visits.questions import CHOICE_QUESTIONS

    for risk in rules.risks:
        options = {o.value for o in CHOICE_QUESTIONS[risk.question].options}
        assert risk.values <= options, risk.name


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({}, "default"),
        ({"default": {"home": {"good": {"months": 3}}, "key_child": {"home": {"weeks": 2}},
                      "source": "x"}}, "average"),
        ({"default": {"home": {lv: {"months": 1} for lv in ("good", "average", "poor")},
                      "key_child": {"home": {"weeks": 2}}}}, "source"),
        ({"default": {"home": {lv: {"months": 0} for lv in ("good", "average", "poor")},
                      "key_child": {"home": {"weeks": 2}}, "source": "x"}}, "positive"),
    ],
)  # fmt: skip
def test_bad_data_is_refused(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        VisitRules.from_mapping(doc)
