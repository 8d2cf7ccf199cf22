"""Find what falls due, set-based: range queries on indexed dates, then exact checks in Python.

For every schedule entry and stage, the children whose birth date puts that stage's date in
[since, as_of] are one birth-date range; all ranges go to the database in one query. The
same for residence-permit anniversaries; insurance and school windows are computed per
region, then the children of those regions (school: of the birth cohort) are fetched.
The rows returned are the candidates; the pure core (`due_doses`, the calendars) decides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from reminders import calendars as cal
from reminders.dates import add_age, add_months, month_day
from reminders.digest import DueItem, vaccine_item
from reminders.immunization import DueRules, due_doses
from reminders.schedule import Schedule
from reminders.stages import Stage
from storage.models import Child
from storage.repos import reminders as repo

log = logging.getLogger(__name__)
SLACK = timedelta(days=3)  # month-end clamping makes age arithmetic not exactly invertible
PERMIT_YEARS = 18
StagesFor = Callable[[str], Sequence[Stage]]


def hits(due: date, stages: Sequence[Stage], since: date, as_of: date) -> list[str]:
    """Stage names whose send date falls in [since, as_of]."""
    return [s.name for s in stages if since <= due + timedelta(days=s.offset_days) <= as_of]


def merge(ranges: list[tuple[date, date]]) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _due_range(stages: Sequence[Stage], since: date, as_of: date) -> tuple[date, date]:
    """Due dates that put some stage in [since, as_of]."""
    offsets = [s.offset_days for s in stages]
    return since - timedelta(days=max(offsets)), as_of - timedelta(days=min(offsets))


def _label(child: Child) -> str:
    return child.display_name


async def vaccine_items(
    session: AsyncSession, schedule: Schedule, stages: Sequence[Stage], since: date, as_of: date
) -> list[DueItem]:
    edition = schedule.in_force(as_of)
    lo_due, hi_due = _due_range(stages, since, as_of)
    ranges = [
        (add_months(lo_due, -e.age_months()) - SLACK, add_months(hi_due, -e.age_months()) + SLACK)
        for e in edition.entries
    ]
    children = await repo.children_born_in(session, merge(ranges))
    doses = await repo.doses_for(session, [c.id for c in children])
    horizon = max(0, -min(s.offset_days for s in stages)) + 1
    rules = DueRules(upcoming_days=horizon)
    items: list[DueItem] = []
    for child in children:
        listed = due_doses(child.birth_date, child.sex, doses[child.id], as_of, schedule, rules)
        for dose in listed:
            for stage in hits(dose.due_date, stages, since, as_of):
                items.append(vaccine_item(child.id, _label(child), dose, stage, edition))
    return items


async def insurance_items(
    session: AsyncSession, book: cal.CalendarBook, stages: Sequence[Stage], since: date, as_of: date
) -> list[DueItem]:
    due_in: dict[str, list[tuple[str, str, date]]] = {}  # region -> (year, stage, deadline)
    for region in await repo.region_codes(session):
        try:
            calendar = book.resolve(region)
            for year in range(as_of.year - 1, as_of.year + 3):
                window = cal.insurance_window(calendar, year)
                for stage in hits(window.end, stages, since, as_of):
                    due_in.setdefault(region, []).append((str(year), stage, window.end))
        except cal.CalendarError as exc:
            log.warning("insurance calendar for region %s: %s", region, exc)
    if not due_in:
        return []
    born = (add_age(as_of, years=-18) + timedelta(days=1), as_of)
    rows = await repo.children_in_regions_born_in(session, list(due_in), born)
    acks = await repo.acks_for(session, [c.id for c, _ in rows], ["insurance"])
    return [
        DueItem(child.id, _label(child), "insurance", year, stage, deadline)
        for child, region in rows
        for year, stage, deadline in due_in[region]
        if (child.id, "insurance", year) not in acks
    ]


def _cohort(calendar: cal.RegionCalendar, entry_year: int) -> tuple[date, date]:
    """Birth dates of the children who start primary school in `entry_year`."""
    age = int(calendar.value("school_primary", "entry_age"))
    cutoff = str(calendar.value("school_primary", "birth_cutoff"))
    return (
        month_day(cutoff, entry_year - age - 1) + timedelta(days=1) - SLACK,
        month_day(cutoff, entry_year - age) + SLACK,
    )


async def school_items(
    session: AsyncSession, book: cal.CalendarBook, stages_for: StagesFor, since: date, as_of: date
) -> list[DueItem]:
    items: list[DueItem] = []
    for region in await repo.region_codes(session):
        for level, offset in (("school_primary", 0), ("school_junior_middle", 6)):
            stages = stages_for(level)
            try:
                calendar = book.resolve(region)
                for year in (as_of.year - 1, as_of.year, as_of.year + 1):
                    window = cal.school_registration_window(calendar, level, year)
                    names = hits(window.end, stages, since, as_of)
                    if not names:
                        continue
                    rows = await repo.children_in_regions_born_in(
                        session, [region], _cohort(calendar, year - offset)
                    )
                    acks = await repo.acks_for(session, [c.id for c, _ in rows], [level])
                    for child, _ in rows:
                        if cal.primary_entry_year(calendar, child.birth_date) + offset != year:
                            continue
                        if (child.id, level, str(year)) in acks:
                            continue
                        items += [
                            DueItem(child.id, _label(child), level, str(year), n, window.end)  # type: ignore[arg-type]
                            for n in names
                        ]
            except cal.CalendarError as exc:
                log.warning("%s calendar for region %s: %s", level, region, exc)
    return items


async def permit_items(
    session: AsyncSession, stages: Sequence[Stage], since: date, as_of: date
) -> list[DueItem]:
    """Endorsement deadlines: the day before each full year since the permit was issued."""
    lo_due, hi_due = _due_range(stages, since, as_of)
    ranges = [
        (add_months(lo_due, -12 * k) - SLACK, add_months(hi_due, -12 * k) + SLACK)
        for k in range(1, PERMIT_YEARS + 1)
    ]
    rows = await repo.children_permit_issued_in(session, merge(ranges))
    acks = await repo.acks_for(session, [c.id for c, _ in rows], ["residence_permit"])
    items: list[DueItem] = []
    for child, _region in rows:
        issued = child.residence_permit_issued_on
        assert issued is not None
        for k in range(1, PERMIT_YEARS + 1):
            anniversary = add_months(issued, 12 * k)
            deadline = anniversary - timedelta(days=1)
            item = str(anniversary.year)
            if (child.id, "residence_permit", item) in acks:
                continue
            items += [
                DueItem(child.id, _label(child), "residence_permit", item, n, deadline)
                for n in hits(deadline, stages, since, as_of)
            ]
    return items


async def find_due(
    session: AsyncSession,
    schedule: Schedule,
    book: cal.CalendarBook,
    stages_for: StagesFor,
    since: date,
    as_of: date,
) -> list[DueItem]:
    """Every (child, kind, item, stage) whose send date is in [since, as_of]."""
    return [
        *await vaccine_items(session, schedule, stages_for("vaccine"), since, as_of),
        *await insurance_items(session, book, stages_for("insurance"), since, as_of),
        *await school_items(session, book, stages_for, since, as_of),
        *await permit_items(session, stages_for("residence_permit"), since, as_of),
    ]
