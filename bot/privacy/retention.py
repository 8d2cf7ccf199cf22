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
- media: a visit's photo references deleted (with the visit too; pending ones included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.privacy.rules import privacy_rules
from content.privacy import Privacy
from storage.repos import audit
from storage.repos.retention import SWEEPERS

if TYPE_CHECKING:
    from bot.host import Host


@dataclass
class SweepResult:
    counts: dict[str, int] = field(default_factory=dict)


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
    async with app.db.transaction() as session:
        audit.record(
            session, at=now, actor="system", action="retention.sweep", subject_type="retention",
            detail={"counts": out.counts,
                    "days": {k: r.days for k, r in rules.retention.items()}},
        )  # fmt: skip
    return out
