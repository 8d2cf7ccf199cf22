"""SQLAlchemy 2 models: the one database every message, reminder and case lives in.

Every schema change is an Alembic migration in storage/migrations/versions.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


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
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


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
    __table_args__ = (UniqueConstraint("area_id", "code"),)
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
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class GuardianLink(Base):
    __tablename__ = "guardian_links"
    __table_args__ = (UniqueConstraint("child_id", "guardian_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    relation: Mapped[str] = mapped_column(String(20))  # mother, father, grandparent, entrusted ...
    priority: Mapped[int] = mapped_column(Integer, default=1)  # 1 = primary


class Conversation(Base):
    """One conversation per channel address; state is the dialog core's State as JSON."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "address"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]
    expires_at: Mapped[datetime | None] = mapped_column(index=True)


class InboundMessage(Base):
    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "provider_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """A message to send. Written in the transaction that decided it; sent by the dispatcher."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "lane", "not_before"),
        UniqueConstraint("dedup_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    lane: Mapped[int] = mapped_column(Integer)  # 0 alert, 1 reply, 2 reminder
    message: Mapped[dict[str, Any]]  # the abstract Reply: key, params, choices
    text: Mapped[str | None] = mapped_column(Text)  # as rendered when sent
    status: Mapped[str] = mapped_column(String(12), default="queued")
    delivery_status: Mapped[str | None] = mapped_column(String(16))
    not_before: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(32))
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    dedup_key: Mapped[str | None] = mapped_column(String(160))
    bypass_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Append-only: who did or read what, when."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64))  # "person:12", "user:admin", "system"
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
