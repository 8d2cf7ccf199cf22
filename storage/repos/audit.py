"""The append-only audit log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, Child, Visit


def record(
    session: AsyncSession,
    *,
    at: datetime,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            at=at,
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=None if subject_id is None else str(subject_id),
            detail=detail or {},
        )
    )


FILTERABLE = ("actor", "action", "subject_type", "subject_id")


async def entries(
    session: AsyncSession,
    *,
    equal: dict[str, str],
    since: datetime | None = None,
    before: datetime | None = None,
    subjects: Mapping[str, Sequence[str]] | None = None,
    limit: int,
) -> list[AuditEntry]:
    """Entries newest first, with the `FILTERABLE` columns in `equal` matching exactly and
    `since <= at < before`; with `subjects` ({subject type: ids}), only entries on one of
    those subjects (a child and its visits, say)."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if subjects is not None:
        query = query.where(
            or_(
                false(),
                *(
                    and_(AuditEntry.subject_type == kind, AuditEntry.subject_id.in_(list(ids)))
                    for kind, ids in subjects.items()
                    if ids
                ),
            )
        )
    for name in FILTERABLE:
        if equal.get(name):
            query = query.where(getattr(AuditEntry, name) == equal[name])
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if before is not None:
        query = query.where(AuditEntry.at < before)
    return list((await session.execute(query.limit(limit))).scalars())


async def distinct_values(session: AsyncSession, name: str) -> list[str]:
    """The values one column (action, subject_type) takes, sorted."""
    column = getattr(AuditEntry, name)
    return list((await session.execute(select(column).distinct().order_by(column))).scalars())


async def logged_since(
    session: AsyncSession, action: str, subject_id: str, since: datetime
) -> bool:
    """An entry of this action on this subject after `since`."""
    stmt = (
        select(AuditEntry.id)
        .where(
            AuditEntry.action == action,
            AuditEntry.subject_id == subject_id,
            AuditEntry.at > since,
        )
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def count_since(session: AsyncSession, action_prefix: str, since: datetime) -> int:
    """Entries whose action starts with `action_prefix`, at or after `since`."""
    stmt = (
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action.like(f"{action_prefix}%"), AuditEntry.at >= since)
    )
    return int((await session.execute(stmt)).scalar_one())


async def child_subjects(session: AsyncSession, child: str) -> dict[str, list[str]]:
    """The audit subjects of a child given by code (A04, any case; every child with that
    code, codes being unique per area only) or id: the children and their visits (a
    visit's review is filed under the visit); nothing when no child matches."""
    ids = list(
        await session.scalars(select(Child.id).where(func.upper(Child.code) == child.upper()))
    )
    if not ids and child.isdigit() and await session.get(Child, int(child)) is not None:
        ids = [int(child)]
    if not ids:
        return {}
    visits = await session.scalars(select(Visit.id).where(Visit.child_id.in_(ids)))
    return {"child": [str(i) for i in ids], "visit": [str(v) for v in visits]}
