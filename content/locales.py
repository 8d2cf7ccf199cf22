"""The locales Careline speaks, and how loose locale names map onto them."""

from __future__ import annotations

from babel import Locale

DEFAULT_LOCALE = "zh_Hans"
SUPPORTED_LOCALES: tuple[str, ...] = ("zh_Hans", "zh_Hant", "en")

_ALIASES = {
    "zh": "zh_Hans",
    "zh_hans": "zh_Hans",
    "zh_cn": "zh_Hans",
    "zh_sg": "zh_Hans",
    "zh_hans_cn": "zh_Hans",
    "zh_hant": "zh_Hant",
    "zh_tw": "zh_Hant",
    "zh_hk": "zh_Hant",
    "zh_mo": "zh_Hant",
    "zh_hant_tw": "zh_Hant",
    "zh_hant_hk": "zh_Hant",
    "en": "en",
    "en_us": "en",
    "en_gb": "en",
}


def normalize_locale(value: str | None) -> str:
    """Map "zh-TW", "zh_Hant", "EN" ... onto a supported locale; unknown -> default."""
    if not value:
        return DEFAULT_LOCALE
    key = value.strip().replace("-", "_").lower()
    if key in _ALIASES:
        return _ALIASES[key]
    base = key.split("_")[0]
    return _ALIASES.get(base, DEFAULT_LOCALE)


def babel_locale(locale: str) -> Locale:
    """The Babel locale used for dates and numbers (with a territory)."""
    return Locale.parse(
        {"zh_Hans": "zh_Hans_CN", "zh_Hant": "zh_Hant_TW", "en": "en"}[normalize_locale(locale)]
    )
