"""Demo roster shifts: the demo hotline person always on duty, the supervisor as level 2."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repos.cases import add_shift, has_shift
from storage.repos.people import person_by_phone

DEMO_SHIFTS = (("+8613800000004", 1), ("+8613800000001", 2))  # bot/demo.py PEOPLE


async def seed_demo_shifts(session: AsyncSession, now: datetime) -> int:
    """Open-ended shifts for the demo people; idempotent (a person with a shift is skipped)."""
    added = 0
    for phone, level in DEMO_SHIFTS:
        person = await person_by_phone(session, phone)
        if person is None:
            continue
        if not await has_shift(session, person.id):
            await add_shift(session, person.id, level=level, starts_at=now - timedelta(days=1))
            added += 1
    return added
