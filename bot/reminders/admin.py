"""Administrators change schedules and calendars without a deploy: validated, then stored.

`careline reminders editions export|import FILE` and
`careline reminders calendar import FILE|remove REGION`. FILE is TOML or JSON of the same
shape as `content/schedules/immunization.toml` (editions) or one
`content/calendars/*.toml` document (a region). Nothing is written unless it loads.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core_data import load_workdays
from bot.reminders.sources import current_calendars
from reminders import calendars as cal
from reminders.dates import parse_date
from reminders.schedule import Schedule
from storage.models import CalendarOverride, ImmunizationEdition
from storage.repos import reminders as reminders_repo
from storage.repos import reminders as repo


def read_document(path: Path) -> dict[str, Any]:
    text = path.read_text("utf-8")
    raw = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    return dict(jsonable(raw))  # type: ignore[call-overload]


def jsonable(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


async def import_editions(
    session: AsyncSession, raw: Mapping[str, Any], now: datetime, actor: str
) -> list[str]:
    """Add or replace editions (by id). The whole schedule must still load afterwards."""
    incoming = {str(e["id"]): dict(e) for e in raw.get("editions", ())}
    Schedule.from_editions(list(incoming.values()))  # each edition is valid on its own
    rows = {r.edition: r for r in await reminders_repo.editions(session)}
    merged = {k: dict(r.data) for k, r in rows.items()} | incoming
    Schedule.from_editions(list(merged.values()))  # and together
    for edition_id, data in incoming.items():
        row = rows.get(edition_id)
        effective = parse_date(str(data["effective_from"]))
        if row is None:
            session.add(
                ImmunizationEdition(
                    edition=edition_id,
                    effective_from=effective,
                    data=data,
                    updated_at=now,
                    updated_by=actor,
                )
            )
        else:
            row.data, row.effective_from = data, effective
            row.updated_at, row.updated_by = now, actor
    return sorted(incoming)


async def export_editions(session: AsyncSession) -> dict[str, Any]:
    return {"editions": await repo.edition_rows(session)}


async def set_calendar(
    session: AsyncSession, doc: Mapping[str, Any], now: datetime, actor: str, today: date
) -> str:
    """Store a region's calendar document after checking that its windows compute."""
    region = str(doc.get("region", "")).strip()
    cal.region_chain(region)  # a valid code (or "national")
    book = await current_calendars(session, load_workdays())  # only checks the windows compute
    trial = cal.CalendarBook({**book.regions, region: dict(doc)}, book.workdays).resolve(region)
    cal.insurance_window(trial, today.year + 1)
    cal.school_registration_window(trial, "school_primary", today.year)
    cal.school_registration_window(trial, "school_junior_middle", today.year)
    cal.primary_entry_year(trial, today)
    cal.permit_endorsement_window(trial, today, today)
    row = await reminders_repo.calendar_override(session, region)
    if row is None:
        session.add(
            CalendarOverride(region=region, data=dict(doc), updated_at=now, updated_by=actor)
        )
    else:
        row.data, row.updated_at, row.updated_by = dict(doc), now, actor
    return region


async def remove_calendar(session: AsyncSession, region: str) -> bool:
    return await reminders_repo.remove_calendar_override(session, region)
