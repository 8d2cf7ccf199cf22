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
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from content.dates import add_months
from reminders import calendars as cal
from reminders.dates import add_age, month_day
from reminders.digest import (
    NEWBORN_ITEM,
    DueItem,
    catch_up_item,
    first_batch,
    honest_stages,
    vaccine_item,
)
from reminders.immunization import DueRules, plan_doses
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


def _vaccine_ages(schedule: Schedule, as_of: date) -> set[int]:
    """Ages (months) at which a dose may first fall due: entry ages and fallback ages."""
    edition = schedule.in_force(as_of)
    ages = {e.age_months() for e in edition.entries}
    ages |= {e.fallback_months for e in edition.entries if e.fallback_months is not None}
    return ages


def _intervals(schedule: Schedule, as_of: date) -> set[tuple[int, int]]:
    edition = schedule.in_force(as_of)
    pairs = {(e.min_interval_months, e.min_interval_days) for e in edition.entries}
    pairs |= {(e.fallback_interval_months, 0) for e in edition.entries if e.fallback_months}
    return {p for p in pairs if p != (0, 0)}


def _programme_starts(schedule: Schedule, lo_due: date, hi_due: date) -> list[tuple[date, date]]:
    """Birth dates of children first offered a dose on a programme's start (HPV launch)."""
    ranges = []
    for e in schedule.in_force(hi_due).entries:
        if e.available_from and lo_due <= e.available_from <= hi_due:
            oldest = e.born_from or add_age(e.available_from, years=-18)
            ranges.append((oldest, add_months(e.available_from, -e.age_months()) + SLACK))
    return ranges


async def vaccine_items(
    session: AsyncSession,
    schedule: Schedule,
    stages: Sequence[Stage],
    since: date,
    as_of: date,
    registered_since: datetime | None = None,
) -> list[DueItem]:
    """Dose reminders by stage around each dose's earliest date, and catch-up batches.

    Candidates (range queries): children born so that a dose's age (or fallback age) puts a
    stage in the window; children with a dose recorded so that the next dose's interval
    ends there; girls reaching a programme start (HPV); children registered since the last
    run. Each candidate's plan decides: a dose is reminded at the stages of its earliest
    allowed date; when the next clinic visit (batch 1) is today and holds a dose whose
    stages all passed before the window (registered late, or the record has gaps), ONE
    catch-up reminder lists that batch instead (ledger item = the batch's key: once per
    batch).
    """
    edition = schedule.in_force(as_of)
    lo_due, hi_due = _due_range(stages, since, as_of)
    last_offset = max(s.offset_days for s in stages)
    ranges = [
        (add_months(lo_due, -age) - SLACK, add_months(hi_due, -age) + SLACK)
        for age in _vaccine_ages(schedule, as_of)
    ]
    ranges += _programme_starts(schedule, lo_due, hi_due)
    given_ranges = [
        (
            add_months(lo_due, -m) - timedelta(days=d) - SLACK,
            add_months(hi_due, -m) - timedelta(days=d),
        )
        for m, d in _intervals(schedule, as_of)
    ]
    found: dict[int, Child] = {}
    for child in await repo.children_born_in(session, merge(ranges)):
        found[child.id] = child
    for child in await repo.children_with_doses_given_in(session, merge(given_ranges)):
        found.setdefault(child.id, child)
    if registered_since is not None:
        for child in await repo.children_registered_since(session, registered_since):
            found.setdefault(child.id, child)
    children = sorted(found.values(), key=lambda c: c.id)
    doses = await repo.doses_for(session, [c.id for c in children])
    horizon = max(0, -min(s.offset_days for s in stages)) + 1
    rules = DueRules(upcoming_days=horizon)
    items: list[DueItem] = []
    for child in children:
        if child.birth_date > as_of:
            log.warning("child %s: birth date after %s; no vaccine plan", child.id, as_of)
            continue
        plan = plan_doses(child.birth_date, child.sex, doses[child.id], as_of, schedule, rules)
        batch = first_batch(plan, as_of)
        missed = [d for d in batch if d.earliest_allowed + timedelta(days=last_offset) < since]
        if missed:
            items.append(catch_up_item(child.id, _label(child), batch, edition, as_of))
        in_batch = {d.code for d in batch} if missed else set()
        for dose in plan.doses:
            if dose.code in in_batch:
                continue
            for stage in hits(dose.earliest_allowed, stages, since, as_of):
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
                names = honest_stages(hits(window.end, stages, since, as_of), window.verified)
                for stage in names:
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


async def newborn_insurance_items(
    session: AsyncSession, book: cal.CalendarBook, stages: Sequence[Stage], since: date, as_of: date
) -> list[DueItem]:
    """Newborns: enrol within the region's newborn period (90 days) to be covered from birth."""
    lo_due, hi_due = _due_range(stages, since, as_of)
    items: list[DueItem] = []
    for region in await repo.region_codes(session):
        try:
            calendar = book.resolve(region)
            days = int(calendar.value("insurance", "newborn_enrol_within_days"))
            verified = calendar.verified("insurance", "newborn_enrol_within_days")
        except (cal.CalendarError, TypeError, ValueError) as exc:
            log.warning("newborn insurance for region %s: %s", region, exc)
            continue
        born = (lo_due - timedelta(days=days), hi_due - timedelta(days=days))
        rows = await repo.children_in_regions_born_in(session, [region], born)
        acks = await repo.acks_for(session, [c.id for c, _ in rows], ["insurance"])
        for child, _ in rows:
            if (child.id, "insurance", NEWBORN_ITEM) in acks:
                continue
            deadline = child.birth_date + timedelta(days=days)
            for stage in honest_stages(hits(deadline, stages, since, as_of), verified):
                items.append(
                    DueItem(child.id, _label(child), "insurance", NEWBORN_ITEM, stage, deadline)
                )
    return items


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
                    names = honest_stages(hits(window.end, stages, since, as_of), window.verified)
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
    registered_since: datetime | None = None,
) -> list[DueItem]:
    """Every (child, kind, item, stage) whose send date is in [since, as_of]."""
    vaccine_stages = stages_for("vaccine")
    return [
        *await vaccine_items(session, schedule, vaccine_stages, since, as_of, registered_since),
        *await insurance_items(session, book, stages_for("insurance"), since, as_of),
        *await newborn_insurance_items(session, book, stages_for("insurance"), since, as_of),
        *await school_items(session, book, stages_for, since, as_of),
        *await permit_items(session, stages_for("residence_permit"), since, as_of),
    ]
