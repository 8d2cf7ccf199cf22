"""What the learned screen sees of a message: character, word and sound features.

`features(text)` turns one message into a list of feature strings (a bag, repeats count):
- `c:` character n-grams (1-3) of the compact normalized text (NFKC, case-folded,
  traditional to simplified, separators dropped: "孩 子 被 打" reads as "孩子被打");
- `w:` English words and word pairs ("kill", "hit_him");
- `p:` toneless pinyin syllables and syllable pairs, from the characters' readings and from
  romanised words split into syllables, so that homophones (被大 / 被打, 自砂 / 自杀) and
  pinyin input ("xiao hai yi ge ren") share features with the characters they stand for;
- `i:` syllable initials in runs of 2-3 ("xq" for 性侵), and short Latin words that are not
  pinyin, read as initials (net slang: xq, zs).
- `x:` extra signals supplied by the caller (lexicon groups and cues), see `model.py`.

Pure and deterministic: the same text always gives the same features, in training and at
run time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from dialogs.screening.normalize import normalize

_LATIN = re.compile(r"[a-z]+")
_MAX_SYLLABLE = 6


def _plain(reading: str) -> str:
    plain = unicodedata.normalize("NFKD", reading)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return plain.replace("ü", "v").lower()


@lru_cache(maxsize=1)
def _dictionary() -> dict[int, str]:
    from pypinyin.pinyin_dict import pinyin_dict

    return pinyin_dict


@lru_cache(maxsize=65536)
def dictionary_reading(ch: str) -> str | None:
    """A CJK character's first reading, without tones (from pypinyin's dictionary)."""
    found = _dictionary().get(ord(ch))
    return _plain(found.split(",", 1)[0]) if found else None


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    return frozenset(_plain(r.split(",", 1)[0]) for r in _dictionary().values())


@dataclass(frozen=True)
class Sounds:
    """Characters' readings and the pinyin syllables. A model carries the readings of the
    characters it was trained on, so serving does not load pypinyin's whole dictionary;
    a character outside that table is looked up there on first sight."""

    table: Mapping[str, str] = field(default_factory=dict)
    syllables: frozenset[str] | None = None

    def reading(self, ch: str) -> str | None:
        if ch <= "\u2e7f":
            return None
        found = self.table.get(ch)
        return found if found is not None else dictionary_reading(ch)

    def syllable_set(self) -> frozenset[str]:
        return self.syllables if self.syllables is not None else _syllables()

    @classmethod
    def for_texts(cls, texts: Iterable[str]) -> Sounds:
        """The readings of every character in `texts` and all syllables (for a model file)."""
        chars = {ch for text in texts for ch in normalize(text).compact if ch > "\u2e7f"}
        table = {ch: r for ch in sorted(chars) if (r := dictionary_reading(ch)) is not None}
        return cls(table, _syllables())


DICTIONARY = Sounds()


def split_pinyin(word: str, sounds: Sounds = DICTIONARY) -> list[str] | None:
    """A Latin word split into pinyin syllables ("xiaohai" -> xiao, hai), or None when it
    is not pinyin. Prefers fewer, longer syllables."""
    syllables = sounds.syllable_set()
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        here = best[i]
        if here is None:
            continue
        for j in range(min(n, i + _MAX_SYLLABLE), i, -1):
            piece = word[i:j]
            if piece in syllables:
                candidate = [*here, piece]
                current = best[j]
                if current is None or len(candidate) < len(current):
                    best[j] = candidate
    return best[n]


def _sounds(compact: str, sounds: Sounds) -> list[str]:
    """The message as a sequence of syllables (and '|' where something else stands)."""
    out: list[str] = []
    i = 0
    n = len(compact)
    while i < n:
        ch = compact[i]
        sound = sounds.reading(ch)
        if sound is not None:
            out.append(sound)
            i += 1
            continue
        if "a" <= ch <= "z":
            j = i
            while j < n and "a" <= compact[j] <= "z":
                j += 1
            word = compact[i:j]
            parts = split_pinyin(word, sounds) if len(word) <= 40 else None
            out.extend(parts if parts else ["|"])
            i = j
            continue
        out.append("|")
        i += 1
    return out


def _initial(syllable: str) -> str:
    return syllable[0]


def features(text: str, sounds: Sounds = DICTIONARY) -> list[str]:
    norm = normalize(text)
    compact = norm.compact
    feats: list[str] = []
    n = len(compact)
    for size in (1, 2, 3):
        for i in range(n - size + 1):
            gram = compact[i : i + size]
            if size == 1 and gram.isascii():
                continue  # single Latin letters and digits say nothing
            feats.append("c:" + gram)
    folded = unicodedata.normalize("NFKC", text).casefold()
    words = _LATIN.findall(folded)
    words = [w for w in words if len(w) > 1]  # "t" of "don't", a lone "r": no meaning
    for i, word in enumerate(words):
        feats.append("w:" + word)
        if i + 1 < len(words):
            feats.append("w:" + word + "_" + words[i + 1])
        if 2 <= len(word) <= 5 and split_pinyin(word, sounds) is None:
            feats.append("i:" + word)  # net-slang initials: xq, zs, nsdd
    heard = _sounds(compact, sounds)
    for i, syl in enumerate(heard):
        if syl == "|":
            continue
        feats.append("p:" + syl)
        nxt = heard[i + 1] if i + 1 < len(heard) else "|"
        if nxt != "|":
            feats.append("p:" + syl + "_" + nxt)
            feats.append("i:" + _initial(syl) + _initial(nxt))
            third = heard[i + 2] if i + 2 < len(heard) else "|"
            if third != "|":
                feats.append("i:" + _initial(syl) + _initial(nxt) + _initial(third))
    return feats
