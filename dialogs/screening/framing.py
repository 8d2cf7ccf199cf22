"""Framing cues: how a message is told (a TV plot, a resolved past event, a finding of
nothing wrong, an adult or an animal as subject, an innocent explanation, a question, a
child as subject or a minor's age). The learned screen takes them as features.

The word lists are data (content/safety/framing.toml), passed in; ages are read from
numbers: "我女儿才14岁", "a 14 year old girl", "十三岁" say that a minor is the subject.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import ahocorasick

from dialogs.screening.normalize import normalize, normalize_term

_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_AGE_ARABIC = re.compile(r"(\d{1,2})\s*(?:周岁|岁|歲|-?\s*years?[- ]old|yo\b|y/o)")
_AGE_CHINESE = re.compile(
    r"(十[一二三四五六七八九]?|[一二两三四五六七八九]十?[一二三四五六七八九]?)\s*(?:周岁|岁)"
)
_MONTHS_OLD = re.compile(r"(\d{1,2}|[一二两三四五六七八九十]+)\s*(?:个月|個月|months?[- ]old)")


def _chinese_number(text: str) -> int | None:
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS.get(text[1:], 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGITS.get(tens, 0) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(text)


def minor_age(text: str) -> bool:
    """The text gives an age under 18 (in years or months)."""
    if _MONTHS_OLD.search(text):
        return True
    for match in _AGE_ARABIC.finditer(text):
        if int(match.group(1)) < 18:
            return True
    for match in _AGE_CHINESE.finditer(text):
        value = _chinese_number(match.group(1))
        if value is not None and value < 18:
            return True
    return False


@dataclass(frozen=True)
class Framing:
    cues: Mapping[str, tuple[str, ...]]

    @cached_property
    def _automaton(self) -> Any:
        """Every cue word in one Aho-Corasick automaton: word -> the kinds that list it."""
        kinds: dict[str, list[int]] = {}
        for rank, words in enumerate(self.cues.values()):
            for word in words:
                ranks = kinds.setdefault(word, [])
                if rank not in ranks:
                    ranks.append(rank)
        if not kinds:
            return None
        automaton = ahocorasick.Automaton()
        for word, ranks in kinds.items():
            automaton.add_word(word, tuple(ranks))
        automaton.make_automaton()
        return automaton

    def found(self, text: str) -> list[str]:
        """The kinds of framing cue in `text` (each kind once, in the data's order), plus
        "minor" for an age. Cues match the compact form (separators dropped, traditional
        read as simplified)."""
        automaton = self._automaton
        kinds: list[str] = []
        if automaton is not None:
            seen: set[int] = set()
            for _, ranks in automaton.iter(normalize(text).compact):
                seen.update(ranks)
            names = list(self.cues)
            kinds = [names[rank] for rank in sorted(seen)]
        if minor_age(unicodedata.normalize("NFKC", text).casefold()):
            kinds.append("minor")
        return kinds

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Framing:
        section = raw.get("framing", raw)
        cues: dict[str, tuple[str, ...]] = {}
        for kind, words in section.items():
            if not isinstance(words, Sequence) or isinstance(words, str):
                raise ValueError(f"framing.{kind} must be a list of words")
            compacted = (normalize_term(str(w)) for w in words if w)
            cues[str(kind)] = tuple(w for w in compacted if w)
        return cls(cues)


NO_FRAMING = Framing({})
