"""The catalog is complete: every key used in code exists in every locale, with the same
placeholders. (This is what fails CI on a stale catalog.)"""

import re

import pytest

from content.catalog import Catalog, placeholders
from content.locales import SUPPORTED_LOCALES, normalize_locale
from dialogs.types import Role
from tests.support.paths import REPO

ROOT = REPO
KEY_CALL = re.compile(r"""\b(?:Reply|Choice)\(\s*(f?)["']([A-Za-z0-9_.{}]+)["']""")
ROLE_NAMES = [r.value for r in Role] + ["unknown"]


def keys_used_in_code() -> set[str]:
    keys: set[str] = set()
    for package in ("bot", "dialogs", "reminders", "content"):
        for path in (ROOT / package).rglob("*.py"):
            for is_f, key in KEY_CALL.findall(path.read_text(encoding="utf-8")):
                if is_f and "{role}" in key:
                    keys.update(key.replace("{role}", r) for r in ROLE_NAMES)
                elif not is_f:
                    keys.add(key)
    return keys


def test_every_key_used_in_code_is_in_the_catalog(catalog: Catalog) -> None:
    missing = sorted(k for k in keys_used_in_code() if not catalog.has(k))
    assert missing == []


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_locale_translates_every_key(catalog: Catalog, locale: str) -> None:
    missing = sorted(k for k in catalog.all_keys() if catalog.base_template(k, locale) is None)
    assert missing == []


def test_placeholders_agree_across_locales(catalog: Catalog) -> None:
    bad = []
    for key in catalog.all_keys():
        names = {
            loc: placeholders(catalog.base_template(key, loc) or "") for loc in SUPPORTED_LOCALES
        }
        if len({frozenset(v) for v in names.values()}) != 1:
            bad.append((key, names))
    assert bad == []


def test_render_with_params_and_fallback(catalog: Catalog) -> None:
    assert catalog.text("choice.invalid", "en", {"count": 3}) == (
        "Please reply with a number from 1 to 3."
    )
    # an override for one locale wins; others keep the shipped text
    edited = catalog.with_overrides({("cancel.done", "en"): "Stopped."})
    assert edited.text("cancel.done", "en") == "Stopped."
    assert edited.text("cancel.done", "zh_Hans") == "已取消。"
    assert catalog.text("no.such.key", "en") == "no.such.key"


@pytest.mark.parametrize(
    ("raw", "locale"),
    [
        ("zh-TW", "zh_Hant"),
        ("zh_Hant", "zh_Hant"),
        ("zh-CN", "zh_Hans"),
        ("EN", "en"),
        ("en-GB", "en"),
        ("fr", "zh_Hans"),
        (None, "zh_Hans"),
        ("zh-HK", "zh_Hant"),
    ],
)
def test_normalize_locale(raw: str | None, locale: str) -> None:
    assert normalize_locale(raw) == locale
