"""Small checks and records shared by the console's forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import HTTPException

from storage.uow import Work

MAX_REASON = 200


def reason_given(value: str) -> str:
    """The reason a form must carry (flags, consent withdrawal, erasure): 1-200 characters."""
    why = value.strip()
    if not why or len(why) > MAX_REASON:
        raise HTTPException(400, f"a reason (1-{MAX_REASON} characters) is required")
    return why


def audit_changes(
    w: Work,
    actor: str,
    subject_type: str,
    subject_id: int,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    reason: str,
) -> None:
    """One `flags.set` entry with each changed value before and after; none when nothing
    changed."""
    changed = {k: {"before": before[k], "after": after[k]} for k in before if before[k] != after[k]}
    if changed:
        w.audit(
            actor, "flags.set", subject_type, subject_id, {"changes": changed, "reason": reason}
        )
