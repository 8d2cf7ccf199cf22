"""Stored screen models (one active at most) and the hotline's verdicts on flagged text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ScreenLabel, ScreenModelRow

VERDICTS = ("real", "false_alarm", "wrong_category", "missed")


async def active(session: AsyncSession) -> ScreenModelRow | None:
    return (
        await session.execute(select(ScreenModelRow).where(ScreenModelRow.active.is_(True)))
    ).scalar_one_or_none()


async def active_version(session: AsyncSession) -> str | None:
    """Cheap check for caches: the active model's version (None: the shipped one)."""
    return (
        await session.execute(select(ScreenModelRow.version).where(ScreenModelRow.active.is_(True)))
    ).scalar_one_or_none()


async def models(session: AsyncSession) -> list[ScreenModelRow]:
    return list(
        (await session.execute(select(ScreenModelRow).order_by(ScreenModelRow.id.desc()))).scalars()
    )


async def by_version(session: AsyncSession, version: str) -> ScreenModelRow | None:
    return (
        await session.execute(select(ScreenModelRow).where(ScreenModelRow.version == version))
    ).scalar_one_or_none()


async def add_model(
    session: AsyncSession,
    *,
    version: str,
    data: bytes,
    figures: Mapping[str, Any] | None,
    by: str,
    now: datetime,
    note: str = "",
) -> ScreenModelRow:
    row = ScreenModelRow(
        version=version,
        data=data,
        figures=dict(figures) if figures else None,
        active=False,
        created_at=now,
        created_by=by,
        note=note,
    )
    session.add(row)
    await session.flush()
    return row


async def activate(session: AsyncSession, version: str | None) -> bool:
    """Make `version` the live model (None: back to the shipped one). False if unknown."""
    if version is not None and await by_version(session, version) is None:
        return False
    await session.execute(
        update(ScreenModelRow).where(ScreenModelRow.active.is_(True)).values(active=False)
    )
    if version is not None:
        await session.execute(
            update(ScreenModelRow).where(ScreenModelRow.version == version).values(active=True)
        )
    return True


async def add_label(
    session: AsyncSession,
    *,
    case_id: int | None,
    verdict: str,
    category: str | None,
    text: str,
    actor: str,
    now: datetime,
) -> ScreenLabel:
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
    row = ScreenLabel(
        case_id=case_id, verdict=verdict, category=category, text=text, actor=actor, created_at=now
    )
    session.add(row)
    await session.flush()
    return row


async def labels(session: AsyncSession) -> list[ScreenLabel]:
    return list((await session.execute(select(ScreenLabel).order_by(ScreenLabel.id))).scalars())


async def label_for_case(session: AsyncSession, case_id: int) -> ScreenLabel | None:
    return (
        await session.execute(
            select(ScreenLabel)
            .where(ScreenLabel.case_id == case_id)
            .order_by(ScreenLabel.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
