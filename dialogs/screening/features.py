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
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

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
    """Characters' readings and the pinyin syllables. A model file carries the readings of
    every character in pypinyin's dictionary (`complete`), so serving never loads pypinyin
    (its import builds a phrase dictionary: seconds and tens of MB); with a partial table
    (older model files) a character outside it is looked up there on first sight."""

    table: Mapping[str, str] = field(default_factory=dict)
    syllables: frozenset[str] | None = None
    complete: bool = False

    def reading(self, ch: str) -> str | None:
        if ch <= "\u2e7f":
            return None
        found = self.table.get(ch)
        if found is not None or self.complete:
            return found
        return dictionary_reading(ch)

    def syllable_set(self) -> frozenset[str]:
        return self.syllables if self.syllables is not None else _syllables()

    @classmethod
    def full(cls) -> Sounds:
        """The reading of every character pypinyin knows, and all syllables (for a model
        file)."""
        chars = sorted(chr(code) for code in _dictionary() if chr(code) > "\u2e7f")
        table = {ch: r for ch in chars if (r := dictionary_reading(ch)) is not None}
        return cls(table, _syllables(), complete=True)


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


class FeatureBag:
    """`features(text)` as vocabulary ids, computed with numpy: the same bag (repeats count)
    as `[vocab[f] for f in features(text) if f in vocab]`, without building a string per
    feature. The serving path; `features` stays the reference the model is trained with.

    Character n-grams are dictionary lookups of the text's slices; syllables and initials
    are integer ids looked up in numpy tables; English words and romanised pinyin take the
    reference's Python path.
    """

    def __init__(self, vocab: Mapping[str, int], sounds: Sounds = DICTIONARY) -> None:
        self.sounds = sounds
        self._grams: dict[str, int] = {}
        self._words: dict[str, int] = {}
        self._initials: dict[str, int] = {}
        pinyin: dict[str, int] = {}
        tables = {"c:": self._grams, "w:": self._words, "p:": pinyin, "i:": self._initials}
        for feat, index in vocab.items():  # every kind is one letter and a colon
            table = tables.get(feat[:2])
            if table is not None:
                table[feat[2:]] = index
        for gram in [g for g in self._grams if len(g) > 3 or (len(g) == 1 and g.isascii())]:
            del self._grams[gram]  # never a feature: features() skips them
        # Syllable ids 0..n-1; every table below ends with a sentinel for id -1 (no syllable),
        # which numpy's index -1 reaches, so no masking is needed.
        syllables = sorted(sounds.syllable_set() | set(sounds.table.values()))
        self._sid = {syl: i for i, syl in enumerate(syllables)}
        count = self._span = len(syllables) + 1
        self._uni = np.array([*(pinyin.get(syl, -1) for syl in syllables), -1], dtype=np.int64)
        # a pair (a, b) is the key (a + 1) * span + (b + 1): no key with a or b = -1 is valid
        self._pairs = {
            (self._sid[first] + 1) * count + self._sid[second] + 1: index
            for feat, index in pinyin.items()
            for first, sep, second in [feat.partition("_")]
            if sep and first in self._sid and second in self._sid
        }
        self._initial = np.array([*(ord(syl[0]) - 97 for syl in syllables), 26], dtype=np.int32)
        letters = [chr(97 + k) for k in range(26)] + [""]  # "" stands for no syllable
        self._i2 = np.array(
            [self._initials.get(a + b, -1) if a and b else -1 for a in letters for b in letters],
            dtype=np.int64,
        )
        self._i3 = np.array(
            [
                self._initials.get(a + b + c, -1) if a and b and c else -1
                for a in letters
                for b in letters
                for c in letters
            ],
            dtype=np.int64,
        )
        codes = {ord(ch): self._sid[r] for ch, r in sounds.table.items() if len(ch) == 1}
        self._dense = np.full(max(codes, default=0) + 2, -1, dtype=np.int32)
        self._dense[np.fromiter(codes, dtype=np.int64, count=len(codes))] = np.fromiter(
            codes.values(), dtype=np.int32, count=len(codes)
        )

    def ids(self, text: str) -> np.ndarray:
        compact = normalize(text).compact
        get = self._grams.get
        n = len(compact)
        grams = [j for ch in compact if (j := get(ch)) is not None]
        grams += [j for i in range(n - 1) if (j := get(compact[i : i + 2])) is not None]
        grams += [j for i in range(n - 2) if (j := get(compact[i : i + 3])) is not None]
        parts = [np.array(grams, dtype=np.int64), self._word_ids(text, compact)]
        if compact:
            parts.extend(self._sound_ids(compact))
        return np.concatenate(parts)

    def _word_ids(self, text: str, compact: str) -> np.ndarray:
        if not _LATIN.search(compact):
            return _EMPTY  # the compact form keeps every Latin letter of the folded text
        folded = unicodedata.normalize("NFKC", text).casefold()
        words = [w for w in _LATIN.findall(folded) if len(w) > 1]
        if not words:
            return _EMPTY
        out: list[int] = []
        last = len(words) - 1
        for i, word in enumerate(words):
            if (j := self._words.get(word)) is not None:
                out.append(j)
            if i < last and (j := self._words.get(word + "_" + words[i + 1])) is not None:
                out.append(j)
            if (
                2 <= len(word) <= 5
                and (j := self._initials.get(word)) is not None
                and split_pinyin(word, self.sounds) is None
            ):
                out.append(j)
        return np.array(out, dtype=np.int64)

    def _sids(self, compact: str) -> np.ndarray:
        """The syllable id of each position heard (-1 where no syllable stands)."""
        if self.sounds.complete and not _LATIN.search(compact):
            codes = np.frombuffer(compact.encode("utf-32-le"), dtype=np.uint32)
            return self._dense[np.minimum(codes, len(self._dense) - 1)]
        sid = self._sid
        return np.array(
            [-1 if s == "|" else sid.get(s, -1) for s in _sounds(compact, self.sounds)],
            dtype=np.int32,
        )

    def _sound_ids(self, compact: str) -> list[np.ndarray]:
        sids = self._sids(compact)
        uni = self._uni[sids]
        get = self._pairs.get
        keys = ((sids[:-1] + 1) * self._span + (sids[1:] + 1)).tolist()
        pairs = np.array([j for k in keys if (j := get(k)) is not None], dtype=np.int64)
        initial = self._initial[sids]
        i2 = self._i2[initial[:-1] * 27 + initial[1:]]
        i3 = self._i3[initial[:-2] * 729 + initial[1:-1] * 27 + initial[2:]]
        return [uni[uni >= 0], pairs, i2[i2 >= 0], i3[i3 >= 0]]


_EMPTY = np.zeros(0, dtype=np.int64)
