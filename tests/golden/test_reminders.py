"""Golden transcripts of a guardian's replies to a reminder (tests/golden/reminders/*.json).

The pure engine with every flow: each scenario queues a reminder (rendered from the catalog,
as the guardian reads it) and replays the replies. `pytest --update-goldens` rewrites them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from bot.core_data import load_schedule
from content.catalog import Catalog
from dialogs.types import ChildRef, Role
from reminders.digest import DueItem, catch_up_item, first_batch
from reminders.immunization import plan_doses
from tests.golden.harness import NOW, check, demo_person, due_item, orphans, run_pure

TODAY = NOW.date()
ZHANG = demo_person("guardian_zhang", Role.GUARDIAN, 11)
LIU = demo_person("guardian_liu", Role.GUARDIAN, 12)
HE = demo_person("guardian_he", Role.GUARDIAN, 14)
ZHANG_KIDS = (ChildRef(1, "A01", "张小明"), ChildRef(2, "A02", "张小红"))


def vaccine(child: int, name: str, code: str, stage: str, days: int, *dose: Any) -> dict[str, Any]:
    """A vaccine item due `days` from today; `dose`: series, dose number, age in months."""
    series, number, months = dose
    when = TODAY + timedelta(days=days)
    return due_item(
        child, name, "vaccine", code, stage, when, vaccine=series, dose=number, age_months=months
    )


DTAP4 = vaccine(1, "小明", "DTaP4", "due", 0, "DTaP", 4, 18)
MMR2 = vaccine(1, "小明", "MMR2", "before", 5, "MMR", 2, 72)
INSURANCE = due_item(2, "小红", "insurance", "2026", "before", date(2026, 3, 31))
ANAN_HEPA = vaccine(3, "安安", "HepA-L1", "overdue", -20, "HepA-L", None, 18)
SISI_BCG = vaccine(7, "思思", "BCG", "overdue", -40, "BCG", None, 0)


def catch_up(birth: date, sex: str) -> DueItem:
    """The real first catch-up batch of a child with no record at all (as planned today)."""
    plan = plan_doses(birth, sex, {}, TODAY, load_schedule())
    return catch_up_item(2, "小红", first_batch(plan, TODAY), plan.edition, TODAY)


def too_large_to_name() -> dict[str, Any]:
    """A batch twice the real one: more doses than one message names (none is planned today)."""
    real = catch_up(date(2012, 6, 1), "f")
    names = real.dose_names * 2
    codes = tuple(f"X{i}" for i in range(len(names)))
    return DueItem(
        2, "小红", "vaccine", "catchup:x", "catchup", TODAY, doses=codes, dose_names=names
    ).to_json()


# name -> (guardian, scenario steps)
SCENARIOS: dict[str, tuple[Any, list[dict[str, Any]]]] = {
    "confirm_one": (
        ZHANG,
        [{"reminder": [DTAP4]}, {"text": "1"}, {"text": "1"}],
    ),
    "confirm_one_child_of_two": (
        ZHANG,
        [{"reminder": [DTAP4, INSURANCE]}, {"text": "1 小明"}, {"text": "已参保"}],
    ),
    "confirm_too_early": (
        ZHANG,
        [{"reminder": [MMR2]}, {"text": "1"}, {"text": "2"}],
    ),
    "route_two": (
        ZHANG,
        [{"reminder": [DTAP4]}, {"text": "2"}, {"reminder": [INSURANCE]}, {"text": "在哪里交？"}],
    ),
    "opt_out": (
        ZHANG,
        [
            {"reminder": [DTAP4]},
            {"text": "退订"},
            {"text": "订阅"},
            {"reminder": [DTAP4]},
            {"text": "T"},
            {"text": "是", "extra": {"opted_out": True}},
        ],
    ),
    "unrecognised": (
        ZHANG,
        [
            {"reminder": [DTAP4]},
            {"text": "明天下雨"},
            {"text": "下周带他去", "extra": {"screened": True}},
            {"text": "打了"},
        ],
    ),
    "catch_up_named_doses": (
        ZHANG,
        [{"reminder": [catch_up(date(2012, 6, 1), "f").to_json()]}, {"text": "1"}],
    ),
    "catch_up_too_large": (
        ZHANG,
        [{"reminder": [too_large_to_name()]}, {"text": "已接种"}, {"text": "1"}],
    ),
    "zh_hant_confirm_and_route": (
        LIU,
        [
            {"reminder": [ANAN_HEPA]},
            {"text": "還沒打，去哪裡打？"},
            {"reminder": [ANAN_HEPA]},
            {"text": "已接種"},
        ],
    ),
    "en_replies": (
        HE,
        [
            {"reminder": [SISI_BCG]},
            {"text": "ok see you"},
            {"text": "done"},
            {"reminder": [SISI_BCG]},
            {"text": "what is this"},
            {"reminder": [SISI_BCG]},
            {"text": "STOP"},
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_reminder_reply_matches_golden(
    name: str, catalog: Catalog, request: pytest.FixtureRequest
) -> None:
    person, steps = SCENARIOS[name]
    children = ZHANG_KIDS if person is ZHANG else ()
    check("reminders", name, run_pure(steps, catalog, person, children), request)


def test_every_reminder_golden_file_has_a_scenario() -> None:
    assert not orphans("reminders", list(SCENARIOS))
