"""Effects are data: what the shell must do, in the same transaction, after a step.

Each later capability adds its own effect types here (SaveVisit, OpenCase...; the reminder
effects are `reminders.effects`);
the shell has one handler per type (bot/effects.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from dialogs.types import MediaRef


@dataclass(frozen=True, slots=True)
class SetLocale:
    locale: str


@dataclass(frozen=True, slots=True)
class OptOut:
    """The sender asked to receive nothing more on this channel."""


@dataclass(frozen=True, slots=True)
class OptIn:
    """The sender asked to receive messages again on this channel."""


@dataclass(frozen=True, slots=True)
class LinkContact:
    """A Telegram user shared their phone: link this chat to the roster person with it."""

    phone: str


@dataclass(frozen=True, slots=True)
class OpenCase:
    """Open (or update) a hotline case: a concern a person must look at now.

    `source` is "screen" (a lexicon hit on any inbound text) or "urgent_flow" (the sender
    used the urgent flow, whether or not a term matched). `matched` holds the lexicon terms.
    """

    category: str
    severity: str  # "critical" | "high" | "medium"
    text: str
    matched: tuple[str, ...]
    source: str  # "screen" | "urgent_flow"
    child_code: str | None = None
    location: str | None = None
    in_danger: bool | None = None
    callback_ok: bool | None = None


# --- Visits (the child director's visit report) -------------------------------------------


@dataclass(frozen=True, slots=True)
class SaveVisit:
    """Record a visit. ``dedup`` is a stable hash of the answers: a retried message saves once.

    ``checklist`` holds (item, value) for every checklist item, value "skip" when not asked;
    ``flags`` name the danger signs found (living_alone, injury_signs, out_of_school,
    guardianship_poor...) for the safety screen to escalate.
    """

    child_id: int
    kind: str  # home | contact | elsewhere
    visit_date: date
    assessment: str  # good | average | poor
    checklist: tuple[tuple[str, str], ...]
    notes: str
    flags: tuple[str, ...]
    next_due: date
    dedup: str


@dataclass(frozen=True, slots=True)
class MarkChildInfoUpdated:
    """The director checked and updated the child's information (six-monthly) on ``on``."""

    child_id: int
    on: date


@dataclass(frozen=True, slots=True)
class SaveVisitDraft:
    """Keep a half-finished visit report; the shell passes it back as ctx.extra["visit_draft"]."""

    child_id: int
    answers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class DropVisitDraft:
    """The director resumed or discarded the draft for this child: delete it."""

    child_id: int


@dataclass(frozen=True, slots=True)
class UpdateVisit:
    """Correct a saved visit: only the changed answers (and the recomputed next_due/flags)."""

    visit_id: int
    changes: Mapping[str, str | tuple[str, ...]]


# Child's file effects.


@dataclass(frozen=True, slots=True)
class SendChildSummary:
    """A director asked for the short summary of one of their children's files (档案 A04)."""

    child_id: int


@dataclass(frozen=True, slots=True)
class AddChildNote:
    """A director's work-log note for one of their children (日志 A04 …)."""

    child_id: int
    text: str


# Consent effects.


@dataclass(frozen=True, slots=True)
class RecordConsent:
    """A director records that a guardian of their child consented in person (同意 A04)."""

    child_id: int


@dataclass(frozen=True, slots=True)
class ConsentReply:
    """A guardian answered a consent message with 同意: consent for the children asked about."""


@dataclass(frozen=True, slots=True)
class AttachVisitPhotos:
    """A director's photos and voice notes (by reference): to the child `child_code`'s latest
    visit (`照片 A04`), to the visit being reported (`in_report`: attached when it is saved),
    else to the visit the director saved a moment ago. The shell decides, stores and
    answers (a voice note: kept, and the director is asked to say it in text)."""

    media: tuple[MediaRef, ...]
    child_code: str | None = None
    in_report: bool = False


@dataclass(frozen=True, slots=True)
class DiscardVisitMedia:
    """The report being written was cancelled or discarded: the photos and voice notes sent
    with it (not attached to a visit yet) are deleted, rows and files, at once."""
