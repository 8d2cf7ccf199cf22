"""The reminder texts in the catalog: complete, consistent, short."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from bot.core_data import load_schedule
from content.catalog import Catalog, placeholders
from content.segments import count_segments
from dialogs.render import render
from reminders.digest import DueItem, compose_guardian_digest
from tests.support.core import shipped_workdays
from tests.support.paths import CONTENT

CATALOG = Catalog.load()
WORKDAYS = shipped_workdays()
TABLE = CONTENT / "tables" / "reminders.tsv"
LOCALES = ("zh_Hans", "zh_Hant", "en")
ROWS = [
    r
    for r in csv.reader(TABLE.open(encoding="utf-8"), delimiter="\t")
    if r and not r[0].startswith("#")
]


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_table_rows_are_in_the_catalog_with_the_same_placeholders(row: list[str]) -> None:
    key, *texts = row
    assert len(texts) == 3
    assert len({frozenset(placeholders(t)) for t in texts}) == 1, key
    for locale, text in zip(LOCALES, texts, strict=True):
        assert CATALOG.base_template(key, locale) == text.replace("\\n", "\n")


def test_every_vaccine_in_every_edition_has_a_name() -> None:
    vaccines = {e.vaccine for ed in load_schedule().editions for e in ed.entries}
    for vaccine in vaccines:
        for locale in LOCALES:
            assert CATALOG.base_template(f"vaccine.{vaccine}", locale), (vaccine, locale)


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
@pytest.mark.parametrize("stage", ["before", "due", "overdue"])
def test_every_single_dose_reminder_fits_one_sms_segment(locale: str, stage: str) -> None:
    for edition in load_schedule().editions:
        for entry in edition.entries:
            item = DueItem(
                1,
                "王小明",
                "vaccine",
                entry.code,
                stage,
                date(2025, 12, 28),
                entry.vaccine,
                entry.dose,
                entry.age_months(),
            )
            reply = compose_guardian_digest([item], CATALOG, WORKDAYS)
            assert reply is not None
            sms = render(reply, CATALOG, locale, "numbered").text
            assert count_segments(sms).segments <= 1, sms


@pytest.mark.parametrize(
    "kind", ["insurance", "school_primary", "school_junior_middle", "residence_permit"]
)
@pytest.mark.parametrize("stage", ["before", "due", "overdue"])
def test_other_kinds_fit_two_segments(kind: str, stage: str) -> None:
    item = DueItem(1, "王小明", kind, "2026", stage, date(2025, 10, 1))  # a holiday
    for locale in LOCALES:
        reply = compose_guardian_digest([item], CATALOG, WORKDAYS)
        assert reply is not None
        sms = render(reply, CATALOG, locale, "numbered").text
        # naming the last working day before a holiday deadline costs English a segment
        assert count_segments(sms).segments <= (3 if locale == "en" else 2), sms
        assert "{" not in sms and "…" not in sms
