"""The administrator-editable screening lexicon, stored one row per category (+ "cues")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LexiconEntry, Person, ScreenModelRow, StaffShift
from storage.repos.sql import connection_of, insert_ignore

CUES = "cues"


async def version(session: AsyncSession) -> tuple[int, int]:
    """(row count, sum of versions): changes whenever an entry is added, edited or removed."""
    count, total = (
        await session.execute(
            select(func.count(LexiconEntry.id), func.coalesce(func.sum(LexiconEntry.version), 0))
        )
    ).one()
    return int(count), int(total)


async def screen_version(session: AsyncSession) -> tuple[int, int, str | None]:
    """`version` and the active screen model's version (None: the shipped one) in one
    statement: what the live screen's cache checks on every inbound text."""
    model = (
        select(ScreenModelRow.version)
        .where(ScreenModelRow.active.is_(True))
        .limit(1)
        .scalar_subquery()
    )
    count, total, active = (
        await session.execute(
            select(
                func.count(LexiconEntry.id),
                func.coalesce(func.sum(LexiconEntry.version), 0),
                model,
            )
        )
    ).one()
    return int(count), int(total), active


@dataclass(frozen=True, slots=True)
class ScreenProbe:
    version: tuple[int, int, str | None]  # `screen_version`
    staffed: bool  # someone (active) is on a level-1 shift now


@cache
def _probe_statement() -> Select[Any]:
    model = (
        select(ScreenModelRow.version)
        .where(ScreenModelRow.active.is_(True))
        .limit(1)
        .scalar_subquery()
    )
    now = bindparam("now", type_=StaffShift.__table__.c.starts_at.type)
    on_duty = (
        select(StaffShift.id)
        .join(Person, Person.id == StaffShift.person_id)
        .where(
            StaffShift.level == 1,
            StaffShift.starts_at <= now,
            or_(StaffShift.ends_at.is_(None), StaffShift.ends_at > now),
            Person.active.is_(True),
        )
        .exists()
    )
    return select(
        func.count(LexiconEntry.id),
        func.coalesce(func.sum(LexiconEntry.version), 0),
        model,
        on_duty,
    )


async def screen_probe(session: AsyncSession, now: datetime) -> ScreenProbe:
    """`screen_version` and whether anyone is on duty (level 1) at `now`, in one statement
    built once: what every inbound text asks (the live screen's cache, the reply's wording)."""
    conn = await connection_of(session)
    count, total, active, staffed = (await conn.execute(_probe_statement(), {"now": now})).one()
    return ScreenProbe((int(count), int(total), active), bool(staffed))


async def mapping(session: AsyncSession) -> dict[str, Any] | None:
    """The stored lexicon in `Lexicon.from_mapping` shape; None when nothing is stored."""
    rows = list((await session.execute(select(LexiconEntry).order_by(LexiconEntry.key))).scalars())
    if not rows:
        return None
    categories = [dict(r.data) for r in rows if r.key != CUES]
    cues = next((dict(r.data) for r in rows if r.key == CUES), {})
    return {"categories": categories, "cues": cues}


async def seed(session: AsyncSession, raw: Mapping[str, Any], now: datetime) -> int:
    """Insert the shipped lexicon where a key is missing (safe to run twice, concurrently)."""
    entries: list[tuple[str, dict[str, Any]]] = [
        (str(c["id"]), dict(c)) for c in raw.get("categories", ())
    ]
    entries.append((CUES, dict(raw.get("cues", {}) or {})))
    added = 0
    for key, data in entries:
        stmt = insert_ignore(session, LexiconEntry.__table__, ["key"]).values(  # type: ignore[arg-type]
            key=key, data=data, version=1, updated_at=now, updated_by="seed"
        )
        result = await session.execute(stmt)
        added += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return added


async def save(
    session: AsyncSession, key: str, data: Mapping[str, Any], *, now: datetime, by: str
) -> LexiconEntry:
    """An administrator's edit of one category (or the cues): bumps its version."""
    row = (
        await session.execute(select(LexiconEntry).where(LexiconEntry.key == key))
    ).scalar_one_or_none()
    if row is None:
        row = LexiconEntry(key=key, data=dict(data), version=1, updated_at=now, updated_by=by)
        session.add(row)
    else:
        row.data = dict(data)
        row.version += 1
        row.updated_at = now
        row.updated_by = by
    await session.flush()
    return row
