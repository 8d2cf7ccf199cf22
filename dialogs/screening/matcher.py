"""The screen: one Aho-Corasick automaton per lexicon, built once, matched per message.

Rules, in order, for every term found in the compact text (see normalize.py):
1. English (ASCII) terms and cues must sit on word boundaries of the original text; a
   term may carry a plain inflection (-s, -es, -ed, -d, -ing).
2. A term of a category is dropped when one of that category's exclusions, or a global
   exclusion (cues.exclusions), overlaps it (打疫苗 covers 打; 想死你 covers 想死).
3. A term with a context rule (`near`) counts only with a near word close by, same clause.
4. A term inside a longer term of the same category is dropped (the longer one is kept).
5. Negation: a negation cue ending before the term in the same clause.
   - critical term or critical category: never dropped; the reason is recorded.
   - a clear negation: the cue touches the term, or (multi-character cues) only
     "finding" words or the child stand between (发现, 任何, 明显, 孩子 ...): 没有发现打骂,
     没被打, 未见明显伤痕, 未发现孩子被打, did not hit, no signs of abuse. Dropped.
   - anything else between them (不是第一次被打, 没想到又被打, 没有一天不挨打): unsure,
     so it is kept (a missed concern is worse than a false alarm).
   "有没有", "是不是" ... (`not_negation` cues) are questions, not negations.
6. A danger cue (现在, 正在, right now ...) in the same clause as a kept term, within
   12 characters, makes it critical and sets `immediate_danger`; a call for help (快来,
   救命, hurry ...) anywhere in the message does the same for every kept term.
The decision escalates when any term is kept; category and severity come from the most
severe kept term (the earliest one on a tie).
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import ahocorasick

from dialogs.screening.categories import Categories
from dialogs.screening.combine import combine
from dialogs.screening.decision import NO_CONCERN, Decision, Match
from dialogs.screening.framing import NO_FRAMING, Framing
from dialogs.screening.lexicon import Lexicon, Term, severity_rank
from dialogs.screening.model import ScreenModel, signal_features
from dialogs.screening.normalize import Normalized, normalize

NOT_NEGATION = ("有没有", "是不是", "有无", "有没", "是否")
FIRST_PERSON = ("我", "i", "me", "my", "myself", "im")
UNSURE_GAP, DANGER_REACH = 10, 12
# Words that may stand between a negation and its term without making it unclear:
# 没有发现任何打骂, 未见明显伤痕, no signs of abuse.
NEGATION_FILLERS = (
    "发现",
    "看到",
    "见到",
    "出现",
    "存在",
    "任何",
    "明显",
    "遭受",
    "受到",
    "有过",
    "有",
    "过",
    "被",
    "什么",
    # the child named between a plain negation and its term: 未发现孩子被打骂
    "孩子",
    "儿童",
    "该儿童",
    "该生",
    "他",
    "她",
    "signsof",
    "signof",
    "evidenceof",
    "any",
    "been",
)
_SUFFIXES = ("", "s", "es", "ed", "d", "ing")


class _Found(NamedTuple):  # a tuple: built ten times per message, cheaply
    kind: str  # term exclusion near negation danger call third self not_neg
    key: str
    start: int  # compact
    end: int
    term: Term | None = None
    category: str | None = None


@lru_cache(maxsize=8192)
def _is_word_char(ch: str) -> bool:
    folded = unicodedata.normalize("NFKC", ch)[:1]
    return folded.isascii() and folded.isalnum()


@dataclass(frozen=True, slots=True)
class _Entry:
    """What one automaton key stands for: its meanings (kind, term, category), each once,
    and whether its first and last characters must sit on English word boundaries."""

    key: str
    values: tuple[tuple[str, Term | None, str | None], ...]
    head_word: bool
    tail_word: bool


class _ByEnd:
    """Finds in the order the automaton reported them, which is by end position, with a
    lookup of those ending in a window: each rule looks only near its term, which keeps a
    long message linear."""

    __slots__ = ("ends", "items")

    def __init__(self, items: list[_Found]) -> None:
        self.items = items
        self.ends = [f.end for f in items]

    def ending(self, lo: int, hi: int) -> list[_Found]:
        """The finds with lo <= end <= hi, in order."""
        return self.items[bisect_left(self.ends, lo) : bisect_right(self.ends, hi)]


# Texts up to this long are remembered by a screen built with `memo` (longer ones rarely
# come twice, and would cost the memory)
MEMO_TEXT_CHARS = 64


class Screen:
    """`Screen(lexicon).screen(text) -> Decision`. Build once per lexicon, then reuse.

    With a learned `model` (see model.py and combine.py) the decision has three outcomes
    (alert, review, pass) and a statutory category; without one, the lexicon decides alone
    (alert or pass), as `match_lexicon` does.
    """

    def __init__(
        self,
        lexicon: Lexicon,
        model: ScreenModel | None = None,
        categories: Categories | None = None,
        framing: Framing = NO_FRAMING,
        *,
        memo: int = 0,
    ) -> None:
        self.lexicon = lexicon
        self.model = model
        self.categories = categories
        self.framing = framing
        self._known_terms = model.known_terms if model is not None else None
        self._critical_categories = frozenset(
            c.id for c in lexicon.categories if c.severity == "critical"
        )
        entries: dict[str, list[tuple[str, Term | None, str | None]]] = {}

        def add(key: str, kind: str, term: Term | None = None, cat: str | None = None) -> None:
            # A near word listed by 46 terms is one meaning, not 46: each value once.
            if key and (kind, term, cat) not in (values := entries.setdefault(key, [])):
                values.append((kind, term, cat))

        for category in lexicon.categories:
            for term in category.terms:
                add(term.key, "term", term, category.id)
                for near in term.near:
                    add(near, "near")
            for phrase in category.exclusions:
                add(phrase, "exclusion", None, category.id)
        for phrase in lexicon.exclusions:
            add(phrase, "exclusion", None, None)
        for kind, words in (
            ("negation", lexicon.negation),
            ("danger", lexicon.danger),
            ("call", lexicon.call_for_help),
            ("third", lexicon.third_person),
            ("self", FIRST_PERSON),
            ("not_neg", NOT_NEGATION),
        ):
            for word in words:
                add(word, kind)
        automaton = ahocorasick.Automaton()
        for key, values in entries.items():
            entry = _Entry(key, tuple(values), _is_word_char(key[0]), _is_word_char(key[-1]))
            automaton.add_word(key, entry)
        if entries:
            automaton.make_automaton()
        self._longest = max(map(len, entries), default=1)  # the longest key, in characters
        self._automaton = automaton if entries else None
        # `memo`: the decisions of up to that many short texts, kept (a decision is a pure
        # function of the screen and the text; "1", "好的", "帮助" come again and again)
        self._memo_size = memo
        self._memo: dict[str, Decision] = {}

    # -- finding -----------------------------------------------------------------------

    def _boundary(self, norm: Normalized, entry: _Entry, start: int, end: int) -> int:
        """0: not on a word boundary; 1: on one exactly; 2: on one with a plain inflection
        (-s, -ed, -ing ...), which only terms accept."""
        original = norm.original
        if entry.head_word:
            before = norm.origin[start] - 1
            if before >= 0 and _is_word_char(original[before]):
                return 0
        if entry.tail_word:
            after = norm.origin[end - 1] + 1
            tail = ""
            while after < len(original) and _is_word_char(original[after]):
                tail += original[after].casefold()
                after += 1
            if tail:
                return 2 if tail in _SUFFIXES else 0
        return 1

    def _find(self, norm: Normalized) -> list[_Found]:
        found: list[_Found] = []
        if self._automaton is None or not norm.compact:
            return found
        for last, entry in self._automaton.iter(norm.compact):
            key = entry.key
            start, end = last - len(key) + 1, last + 1
            fit = (
                self._boundary(norm, entry, start, end) if entry.head_word or entry.tail_word else 1
            )
            if not fit:
                continue
            for kind, term, cat in entry.values:
                if fit == 1 or kind == "term":
                    found.append(_Found(kind, key, start, end, term, cat))
        return found

    # -- deciding ----------------------------------------------------------------------

    def screen(self, text: str) -> Decision:
        if not self._memo_size or len(text) > MEMO_TEXT_CHARS:
            return self._screen(text)
        decision = self._memo.get(text)
        if decision is None:
            decision = self._screen(text)
            if len(self._memo) >= self._memo_size:
                self._memo.clear()  # bounded; no eviction order to keep between threads
            self._memo[text] = decision
        return decision

    def _screen(self, text: str) -> Decision:
        decision = self.match_lexicon(text)
        if self.model is None or self.categories is None:
            return decision
        frames = self.framing.found(text)
        prediction = self.model.predict(text, signal_features(decision, frames))
        return combine(
            decision,
            prediction,
            self.model.thresholds,
            self.categories,
            self.model.version,
            self._known_terms,
            present="present" in frames,
        )

    def match_lexicon(self, text: str) -> Decision:
        """The lexicon's decision alone (rules in this module's docstring)."""
        norm = normalize(text)
        found = self._find(norm)
        if not any(f.kind == "term" for f in found):
            return NO_CONCERN
        why: list[str] = []
        hits = _ByEnd(self._apply_exclusions_and_context(norm, found, why))
        hits = _ByEnd(_drop_contained(hits, self._longest))
        kept: list[tuple[_Found, str]] = []
        immediate = False
        call = next((f.key for f in found if f.kind == "call"), None)
        negations = _ByEnd([f for f in found if f.kind == "negation"])
        questions = _ByEnd([f for f in found if f.kind == "not_neg"])
        dangers = _ByEnd([f for f in found if f.kind == "danger"])
        for hit in hits.items:
            assert hit.term is not None
            if not self._survives_negation(norm, hit, negations, questions, why, hits):
                continue
            severity = hit.term.severity
            cue = _danger_cue(norm, hit, dangers, self._longest) or call
            if cue is not None:
                immediate = True
                if severity != "critical":
                    why.append(f"danger cue '{cue}' near '{hit.term.text}': raised to critical")
                severity = "critical"
            kept.append((hit, severity))
        if not kept:
            return Decision(False, None, None, (), tuple(dict.fromkeys(why)))
        matches = tuple(_match(norm, hit, sev) for hit, sev in kept)
        top = max(matches, key=lambda m: (severity_rank(m.severity), -m.start))
        reasons = [f"escalate: {top.category}, {top.severity}"]
        reasons += [f"matched '{m.term}' ({m.category}, {m.severity})" for m in matches]
        about_self = _about_self(norm, kept, found)
        return Decision(
            True,
            top.category,
            top.severity,
            matches,
            tuple(dict.fromkeys(reasons + why)),
            immediate,
            about_self,
        )

    def _apply_exclusions_and_context(
        self, norm: Normalized, found: list[_Found], why: list[str]
    ) -> list[_Found]:
        exclusions = _ByEnd([f for f in found if f.kind == "exclusion"])
        lists: dict[str, list[_Found]] = {}
        for f in found:
            if f.kind in ("near", "third", "self", "term"):
                lists.setdefault(f.key, []).append(f)
        near_words = {key: _ByEnd(items) for key, items in lists.items()}
        hits: list[_Found] = []
        for hit in (f for f in found if f.kind == "term"):
            assert hit.term is not None
            cover = next(
                (
                    e
                    for e in exclusions.ending(hit.start + 1, hit.end + self._longest)
                    if e.category in (hit.category, None)
                    and e.start < hit.end
                    and hit.start < e.end
                ),
                None,
            )
            if cover is not None:
                why.append(f"exclusion '{cover.key}' covers '{hit.term.text}'")
                continue
            if hit.term.near and not _has_near(norm, hit, near_words):
                why.append(f"'{hit.term.text}' ignored: no context word near it")
                continue
            hits.append(hit)
        return hits

    def _survives_negation(
        self,
        norm: Normalized,
        hit: _Found,
        negations: _ByEnd,
        questions: _ByEnd,
        why: list[str],
        terms: _ByEnd,
    ) -> bool:
        assert hit.term is not None
        clause_start, _ = norm.clause_of(hit.start)
        cues = [
            f
            for f in negations.ending(clause_start + 1, hit.start)
            if clause_start <= f.start
            and f.end <= hit.start
            and not any(
                q.start <= f.start and f.end <= q.end
                for q in questions.ending(f.end, f.start + self._longest)
            )
        ]
        if not cues:
            return True
        cue = max(cues, key=lambda f: f.end)
        gap = _gap(norm.compact[cue.end : hit.start])
        critical = hit.term.severity == "critical" or hit.category in self._critical_categories
        label = f"'{cue.key}' before '{hit.term.text}'"
        if critical:
            why.append(f"negation {label} ignored: critical concern is never dropped")
            return True
        between = _without_listed_terms(norm.compact, cue.end, hit.start, terms)
        clear = between == "" or (len(cue.key) > 1 and _only_fillers(between))
        if clear:
            why.append(f"negation {label}: not counted")
            return False
        if gap <= UNSURE_GAP:
            why.append(f"possible negation {label}: kept, unsure")
        return True


LIST_JOINERS = ("、", "和", "及", "或", "与", "/", "and", "or", "nor")


def _without_listed_terms(text: str, start: int, end: int, terms: _ByEnd) -> str:
    """What stands between a negation and a term, less the other terms of the same negated
    list and their joiners: in 未发现打骂、虐待 the negation reaches 虐待 too."""
    spans = sorted((t.start, t.end) for t in terms.ending(start + 1, end) if start <= t.start)
    if not spans:
        return text[start:end]
    parts, pos = [], start
    for s, e in spans:
        parts.append(text[pos:s])
        pos = max(pos, e)
    parts.append(text[pos:end])
    rest = "".join(parts)
    for joiner in LIST_JOINERS:
        rest = rest.replace(joiner, "")
    return rest


def _only_fillers(between: str) -> bool:
    while between:
        filler = next((f for f in NEGATION_FILLERS if between.startswith(f)), None)
        if filler is None:
            return False
        between = between[len(filler) :]
    return True


def _gap(between: str) -> int:
    """Distance in 'characters', an English word counting like one Chinese character."""
    ascii_chars = sum(1 for ch in between if ch.isascii())
    return len(between) - ascii_chars + (ascii_chars + 3) // 4


def _has_near(norm: Normalized, hit: _Found, words: dict[str, _ByEnd]) -> bool:
    """A near word of the hit's term lies within `window` of it, same clause (words by key)."""
    assert hit.term is not None
    clause = norm.clause_of(hit.start)
    lo = max(clause[0], hit.start - hit.term.window)
    hi = min(clause[1], hit.end + hit.term.window)
    return any(
        lo <= w.start and not (w.start == hit.start and w.end == hit.end)
        for key in hit.term.near
        if key in words
        for w in words[key].ending(lo + 1, hi)
    )


