"""The learned screen's versions and the hotline's verdicts on what it flagged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class ScreenModelRow(Base):
    """One trained model: its file, its leave-writers-out figures, and whether it is live.
    At most one row is active; none active means the shipped model is used."""

    __tablename__ = "screen_models"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")


class ScreenLabel(Base):
    """A staff member's verdict on a flagged (or missed) message: real concern, false
    alarm or wrong category. `text` is redacted (no phone numbers, no names); the
    label joins the training data as writer `hotline:<year>`."""

    __tablename__ = "screen_labels"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(16))  # real | false_alarm | wrong_category | missed
    category: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
