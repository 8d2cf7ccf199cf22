"""Each year's holiday arrangement (调休) as editable data: imported by administrators
(`careline reminders holidays import FILE`, the console's reminders page), stored in
`holiday_arrangements`, and handed to the pure core as a `reminders.workdays.Workdays`.

The document is the shape of `content/calendars/holidays.toml`: `[[years]]` with `year`,
`days_off`, `workdays` (YYYY-MM-DD), `source` (required: the notice it comes from) and
`verified`. Nothing is written unless every year in it is valid. Every process reloads the
table when the planner runs, when `/healthz` is asked and when the console page is shown.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core_data import load_workdays
from bot.reminders.admin import jsonable
from reminders import workdays
from storage.models import HolidayArrangement
from storage.repos import audit
from storage.repos import reminders as reminders_repo

log = logging.getLogger(__name__)
IMPORT_HINT = "careline reminders holidays import FILE (or the console's reminders page)"


def validate(doc: Mapping[str, Any]) -> dict[int, dict[str, Any]]:
    """Each year's entry, checked (dates in their year, none both off and working, a source);
    raises ValueError naming the problem."""
    years = doc.get("years")
    if not isinstance(years, list) or not years:
        raise ValueError("no [[years]] in the document")
    entries: dict[int, dict[str, Any]] = {}
    for n, raw in enumerate(years, start=1):
        if not isinstance(raw, Mapping) or "year" not in raw:
            raise ValueError(f"years entry {n}: missing 'year'")
        entry = dict(jsonable(raw))  # type: ignore[call-overload]
        year = int(entry["year"])
        if not str(entry.get("source", "")).strip():
            raise ValueError(f"{year}: 'source' is needed (the State Council notice it comes from)")
        if not entry.get("days_off") and not entry.get("workdays"):
            raise ValueError(f"{year}: neither days_off nor workdays")
        if year in entries:
            raise ValueError(f"{year} is in the document twice")
        workdays.arrangements_from_mapping({"years": [entry]})  # dates in the year, no clash
        entries[year] = entry
    return entries


async def load_imported(session: AsyncSession) -> workdays.Workdays:
    """The shipped arrangements with the stored ones; a row that does not load is logged and
    left out (the shipped data or the statutory holidays apply for its year)."""
    found: dict[int, workdays.Arrangement] = {}
    for row in await reminders_repo.holiday_arrangements(session):
        try:
            found.update(workdays.arrangements_from_mapping({"years": [row.data]}))
        except (ValueError, KeyError, TypeError) as exc:
            log.error("holiday_arrangements %s does not load (%s): left out", row.year, exc)
    return load_workdays().with_imported(found)


async def import_holidays(
    session: AsyncSession, doc: Mapping[str, Any], now: datetime, actor: str
) -> list[int]:
    """Add or replace the years in ``doc``; returns them."""
    entries = validate(doc)
    rows = {r.year: r for r in await reminders_repo.holiday_arrangements(session, entries)}
    for year, entry in sorted(entries.items()):
        row = rows.get(year)
        if row is None:
            session.add(HolidayArrangement(year=year, data=entry, updated_at=now, updated_by=actor))
        else:
            row.data, row.updated_at, row.updated_by = entry, now, actor
    await session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="holidays_imported",
        subject_type="holidays",
        subject_id=",".join(str(y) for y in sorted(entries)),
    )
    return sorted(entries)


async def missing_warnings(session: AsyncSession, today: date) -> list[str]:
    """ "holiday arrangement YEAR missing" for this year and next (stored rows loaded first)."""
    return warn_missing(await load_imported(session), today)


# The warnings this process has logged: each missing year is logged once, however often the
# planner runs and /healthz is asked (it is still in every answer, the log only says it once).
_logged: set[str] = set()


def warn_missing(known: workdays.Workdays, today: date) -> list[str]:
    """`known.missing_warnings(today)`; each logged with how to import the arrangement, the
    first time this process finds that year missing."""
    found = known.missing_warnings(today)
    for warning in found:
        if warning in _logged:
            continue
        _logged.add(warning)
        log.warning(
            "%s: deadlines use the statutory holidays and weekends; %s", warning, IMPORT_HINT
        )
    return found


async def status(session: AsyncSession, today: date) -> list[dict[str, Any]]:
    """Last year to the year after next: where each year's arrangement comes from."""
    known = await load_imported(session)
    rows = {r.year: r for r in await reminders_repo.holiday_arrangements(session)}
    years: list[dict[str, Any]] = []
    for year in range(today.year - 1, today.year + 3):
        source = known.arrangement_source(year)
        arrangement = known.arrangement_for(year) if source != "chinese_calendar" else None
        row = rows.get(year) if source == "imported" else None
        years.append(
            {
                "year": year,
                "source": source or "missing",
                "days_off": len(arrangement.days_off) if arrangement else None,
                "workdays": sorted(arrangement.workdays) if arrangement else [],
                "verified": arrangement.verified if arrangement else source == "chinese_calendar",
                "cited": arrangement.source if arrangement else "",
                "row": row,
                "next_year_missing": source is None and year == today.year + 1,
            }
        )
    return years
