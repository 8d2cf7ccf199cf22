"""The parts of a child's file beyond visits (一人一档, Hubei 16): the work log, support given,
and problems found with how they were solved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

NOTE_KINDS = ("log", "support", "problem")


class ChildNote(Base):
    """One entry of a child's file: a work-log note, a support given, or a problem found
    (with its resolution once solved). ``author`` is an actor (``user:zhou``, ``person:3``)."""

    __tablename__ = "child_notes"
    __table_args__ = (Index("ix_child_notes_child", "child_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    kind: Mapped[str] = mapped_column(String(16))  # log | support | problem
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None]
