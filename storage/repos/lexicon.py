"""The administrator-editable screening lexicon, stored one row per category (+ "cues")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LexiconEntry, ScreenModelRow
from storage.repos.sql import insert_ignore

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
