"""Areas, people, their channel addresses, children and guardians."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Area(Base):
    """County, township or village. `region_code` (GB/T 2260) picks regional calendars."""

    __tablename__ = "areas"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))  # county | township | village
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(String(12))
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai")


class Person(Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)  # E.164
    locale: Mapped[str] = mapped_column(String(10), default="zh_Hans")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    consent_at: Mapped[datetime | None]
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    do_not_contact_reason: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # STOP on any of their channels: no reminders or digests on any channel (bot/routing.py)
    opted_out_at: Mapped[datetime | None]


class ChannelAddress(Base):
    """A person's (or an unknown sender's) address on one channel, with its reachability."""

    __tablename__ = "channel_addresses"
    __table_args__ = (UniqueConstraint("channel", "address"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    opted_out_at: Mapped[datetime | None]
    unreachable_at: Mapped[datetime | None]
    unreachable_reason: Mapped[str | None] = mapped_column(String(200))
    last_inbound_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Child(Base):
    __tablename__ = "children"
    __table_args__ = (
        UniqueConstraint("area_id", "code"),
        # The planner's sex-unknown warning counts these by birth date: a look-up of the few
        # without a recorded sex, not a walk through every child born in a 10-year window.
        Index(
            "ix_children_sex_unknown_birth",
            "birth_date",
            sqlite_where=text("sex IS NULL"),
            postgresql_where=text("sex IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16))  # short code a director types, e.g. A12
    name: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(50))  # given name or nickname for messages
    sex: Mapped[str | None] = mapped_column(String(1))  # f | m
    birth_date: Mapped[date]
    categories: Mapped[list[Any]] = mapped_column(
        default=list
    )  # migrant, left_behind, difficulty, key
    guardianship_level: Mapped[str | None] = mapped_column(String(10))  # good | average | poor
    is_key_child: Mapped[bool] = mapped_column(Boolean, default=False)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    director_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    next_visit_due: Mapped[date | None] = mapped_column(Date, index=True)
    # Visit cadence by region and risk (dialogs.visits.clock), kept by every saved visit:
    # the last home visit, the last contact of any kind, the risk factors found, the
    # follow-up a critical flag asks for, and when the child's information was last updated.
    last_home_visit_on: Mapped[date | None] = mapped_column(Date)
    last_contact_on: Mapped[date | None] = mapped_column(Date)
    visit_risks: Mapped[list[Any]] = mapped_column(default=list)
    followup_due: Mapped[date | None] = mapped_column(Date)
    info_updated_on: Mapped[date | None] = mapped_column(Date)
    carried_visit_due: Mapped[date | None] = mapped_column(Date)  # due set before any visit
    residence_permit_issued_on: Mapped[date | None] = mapped_column(Date, index=True)
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(index=True)  # new children: catch-up plans
    # Guardian consent (PIPL art. 31): when, how (in_person | reply), which guardian, recorded by
    consent_at: Mapped[datetime | None]
    consent_method: Mapped[str | None] = mapped_column(String(16))
    consent_guardian_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    consent_recorded_by: Mapped[str | None] = mapped_column(String(64))
    consent_requested_at: Mapped[datetime | None]  # a consent message went to a guardian


class GuardianLink(Base):
    __tablename__ = "guardian_links"
    __table_args__ = (UniqueConstraint("child_id", "guardian_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    relation: Mapped[str] = mapped_column(String(20))  # mother, father, grandparent, entrusted ...
    priority: Mapped[int] = mapped_column(Integer, default=1)  # 1 = primary
