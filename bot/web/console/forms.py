"""Small checks and records shared by the console's forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from content.errors import InputError
from storage.uow import Work

MAX_REASON = 200


class Refusal(InputError):
    """A console form refused for a reason the user can fix: the console answers a browser
    with an HTML page saying `key` (a catalog key) in the user's language; API paths get
    the JSON `{"detail": detail}`."""

    def __init__(self, status_code: int, key: str, detail: str) -> None:
        super().__init__(detail)
        self.status_code, self.key, self.detail = status_code, key, detail


def reason_given(value: str) -> str:
    """The reason a form must carry (flags, consent withdrawal, erasure): 1-200 characters."""
    why = value.strip()
    if not why or len(why) > MAX_REASON:
        raise Refusal(
            400, "console.refused.reason", f"a reason (1-{MAX_REASON} characters) is required"
        )
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
