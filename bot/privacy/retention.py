"""The retention sweep: what is past its period (`content/privacy.toml`) is deleted or
anonymised, in one transaction per kind, and the counts are written to the audit log.

- inbound messages: text, payload, media references and sender address blanked (the row
  stays: counts, dedupe);
- outbox: rendered text, parameters and address blanked once sent, failed or suppressed;
- visits: deleted, except each child's latest visit (the file keeps its last state);
- closed cases: the reporter's address, location and outcome blanked, and the timeline's
  details replaced by ``{"erased": true}`` — the one sanctioned change to the append-only
  timeline, done in SQL; open cases are never touched;
- audit entries: deleted (at least 180 days are always kept, 网络安全法 21);
- media: a visit's photos and voice notes deleted (with the visit too; pending ones never
  attached included), and then every file in the media store without a row (bot/media_store.py:
  the files of what this sweep, a person's erasure or a cascade deleted).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.media_store import MediaStore
from bot.privacy.rules import privacy_rules
from content.privacy import Privacy
from storage.repos import audit, visit_media
from storage.repos.retention import SWEEPERS

if TYPE_CHECKING:
    from bot.host import Host


@dataclass
class SweepResult:
    counts: dict[str, int] = field(default_factory=dict)
    files: int = 0  # media files removed from the store (their rows were gone)


async def remove_media_orphans(app: Host) -> int:
    """Delete every file of the media store that has no `visit_media` row any more."""

    async def existing(ids: Collection[int]) -> set[int]:
        async with app.db.transaction() as session:
            return await visit_media.existing_ids(session, ids)

    return await MediaStore(app.settings.media_dir).remove_orphans(existing)


async def sweep(app: Host, rules: Privacy | None = None) -> SweepResult:
    """One sweep; safe to repeat (what was anonymised is not counted again)."""
    rules = rules or privacy_rules()
    now = app.clock.now()
    out = SweepResult()
    for kind, run in SWEEPERS.items():
        keep = rules.retention[kind]
        cutoff = now - timedelta(days=keep.days)
        async with app.db.transaction() as session:
            out.counts[kind] = await run(session, cutoff)
    out.files = await remove_media_orphans(app)
    async with app.db.transaction() as session:
        audit.record(
            session, at=now, actor="system", action="retention.sweep", subject_type="retention",
            detail={"counts": out.counts, "files": out.files,
                    "days": {k: r.days for k, r in rules.retention.items()}},
        )  # fmt: skip
    return out