def _drop_contained(hits: _ByEnd, longest: int) -> list[_Found]:
    kept = []
    for h in hits.items:
        inside = any(
            o is not h
            and o.category == h.category
            and o.start <= h.start
            and (o.end - o.start) > (h.end - h.start)
            for o in hits.ending(h.end, h.start + longest)
        )
        if not inside:
            kept.append(h)
    # identical spans from duplicate terms: keep one per (category, span)
    seen: set[tuple[str | None, int, int]] = set()
    out = []
    for h in kept:
        if (h.category, h.start, h.end) not in seen:
            seen.add((h.category, h.start, h.end))
            out.append(h)
    return out


def _danger_cue(norm: Normalized, hit: _Found, dangers: _ByEnd, longest: int) -> str | None:
    clause = norm.clause_of(hit.start)
    for f in dangers.ending(hit.start - DANGER_REACH, hit.end + DANGER_REACH + longest):
        if not (clause[0] <= f.start and f.end <= clause[1]):
            continue
        distance = max(f.start - hit.end, hit.start - f.end, 0)
        if distance <= DANGER_REACH:
            return f.key
    return None


def _about_self(
    norm: Normalized, kept: list[tuple[_Found, str]], found: list[_Found]
) -> bool | None:
    """For the self-harm hits: is the sender writing about themselves?"""
    selfharm = [h for h, _ in kept if h.category == "self_harm"]
    if not selfharm:
        return None
    hit = selfharm[0]
    clause = norm.clause_of(hit.start)
    lo = clause[0]
    third = any(f.kind == "third" and lo <= f.start and f.end <= hit.start for f in found)
    if third:
        return False
    first = any(
        f.kind == "self"
        and lo <= f.start
        and f.start <= hit.end
        and not norm.compact.startswith("我们", f.start)
        for f in found
    )
    return True if first else None


def _match(norm: Normalized, hit: _Found, severity: str) -> Match:
    assert hit.term is not None and hit.category is not None
    start, end = norm.span(hit.start, hit.end)
    return Match(hit.term.text, hit.category, severity, start, end)
