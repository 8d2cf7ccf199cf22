"""Visit records (one child, one file) and half-finished visit reports (drafts)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Visit(Base):
    """A director's visit to a child. ``dedup`` (a hash of the answers) makes a retried
    report a no-op; ``flags`` name the danger signs the hotline escalates."""

    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_child_latest", "child_id", "visit_date", "id"),
        Index("ix_visits_director_last", "director_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    director_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(16))  # home | contact | elsewhere
    visit_date: Mapped[date] = mapped_column(Date)
    assessment: Mapped[str] = mapped_column(String(10))  # good | average | poor
    checklist: Mapped[dict[str, Any]] = mapped_column(default=dict)  # item -> value or "skip"
    notes: Mapped[str] = mapped_column(Text, default="")
    flags: Mapped[list[Any]] = mapped_column(default=list)
    next_due: Mapped[date] = mapped_column(Date)
    dedup: Mapped[str] = mapped_column(String(64), unique=True)
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # supervisor review: None (not reviewed yet) | reviewed | returned (with a comment)
    review_status: Mapped[str | None] = mapped_column(String(10))
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None]


class VisitDraft(Base):
    """A guided report closed by the timeout: its answers, one per director and child."""

    __tablename__ = "visit_drafts"
    __table_args__ = (UniqueConstraint("director_id", "child_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    director_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class VisitMedia(Base):
    """A photo or voice note a director sent with a visit. Recorded by reference (the
    provider's URL, file_id or MediaId), then fetched into the media file store by a job
    (bot/visits/media_job.py): ``stored_path`` (the file's name in the store, the row id),
    ``sha256``, ``stored_size``, ``stored_type`` (read from the bytes) and ``fetched_at`` once
    kept; ``fetch_attempts``, ``fetch_retry_at`` (None: nothing more to try) and
    ``fetch_error`` (provider, too_large, bad_type, not_configured, foreign_url) until then.
    ``visit_id`` is None while the report it came with is still being written; saving the
    visit attaches it. Deleted with the visit (rows and files)."""

    __tablename__ = "visit_media"
    __table_args__ = (
        Index("ix_visit_media_pending", "director_id", "visit_id"),
        Index("ix_visit_media_fetch", "fetch_retry_at"),
        UniqueConstraint("inbound_id", "ref"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visits.id", ondelete="CASCADE"), index=True
    )
    director_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    inbound_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_messages.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(100))  # as the provider said
    size: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(8), default="image", server_default="image")
    stored_path: Mapped[str | None] = mapped_column(String(64))
    stored_type: Mapped[str | None] = mapped_column(String(100))  # from the bytes
    stored_size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    fetched_at: Mapped[datetime | None]
    fetch_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    fetch_retry_at: Mapped[datetime | None]
    fetch_error: Mapped[str | None] = mapped_column(String(32))
