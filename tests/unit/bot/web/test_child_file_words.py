"""The child file in the reader's words: answers the director skipped, every reminder status
the code can store, vaccine doses, and the export's sheet titles (tables)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.privacy.rules import NO_CONSENT
from bot.web.console.child_file import sheet_title
from bot.web.console.child_labels import ChildLabels
from content.catalog import Catalog
from content.locales import SUPPORTED_LOCALES
from storage.repos import reminders as repo

CATALOG = Catalog.load()
ROOT = Path(__file__).resolve().parents[4]


@pytest.mark.parametrize(
    ("locale", "key", "value", "shown"),
    [
        ("zh_Hans", "living", "skip", "未填"),
        ("zh_Hant", "living", "skip", "未填"),
        ("en", "living", "skip", "not answered"),
        ("zh_Hans", "key_child", False, "否"),
        ("zh_Hans", "key_child", True, "是"),
        ("en", "key_child", False, "no"),
    ],
)
def test_answers_are_words(locale: str, key: str, value: object, shown: str) -> None:
    assert ChildLabels(CATALOG, locale).answer(key, value) == shown


@pytest.mark.parametrize(
    ("locale", "code", "shown"),
    [
        ("zh_Hans", "IPV1", "脊灰灭活疫苗第1剂"),
        ("zh_Hant", "IPV2", "脊髓灰質炎滅活疫苗第2劑"),
        ("en", "IPV1", "IPV"),
        ("zh_Hans", "bOPV1", "二价脊灰减毒活疫苗第1剂"),
        ("zh_Hans", "HepB1", "乙肝第1剂"),
    ],
)
def test_dose_names(locale: str, code: str, shown: str) -> None:
    assert shown in ChildLabels(CATALOG, locale).dose(code)


def test_every_dose_of_the_schedule_has_a_name() -> None:
    codes = set(re.findall(r'^code = "([^"]+)"', (ROOT / "content/schedules/immunization.toml")
                           .read_text(encoding="utf-8"), flags=re.M))  # fmt: skip
    for locale in ("zh_Hans", "zh_Hant"):  # in English "BCG" is the name
        words = ChildLabels(CATALOG, locale)
        assert [c for c in sorted(codes) if words.dose(c) == c] == [], locale


def test_every_stored_reminder_status_has_a_label_in_every_locale() -> None:
    assert NO_CONSENT in repo.DELIVERY_STATUSES
    # every status the code writes to a reminder row is one of DELIVERY_STATUSES
    written: set[str] = set()
    for path in (ROOT / "bot/reminders").glob("*.py"):
        for line in path.read_text("utf-8").splitlines():
            left, eq, right = line.strip().partition(" = ")
            targets = [x.strip() for x in left.split(",")]
            if eq and "row.status" in targets:
                value = [x.strip() for x in right.split(",")][targets.index("row.status")]
                written.add(value.rsplit(".", 1)[-1])
    values = {"NO_CONSENT": NO_CONSENT} | {n: getattr(repo, n) for n in dir(repo) if n.isupper()}
    assert written and {values[n] for n in written} <= set(repo.DELIVERY_STATUSES)
    for locale in SUPPORTED_LOCALES:
        words = ChildLabels(CATALOG, locale)
        for status in repo.DELIVERY_STATUSES:
            assert CATALOG.has(f"childfile.rstatus.{status}", locale), (locale, status)
            if locale != "en":  # "pending" is its own English word
                assert words.delivery_status(status) != status


@pytest.mark.parametrize(
    ("text", "used", "title"),
    [
        ("基本信息", set(), "基本信息"),
        ("a/b:c*d?e[f]g\\h", set(), "a b c d e f g h"),
        ("x" * 40, set(), "x" * 31),
        ("提醒", {"提醒"}, "提醒 2"),
        ("", set(), "sheet"),
    ],
)
def test_sheet_titles_are_valid_for_excel(text: str, used: set[str], title: str) -> None:
    assert sheet_title(text, used) == title
    assert title.lower() in used
