"""Every visit text exists in the three locales, with the same placeholders, and fits SMS."""

from __future__ import annotations

import csv

import pytest

from content.catalog import Catalog, placeholders
from content.locales import SUPPORTED_LOCALES
from content.normalize import to_simplified
from dialogs.visits.questions import CHOICE_QUESTIONS, word_index
from tests.support.paths import CONTENT

TABLE = CONTENT / "tables" / "visits.tsv"


def rows() -> list[list[str]]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.reader(fh, delimiter="\t") if r and not r[0].startswith("#")]


@pytest.mark.parametrize("row", rows(), ids=lambda r: r[0])
def test_row_is_in_the_catalog_in_every_locale(row: list[str], catalog: Catalog) -> None:
    key, hans, hant, en = row[:4]
    for locale, text in zip(SUPPORTED_LOCALES, (hans, hant, en), strict=True):
        assert catalog.base_template(key, locale) == text.replace("\\n", "\n")
    assert placeholders(hans) == placeholders(hant) == placeholders(en)
    assert '"' not in hans + hant + en  # the table is read as CSV: no ASCII quotes


def test_traditional_texts_are_traditional() -> None:
    for key, hans, hant, _ in (r[:4] for r in rows()):
        assert to_simplified(hant).replace("「", "“").replace("」", "”") != hant or hans == hant, (
            key
        )


def test_every_option_has_a_label(catalog: Catalog) -> None:
    for key, question in CHOICE_QUESTIONS.items():
        assert catalog.has(f"visit.q.{key}")
        assert catalog.has(f"visit.sum.skipped.{key}")
        for option in question.options:
            for locale in SUPPORTED_LOCALES:
                assert catalog.base_template(f"visit.opt.{key}.{option.value}", locale)


def test_typed_words_never_repeat_across_questions() -> None:
    index = word_index()
    assert index["良好"] == ("assessment", "good")
    assert index["独居"] == ("living", "alone")
