"""The one-SMS visit report ("quick form").

Syntax (after the trigger word 走访 / V, spaces or Chinese commas between parts):

    走访 <child> [kind] [date] <assessment> [checklist words...] [无] [备注 <free text>]
    V A12 G school healthy note slept at grandma's

- <child> comes first: a code (A12) or a name, as in the guided report; "走访A12 良好" works.
- Every other part may come in any order and is recognised by its word (`questions.py`):
  kind 入户/电话/他处 (home/phone/met; default home), a date 今天/昨天/3.5/3月5日/2026-03-05
  (default today), the guardianship assessment 良好/一般/差 (G/A/P; required) and the
  checklist words (在校, 失学, 独居, 有伤...).
- "无" (none/ok) marks every checklist item not mentioned as normal; otherwise they are
  recorded as not asked ("skip").
- 备注 / note: everything after it is the free-text note.
A part that cannot be read is reported back by its position, with a corrected example.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from content.normalize import fold
from dialogs.visits.parse import looks_like_date, read_date
from dialogs.visits.questions import (
    CHECKLIST,
    NOTHING_WRONG_WORDS,
    SKIP,
    word_index,
)

_NOTES = re.compile(
    r"(备注|備註|備注|(?<![A-Za-z])(?:notes?|nb)(?![A-Za-z]))\s*[:：]?", re.IGNORECASE
)
_SPLIT = re.compile(r"[\s,，、;；]+")
_GLUED_CODE = re.compile(r"^([A-Za-z]{0,4}\d{1,8})([^\d.\-/月年].*)$")
MAX_NOTES = 500


@lru_cache(maxsize=1)
def _words() -> dict[str, tuple[str, str]]:
    return word_index()


@dataclass(frozen=True, slots=True)
class QuickProblem:
    """Why a quick report cannot be saved: bad_parts, conflict, no_assessment, future_date."""

    kind: str
    parts: tuple[tuple[int, str], ...] = ()  # (position after the trigger word, text)


@dataclass(frozen=True, slots=True)
class QuickReport:
    child_query: str
    answers: dict[str, str] = field(default_factory=dict)
    parts: tuple[str, ...] = ()  # as typed, the child first
    notes_marker: str = ""
    problem: QuickProblem | None = None

    def example(self, drop: tuple[int, ...] = ()) -> str:
        """The report as typed, without the parts at positions ``drop`` (1-based)."""
        kept = [p for i, p in enumerate(self.parts, start=1) if i not in drop]
        text = " ".join(kept)
        if self.notes_marker:
            text += f" {self.notes_marker} …"
        return text if len(text) <= 60 else text[:59] + "…"


MAX_GLUED = 40


def _segment(form: str) -> tuple[str, ...] | None:
    """Split a glued run of known words ("良好在校健康"); None when it does not split."""
    return _segment_cached(form) if len(form) <= MAX_GLUED else None


@lru_cache(maxsize=4096)
def _segment_cached(form: str) -> tuple[str, ...] | None:
    if not form:
        return ()
    for end in range(len(form), 0, -1):
        head = form[:end]
        if head in _words() or head in NOTHING_WRONG_WORDS or looks_like_date(head):
            rest = _segment_cached(form[end:])
            if rest is not None:
                return (head, *rest)
    return None


def split_parts(text: str) -> tuple[tuple[str, ...], str, str]:
    """(parts, notes marker as typed, notes) from the text after the trigger word."""
    text = unicodedata.normalize("NFKC", text).strip()
    marker, notes = "", ""
    found = _NOTES.search(text)
    if found:
        marker, notes = found.group(1), text[found.end() :].strip()[:MAX_NOTES]
        text = text[: found.start()]
    parts = [p for p in _SPLIT.split(text) if p]
    if parts:
        glued = _GLUED_CODE.match(parts[0])
        if glued:
            parts[0:1] = [glued.group(1), glued.group(2)]
    return tuple(parts), marker, notes


def parse_quick(text: str, today: date, old_days: int) -> QuickReport:
    parts, marker, notes = split_parts(text)
    if not parts:
        return QuickReport("", {}, (), marker, QuickProblem("no_child"))
    answers: dict[str, str] = {}
    seen: dict[str, int] = {}
    bad: list[tuple[int, str]] = []
    conflict: tuple[tuple[int, str], ...] = ()
    future: tuple[tuple[int, str], ...] = ()
    nothing_wrong = False
    for position, part in enumerate(parts[1:], start=2):
        pieces = _segment("".join(fold(part).split()))
        if pieces is None:
            bad.append((position, part))
            continue
        for piece in pieces:
            if piece in NOTHING_WRONG_WORDS:
                nothing_wrong = True
                continue
            key, value = _words().get(piece, ("date", ""))
            if key == "date":
                reading = read_date(piece, today, old_days)
                if reading.value is None:
                    if reading.problem == "future":
                        future = future or ((position, part),)
                    else:
                        bad.append((position, part))
                    continue
                value = reading.value.isoformat()
            if key in answers and answers[key] != value and not conflict:
                conflict = ((seen[key], parts[seen[key] - 1]), (position, part))
            answers.setdefault(key, value)
            seen.setdefault(key, position)
    for question in CHECKLIST:
        normal = next(o.value for o in question.options if o.normal)
        answers.setdefault(question.key, normal if nothing_wrong else SKIP)
    answers.setdefault("kind", "home")
    answers.setdefault("date", today.isoformat())
    answers["notes"] = notes
    problem: QuickProblem | None = None
    if bad:
        problem = QuickProblem("bad_parts", tuple(bad))
    elif future:
        problem = QuickProblem("future_date", future)
    elif conflict:
        problem = QuickProblem("conflict", conflict)
    elif "assessment" not in answers:
        problem = QuickProblem("no_assessment")
    return QuickReport(parts[0], answers, parts, marker, problem)
