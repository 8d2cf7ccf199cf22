"""The language of a stranger's first words (pure).

An unknown sender has no locale yet: a message in English gets English replies instead of
Chinese ones. Romanised Chinese must not be taken for English, so a Latin word counts as
English only when it has a vowel (pinyin initials and slang such as "xswl", "nsdd" have
none) and does not split into pinyin syllables ("xiaohai", "bei da le" are Chinese).
Anything with a Chinese character stays Chinese.
"""

from __future__ import annotations

import re

from dialogs.screening.features import split_pinyin

_WORD = re.compile(r"[a-z]{2,}")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_VOWELS = frozenset("aeiou")
MIN_ENGLISH_WORDS = 2


def guess_locale(text: str) -> str | None:
    """ "en" when `text` reads as English: at least two English words, and at least half of
    the words that could be either; None when it cannot tell (the default stays)."""
    if _HAN.search(text):
        return None
    words = [w for w in _WORD.findall(text.lower()) if _VOWELS.intersection(w)]
    if len(words) < MIN_ENGLISH_WORDS:
        return None
    english = [w for w in words if split_pinyin(w) is None]
    if len(english) >= MIN_ENGLISH_WORDS and 2 * len(english) >= len(words):
        return "en"
    return None
