"""Console accounts, their server-side sessions, and administrators' content versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class ConsoleUser(Base):
    """A person who signs in to the web console. Role: admin | hotline | supervisor."""

    __tablename__ = "console_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))  # supervisor's township
    locale: Mapped[str] = mapped_column(String(10), default="zh_Hans")
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    must_change_password: Mapped[bool] = mapped_column(default=False)  # after a reset code


class ConsoleSession(Base):
    """A signed-in browser: the cookie holds `token`; `csrf` is checked on every POST."""

    __tablename__ = "console_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ContentVersion(Base):
    """One text of one catalog key in one locale: draft, published (at most one) or archived."""

    __tablename__ = "content_versions"
    __table_args__ = (Index("ix_content_versions_key_locale", "key", "locale", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))  # draft | published | archived
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]


class ContentState(Base):
    """A single row whose `version` grows on every publish: processes reload when it moves."""

    __tablename__ = "content_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class LoginThrottle(Base):
    """Sign-in attempts per key ("addr:<ip>" or "user:<name>", known or not) in the current
    window. Counted atomically *before* a password is checked."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime]
    blocked_until: Mapped[datetime | None]
