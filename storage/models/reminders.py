"""Reminders: doses given, acknowledgements, what was queued for whom, editable schedules.

`reminder_deliveries` is the planner's ledger: one row per (child, kind, item, stage),
unique, so running the planner twice, late, or on two machines records each reminder once.
A row is pending while `outbox_id` and `resolved_at` are both empty.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.models.people import Child


class DoseGiven(Base):
    """A dose recorded as given (by a guardian's reply, a director, or an import)."""

    __tablename__ = "doses_given"
    __table_args__ = (UniqueConstraint("child_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    code: Mapped[str] = mapped_column(String(24))
    given_on: Mapped[date | None] = mapped_column(Date, index=True)  # next doses by interval
    source: Mapped[str] = mapped_column(String(16))  # guardian | director | import
    recorded_at: Mapped[datetime]


class ReminderAck(Base):
    """Something a guardian said is done: insurance for a year, a school or permit item."""

    __tablename__ = "reminder_acks"
    __table_args__ = (UniqueConstraint("child_id", "kind", "item"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    kind: Mapped[str] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    acked_at: Mapped[datetime]


class ReminderDelivery(Base):
    """One reminder (child, kind, item, stage): who it went to and in which outbox row."""

    __tablename__ = "reminder_deliveries"
    __table_args__ = (
        UniqueConstraint("child_id", "kind", "item", "stage"),
        Index("ix_reminder_deliveries_pending", "outbox_id", "resolved_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    recipient_role: Mapped[str | None] = mapped_column(String(16))  # guardian | director
    kind: Mapped[str] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(16))
    due_date: Mapped[date] = mapped_column(Date)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class ImmunizationEdition(Base):
    """An editable schedule edition (the mapping `Schedule.from_mapping` reads)."""

    __tablename__ = "immunization_editions"
    id: Mapped[int] = mapped_column(primary_key=True)
    edition: Mapped[str] = mapped_column(String(32), unique=True)
    effective_from: Mapped[date] = mapped_column(Date)
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))


class CalendarOverride(Base):
    """A region's calendar document (same shape as content/calendars/*.toml), as JSON."""

    __tablename__ = "calendar_overrides"
    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(12), unique=True)
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))


class HolidayArrangement(Base):
    """One year's State Council holiday arrangement (extra days off, make-up working days),
    imported by an administrator: `data` is one `[[years]]` entry of
    content/calendars/holidays.toml, as JSON."""

    __tablename__ = "holiday_arrangements"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))


class PlannerMark(Base):
    """The last day a planner run completed: the next run looks back only to it."""

    __tablename__ = "reminder_planner_marks"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    last_as_of: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime]


# The planner's range queries on a child's birth date (children is the foundation's table).
CHILD_BIRTH_INDEX = Index("ix_children_birth_date", Child.birth_date)
