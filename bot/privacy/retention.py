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
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.privacy.rules import privacy_rules
from content.privacy import Privacy
from storage.models import (
    AuditEntry,
    Case,
    CaseEvent,
    InboundMessage,
    OutboxMessage,
    Visit,
    VisitMedia,
)
from storage.repos import audit, visit_media

if TYPE_CHECKING:
    from bot.host import Host

ERASED = "erased"
DONE_OUTBOX = ("sent", "failed", "suppressed")


@dataclass
class SweepResult:
    counts: dict[str, int] = field(default_factory=dict)


async def _inbound(session: AsyncSession, cutoff: datetime) -> int:
    result = await session.execute(
        update(InboundMessage)
        .where(InboundMessage.received_at < cutoff, InboundMessage.address != ERASED)
        .values(text="", payload=None, media=None, address=ERASED, person_id=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _outbox(session: AsyncSession, cutoff: datetime) -> int:
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.created_at < cutoff,
            OutboxMessage.status.in_(DONE_OUTBOX),
            OutboxMessage.address != ERASED,
        )
        .values(text=None, message={"key": ERASED, "params": {}}, address=ERASED, last_error=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _visits(session: AsyncSession, cutoff: datetime) -> int:
    later = aliased(Visit)
    newer_exists = (
        select(later.id)
        .where(
            later.child_id == Visit.child_id,
            (later.visit_date > Visit.visit_date)
            | and_(later.visit_date == Visit.visit_date, later.id > Visit.id),
        )
        .exists()
    )
    ids = list(
        (
            await session.execute(
                select(Visit.id).where(Visit.visit_date < cutoff.date(), newer_exists)
            )
        ).scalars()
    )
    if ids:
        await session.execute(delete(VisitMedia).where(VisitMedia.visit_id.in_(ids)))
        await session.execute(delete(Visit).where(Visit.id.in_(ids)))
    return len(ids)


async def _closed_cases(session: AsyncSession, cutoff: datetime) -> int:
    ids = list(
        (
            await session.execute(
                select(Case.id).where(
                    Case.status == "closed",
                    Case.closed_at < cutoff,
                    Case.reporter_address != ERASED,
                )
            )
        ).scalars()
    )
    if not ids:
        return 0
    await session.execute(
        update(Case)
        .where(Case.id.in_(ids))
        .values(reporter_address=ERASED, location=None, outcome=None, child_code=None)
    )
    await session.execute(
        update(CaseEvent).where(CaseEvent.case_id.in_(ids)).values(detail={ERASED: True})
    )
    return len(ids)


async def _audit(session: AsyncSession, cutoff: datetime) -> int:
    old = select(func.count()).select_from(AuditEntry).where(AuditEntry.at < cutoff)
    count = (await session.execute(old)).scalar_one()
    if count:
        await session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff))
    return int(count)


SWEEPERS = {
    "inbound": _inbound,
    "outbox": _outbox,
    "visits": _visits,
    "closed_cases": _closed_cases,
    "audit": _audit,
    "media": visit_media.drop_older_than,
}


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
