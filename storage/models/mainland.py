"""Mainland China channels: the SMS template registry, shared provider tokens, receipts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class SmsTemplate(Base):
    """One provider's template for one catalog key (content.sms_templates.TemplateSpec).

    `text` is the approved text verbatim; `variables` a list of {param, slot, max_len}.
    Careline sends a key over a template gateway only while its row is `approved`.
    """

    __tablename__ = "sms_templates"
    __table_args__ = (UniqueConstraint("key", "provider"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    provider: Mapped[str] = mapped_column(String(16))  # aliyun | tencent
    template_code: Mapped[str] = mapped_column(String(64))
    sign_name: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    variables: Mapped[list[Any]] = mapped_column(default=list)
    template_class: Mapped[str] = mapped_column(String(16), default="notification")
    status: Mapped[str] = mapped_column(String(12), default="in_review")
    review_note: Mapped[str | None] = mapped_column(Text)
    scene_note: Mapped[str | None] = mapped_column(Text)
    synced_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(64))
    # The current version (SmsTemplateVersion.version): every change of code, signature,
    # text, variables, class, scene note or status is a new version, kept with who and when.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class SmsTemplateVersion(Base):
    """One version of a registry entry as it was after a change: the whole entry, who made
    the change, when, and what changed (`changes`: the fields, or "created", "restored")."""

    __tablename__ = "sms_template_versions"
    __table_args__ = (UniqueConstraint("template_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("sms_templates.id", ondelete="SET NULL"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(80))
    provider: Mapped[str] = mapped_column(String(16))
    template_code: Mapped[str] = mapped_column(String(64))
    sign_name: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    variables: Mapped[list[Any]] = mapped_column(default=list)
    template_class: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12))
    review_note: Mapped[str | None] = mapped_column(Text)
    scene_note: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[list[Any]] = mapped_column(default=list)
    restored_from: Mapped[int | None] = mapped_column(Integer)  # the version put back
    changed_at: Mapped[datetime]
    changed_by: Mapped[str | None] = mapped_column(String(64))


class ProviderToken(Base):
    """An access token shared by every process (WeCom's gettoken), one row per app."""

    __tablename__ = "provider_tokens"
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]
    fetched_at: Mapped[datetime]


class SmsReceipt(Base):
    """A delivery report as pushed by a provider; `dedup_key` makes a repeated push one row."""

    __tablename__ = "sms_receipts"
    __table_args__ = (UniqueConstraint("dedup_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    dedup_key: Mapped[str] = mapped_column(String(200))
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), index=True)
    phone: Mapped[str] = mapped_column(String(20))
    success: Mapped[bool]
    code: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime]
