"""What the screen decided about one message, as plain data with a JSON form."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Match:
    term: str  # the lexicon term as written by its editor
    category: str
    severity: str  # after danger cues were applied
    start: int  # [start, end) in the original text
    end: int

    def to_json(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "category": self.category,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    escalate: bool
    category: str | None
    severity: str | None  # "critical" | "high" | "medium" | None
    matches: tuple[Match, ...] = ()
    why: tuple[str, ...] = ()
    immediate_danger: bool = False  # a danger cue (现在, 正在, right now...) in a hit's clause
    # Self-harm only: True when the sender writes about themselves ("我不想活了"), False when
    # about someone else ("孩子说想自杀"), None when the text does not say.
    about_self: bool | None = None
    # "alert" (a person now, alert lane, SLA), "review" (a case marked for review, no page),
    # "pass" (nothing to do). `escalate` is True exactly for "alert".
    outcome: str = ""
    # The learned model's probability that the text must be reported (None: no model ran).
    score: float | None = None
    model_version: str | None = None

    def __post_init__(self) -> None:
        if not self.outcome:
            object.__setattr__(self, "outcome", "alert" if self.escalate else "pass")

    @property
    def reaches_person(self) -> bool:
        return self.outcome in ("alert", "review")

    def to_json(self) -> dict[str, Any]:
        """The JSON-ready dict `careline screen` prints (see `dumps`)."""
        return {
            "escalate": self.escalate,
            "category": self.category,
            "severity": self.severity,
            "matches": [m.to_json() for m in self.matches],
            "why": list(self.why),
            "immediate_danger": self.immediate_danger,
            "about_self": self.about_self,
            "outcome": self.outcome,
            "score": None if self.score is None else round(self.score, 4),
            "model_version": self.model_version,
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False)


NO_CONCERN = Decision(escalate=False, category=None, severity=None)
