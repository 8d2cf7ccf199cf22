"""The hotline's human queue: cases, their append-only timeline, staff shifts, and the
administrator-editable screening lexicon."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from content.errors import InvariantError
from storage.models.base import Base

CASE_STATUSES = ("open", "claimed", "referred", "closed")


class Case(Base):
    """One concern a person must look at. `ref` (C260302-0007) is what staff type."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_sla", "status", "ack_due_at"),
        Index("ix_cases_reporter", "reporter_channel", "reporter_address", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    category: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))  # critical | high | medium
    status: Mapped[str] = mapped_column(String(10), default="open")
    source: Mapped[str] = mapped_column(String(16))  # screen | urgent_flow | review | staff
    reporter_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    reporter_role: Mapped[str] = mapped_column(String(16))  # director | guardian | unknown ...
    reporter_channel: Mapped[str] = mapped_column(String(16))
    reporter_address: Mapped[str] = mapped_column(String(64))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"), index=True)
    child_code: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(200))
    in_danger: Mapped[bool | None] = mapped_column(Boolean)
    callback_ok: Mapped[bool | None] = mapped_column(Boolean)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    opened_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    ack_due_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    relay_until: Mapped[datetime | None]  # reporter's answers come back into the case
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(Text)
    escalation_level: Mapped[int] = mapped_column(Integer, default=1)
    realerted_at: Mapped[datetime | None]
    suspected_guardian_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    # The screen was unsure (outcome "review"): a person reads it within the review SLA; no page.
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When the SLA watchdog next re-alerts or escalates (None: at ack_due_at). The deadline
    # itself never moves, so a breach stays a breach in the queue and the SLA report.
    next_check_at: Mapped[datetime | None]


class CaseEvent(Base):
    """Append-only: the case timeline (created, alerted, delivered, claimed, note, reply,
    reporter_message, referral, closed, breach, escalated, reopened ...)."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(64))  # "person:4", "system", "sms:unknown"
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), index=True)
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))


class StaffShift(Base):
    """Who is on duty: level 1 = hotline staff on duty, 2 = duty manager / supervisor."""

    __tablename__ = "staff_shifts"
    __table_args__ = (Index("ix_staff_shifts_window", "level", "starts_at", "ends_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    level: Mapped[int] = mapped_column(Integer, default=1)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]  # None: open-ended


class LexiconEntry(Base):
    """One category of the screening lexicon (or the "cues" table), in the TOML shape of
    `dialogs.screening.lexicon`. `version` grows on every edit; the screen is rebuilt when
    the sum of versions and the row count change."""

    __tablename__ = "lexicon_entries"
    __table_args__ = (UniqueConstraint("key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))  # category id, or "cues"
    data: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64), default="seed")


class AppendOnlyError(InvariantError, RuntimeError):
    """A case event was changed or deleted: the timeline is append-only."""


@event.listens_for(CaseEvent, "before_update")
def _no_update(*_: object) -> None:
    raise AppendOnlyError("case_events is append-only")


@event.listens_for(CaseEvent, "before_delete")
def _no_delete(*_: object) -> None:
    raise AppendOnlyError("case_events is append-only")
