"""Conversations, inbound messages and the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


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
    """A message as received. `processed_at` is set when it was screened and answered; until
    then the retry job takes it up again (`attempts`, `retry_at`), and `failed_at` marks one it
    gave up on (administrators were alerted)."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("channel", "provider_id"),
        Index("ix_inbound_pending", "processed_at", "failed_at", "received_at"),
        # what one address sent lately (the reply-loop guard)
        Index("ix_inbound_by_address", "channel", "address", "received_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str | None] = mapped_column(String(64))
    # Media that came with it, by reference (MediaRef.to_json: ref, type, size, kind); never
    # fetched at receipt. None when there was none.
    media: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    retry_at: Mapped[datetime | None]
    screened_at: Mapped[datetime | None]  # screened on its own by the retry job
    failed_at: Mapped[datetime | None]


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
    # A failed attempt may have reached the provider (a timeout, a 5xx): a later send can be
    # a duplicate. Set by the dispatcher (SendError.may_have_sent), never cleared.
    may_have_sent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    dedup_key: Mapped[str | None] = mapped_column(String(160))
    bypass_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"), index=True)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    # The registry version a template gateway sent it with (mainland SMS), else None.
    template_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("sms_template_versions.id", ondelete="SET NULL"), index=True
    )


class TelegramFailedUpdate(Base):
    """A Telegram update that could not be stored: its id, the chat it came from (an address,
    as `inbound_messages` keeps), what kind it was and the error's class. Never its text.
    Telegram does not send it again once polling moved past it: an administrator asks the
    sender to send again (`resolution` "asked_to_resend") or marks it "handled"."""

    __tablename__ = "telegram_failed_updates"
    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))  # message, callback_query, other
    error: Mapped[str] = mapped_column(String(64))  # the exception's class, never its message
    failed_at: Mapped[datetime] = mapped_column(index=True)
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(16))
    resolved_by: Mapped[str | None] = mapped_column(String(64))
