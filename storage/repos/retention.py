"""What the retention sweep deletes or anonymises, one function per kind (`SWEEPERS`), each
taking the cutoff and returning how many rows it changed (see bot/privacy/retention.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import (
    AuditEntry,
    Case,
    CaseEvent,
    InboundMessage,
    OutboxMessage,
    Visit,
    VisitMedia,
)
from storage.repos import visit_media

ERASED = "erased"
DONE_OUTBOX = ("sent", "failed", "suppressed")


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
