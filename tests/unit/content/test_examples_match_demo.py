"""The examples in the texts can be typed in the demo as they stand (a new user's cold trial
tried `走访 A12` and `认领 C260302-0007` from the help, and neither exists there): a child code
in any text, in any language, is one of the demo's children; a case reference is a
placeholder (`C…`), as the demo starts with no case and a real one carries its date."""

from __future__ import annotations

import re

import pytest

from bot.demo import CHILDREN
from content.catalog import Catalog
from content.locales import SUPPORTED_LOCALES

CODE = re.compile(r"(?<![A-Za-z0-9])[A-Z]\d{2,}(?:-\d+)?(?![0-9])")  # A04, C260302-0007
DEMO_CODES = {child[0] for child in CHILDREN}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("如：走访 A12 良好 在校", ["A12"]),
        ("认领 C260302-0007 — 接手", ["C260302-0007"]),
        ("认领 C… — 接手", []),
        ("e.g. V A01 good school", ["A01"]),
        ("回复“认领 {ref}”接手。拨打 110", []),
    ],
)  # fmt: skip
def test_what_counts_as_an_example_code(text: str, found: list[str]) -> None:
    assert CODE.findall(text) == found


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_example_code_is_in_the_demo(locale: str) -> None:
    catalog = Catalog.load()
    strangers = {
        key: codes
        for key in sorted(catalog.all_keys())
        if (codes := set(CODE.findall(catalog.base_template(key, locale) or "")) - DEMO_CODES)
    }
    assert strangers == {}
