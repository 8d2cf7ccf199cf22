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

import unicodedata
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
        start, end = 0, len(self.compact)
        for b in self.breaks:
            if b <= pos:
                start = b
            else:
                end = b
                break
        return start, end


def is_separator(ch: str) -> bool:
    if ch in _ZERO_WIDTH:
        return True
    cat = unicodedata.category(ch)
    return cat[0] in "ZPS" or cat in ("Cc", "Cf")


def _fold_chars(text: str) -> tuple[list[str], list[int]]:
    """NFKC + casefold per character, remembering where each output char came from."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch).casefold()
        for out in folded:
            chars.append(out)
            origin.append(i)
    return chars, origin


def _simplify(chars: list[str]) -> list[str]:
    joined = "".join(chars)
    converted = to_simplified(joined)
    if len(converted) == len(joined):
        return list(converted)
    # OpenCC changed the length (rare phrase rules): convert character by character.
    out: list[str] = []
    for ch in chars:
        conv = to_simplified(ch)
        out.append(conv if len(conv) == 1 else ch)
    return out


@lru_cache(maxsize=1024)
def normalize(text: str) -> Normalized:
    """The compact form of `text` (cached: the lexicon, the model's features and the framing
    cues all read the same message)."""
    chars, origin = _fold_chars(text)
    chars = _simplify(chars)
    compact: list[str] = []
    kept: list[int] = []
    breaks: list[int] = []
    for ch, pos in zip(chars, origin, strict=True):
        if is_separator(ch):
            if ch in CLAUSE_BREAKS and (not breaks or breaks[-1] != len(compact)):
                breaks.append(len(compact))
            continue
        compact.append(ch)
        kept.append(pos)
    return Normalized(text, "".join(compact), tuple(kept), tuple(breaks))


def normalize_term(term: str) -> str:
    """The compact form of a lexicon term, comparable with `Normalized.compact`."""
    return normalize(term).compact
