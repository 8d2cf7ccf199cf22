"""Small checks and records shared by the console's forms."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi import HTTPException
from sqlalchemy.ext.asyncio import AsyncSession

from storage.repos import audit

MAX_REASON = 200


def reason_given(value: str) -> str:
    """The reason a form must carry (flags, consent withdrawal, erasure): 1-200 characters."""
    why = value.strip()
    if not why or len(why) > MAX_REASON:
        raise HTTPException(400, f"a reason (1-{MAX_REASON} characters) is required")
    return why


def audit_changes(
    session: AsyncSession,
    *,
    at: datetime,
    actor: str,
    subject_type: str,
    subject_id: int,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    reason: str,
) -> None:
    """One `flags.set` entry with each changed value before and after; none when nothing
    changed."""
    changed = {k: {"before": before[k], "after": after[k]} for k in before if before[k] != after[k]}
    if changed:
        audit.record(
            session, at=at, actor=actor, action="flags.set", subject_type=subject_type,
            subject_id=subject_id, detail={"changes": changed, "reason": reason},
        )  # fmt: skip
