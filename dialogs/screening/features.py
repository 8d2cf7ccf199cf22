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
from functools import lru_cache

from dialogs.screening.normalize import normalize

_LATIN = re.compile(r"[a-z]+")
_MAX_SYLLABLE = 6


@lru_cache(maxsize=1)
def _readings() -> dict[str, str]:
    """Each CJK character's first reading, without tones (from pypinyin's dictionary)."""
    from pypinyin.pinyin_dict import pinyin_dict

    out: dict[str, str] = {}
    for code, readings in pinyin_dict.items():
        first = readings.split(",", 1)[0]
        plain = unicodedata.normalize("NFKD", first)
        plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
        out[chr(code)] = plain.replace("ü", "v").lower()
    return out


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    return frozenset(_readings().values())


def split_pinyin(word: str) -> list[str] | None:
    """A Latin word split into pinyin syllables ("xiaohai" -> xiao, hai), or None when it
    is not pinyin. Prefers fewer, longer syllables."""
    syllables = _syllables()
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


def _sounds(compact: str) -> list[str]:
    """The message as a sequence of syllables (and '|' where something else stands)."""
    readings = _readings()
    out: list[str] = []
    i = 0
    n = len(compact)
    while i < n:
        ch = compact[i]
        reading = readings.get(ch)
        if reading is not None:
            out.append(reading)
            i += 1
            continue
        if "a" <= ch <= "z":
            j = i
            while j < n and "a" <= compact[j] <= "z":
                j += 1
            word = compact[i:j]
            parts = split_pinyin(word) if len(word) <= 40 else None
            out.extend(parts if parts else ["|"])
            i = j
            continue
        out.append("|")
        i += 1
    return out


def _initial(syllable: str) -> str:
    return syllable[0]


def features(text: str) -> list[str]:
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
    for i, word in enumerate(words):
        feats.append("w:" + word)
        if i + 1 < len(words):
            feats.append("w:" + word + "_" + words[i + 1])
        if 2 <= len(word) <= 5 and split_pinyin(word) is None:
            feats.append("i:" + word)  # net-slang initials: xq, zs, nsdd
    sounds = _sounds(compact)
    for i, syl in enumerate(sounds):
        if syl == "|":
            continue
        feats.append("p:" + syl)
        nxt = sounds[i + 1] if i + 1 < len(sounds) else "|"
        if nxt != "|":
            feats.append("p:" + syl + "_" + nxt)
            feats.append("i:" + _initial(syl) + _initial(nxt))
            third = sounds[i + 2] if i + 2 < len(sounds) else "|"
            if third != "|":
                feats.append("i:" + _initial(syl) + _initial(nxt) + _initial(third))
    return feats
