"""Schedules and calendars as administrators left them: database rows over shipped files."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core_data import load_calendars, load_schedule
from reminders.calendars import CalendarBook
from reminders.schedule import Schedule, ScheduleError
from reminders.workdays import Workdays
from storage.repos import reminders as repo

log = logging.getLogger(__name__)


async def current_schedule(session: AsyncSession) -> Schedule:
    """The editions in `immunization_editions`; the shipped file when the table is empty."""
    rows = await repo.edition_rows(session)
    if not rows:
        return load_schedule()
    try:
        return Schedule.from_editions(rows)
    except ScheduleError as exc:
        log.error("immunization_editions is invalid (%s); using the shipped schedule", exc)
        return load_schedule()


async def current_calendars(session: AsyncSession, workdays: Workdays) -> CalendarBook:
    """Shipped calendars, with each region in `calendar_overrides` replacing its file; the
    windows' deadlines use `workdays`."""
    regions = dict(load_calendars().regions)
    for doc in await repo.calendar_rows(session):
        regions[str(doc.get("region", "")).strip() or "national"] = doc
    return CalendarBook(regions, workdays)
