"""Normalize text for screening, keeping a map back to the original positions.

Steps, per the issue: NFKC (full-width to half-width), case-folding, traditional to
simplified (OpenCC t2s via `content.normalize.to_simplified`), and separators inserted
inside words to dodge filters ("家 暴", "自-杀", "自.杀", "s.u.i.c.i.d.e") are dropped.

The screen matches on the *compact* form: every separator (whitespace, punctuation,
symbols, zero-width characters) is removed. English terms are compacted the same way
("kill myself" -> "killmyself") and checked for word boundaries in the original text by
the matcher, so "grapes" never matches "rape". `origin[i]` is the index in the original
text of compact character `i`; clause breaks (。！？，; newline ...) are kept as compact
positions so the matcher can tell whether a negation or a danger cue is in the same clause.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from content.normalize import to_simplified

# Punctuation that ends a clause: a negation or a danger cue does not reach across it.
CLAUSE_BREAKS = frozenset("。！？!?，,；;\n\r：:…")
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


@dataclass(frozen=True, slots=True)
class Normalized:
    original: str
    compact: str  # folded, simplified, separators removed
    origin: tuple[int, ...]  # compact index -> original index
    breaks: tuple[int, ...]  # compact positions where a clause break occurred (sorted)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of compact [start, end)."""
        if start >= len(self.origin):
            return len(self.original), len(self.original)
        last = self.origin[end - 1] if end > start else self.origin[start]
        return self.origin[start], last + 1

    def clause_of(self, pos: int) -> tuple[int, int]:
        """The compact [start, end) of the clause containing compact position `pos`."""
        at = bisect_right(self.breaks, pos)
        start = self.breaks[at - 1] if at else 0
        end = self.breaks[at] if at < len(self.breaks) else len(self.compact)
        return start, end


@lru_cache(maxsize=16384)
def is_separator(ch: str) -> bool:
    if ch in _ZERO_WIDTH:
        return True
    cat = unicodedata.category(ch)
    return cat[0] in "ZPS" or cat in ("Cc", "Cf")


class _Folds(dict[int, str]):
    """NFKC + casefold of each character, for `str.translate`, filled on first sight."""

    def __missing__(self, code: int) -> str:
        folded = unicodedata.normalize("NFKC", chr(code)).casefold()
        if len(self) < 65536:
            self[code] = folded
        return folded


_FOLDS = _Folds()


def _fold_chars(text: str) -> tuple[str, list[int] | None]:
    """NFKC + casefold per character, and where each output character came from (None:
    one for one, the common case)."""
    folded = text.translate(_FOLDS)
    if len(folded) == len(text):
        return folded, None  # no character folds to nothing, so each gave exactly one
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for out in _FOLDS[ord(ch)]:
            chars.append(out)
            origin.append(i)
    return "".join(chars), origin


def _simplify(chars: str) -> str:
    converted = to_simplified(chars)
    if len(converted) == len(chars):
        return converted
    # OpenCC changed the length (rare phrase rules): convert character by character.
    out: list[str] = []
    for ch in chars:
        conv = to_simplified(ch)
        out.append(conv if len(conv) == 1 else ch)
    return "".join(out)


@lru_cache(maxsize=1)
def _separators() -> re.Pattern[str]:
    """One separator character: every separator of the BMP, and any character beyond it
    (rare: checked one by one with `is_separator`)."""
    category = unicodedata.category  # not `is_separator`: its cache would churn 65,536 times
    codes = [
        c
        for c in range(0x10000)
        if not 0xD800 <= c <= 0xDFFF
        and (
            chr(c) in _ZERO_WIDTH
            or category(chr(c))[0] in "ZPS"
            or category(chr(c)) in ("Cc", "Cf")
        )
    ]
    ranges: list[str] = []
    start = prev = codes[0]
    for code in [*codes[1:], -1]:
        if code == prev + 1:
            prev = code
            continue
        ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
        start = prev = code
    return re.compile("[" + "".join(ranges) + "\U00010000-\U0010ffff]")


@lru_cache(maxsize=1024)
def normalize(text: str) -> Normalized:
    """The compact form of `text` (cached: the lexicon, the model's features and the framing
    cues all read the same message)."""
    chars, origin = _fold_chars(text)
    chars = _simplify(chars)
    pieces: list[str] = []
    kept: list[int] = []
    breaks: list[int] = []
    size = pos = 0
    for found in _separators().finditer(chars):
        at = found.start()
        ch = chars[at]
        if ch > "\uffff" and not is_separator(ch):
            continue
        if at > pos:
            pieces.append(chars[pos:at])
            kept.extend(range(pos, at))
            size += at - pos
        if ch in CLAUSE_BREAKS and (not breaks or breaks[-1] != size):
            breaks.append(size)
        pos = at + 1
    if pos < len(chars):
        pieces.append(chars[pos:])
        kept.extend(range(pos, len(chars)))
    if origin is not None:
        kept = [origin[i] for i in kept]
    return Normalized(text, "".join(pieces), tuple(kept), tuple(breaks))


def normalize_term(term: str) -> str:
    """The compact form of a lexicon term, comparable with `Normalized.compact`."""
    return normalize(term).compact
