"""Which immunization doses a child needs now: due, upcoming and overdue (pure).

How the schedule is applied:
- The edition in force on `as_of` decides every dose not yet given, also for a child born
  under an earlier edition (doses not yet due follow the new edition). Doses already given
  count by code, by vaccine + dose number ("DTaP3"), or by an entry's `satisfied_by` codes
  (a DT dose given under the 2021 edition counts as the 2025 DTaP5).
- A dose is listed when its age date falls on or before `as_of + upcoming_days`, the child
  is under the catch-up age (edition default 18, per entry e.g. BCG 4), and no record
  counts for it. Sex-restricted doses are listed only when the sex is known and matches.
- earliest_allowed: the age date, pushed later by the minimum interval from the previous
  dose of the series (from its recorded date; when a record has no date, its scheduled
  date is assumed; when it is itself still missing, from the day it can be given), and by
  the 28-day rule: an injectable live vaccine is not given 1-27 days after another one
  (recorded with a date, or planned earlier in this list); the same day is fine.
- status: "upcoming" when earliest_allowed is after `as_of`; otherwise "overdue" when
  `as_of` is past the age date plus `grace_months`; otherwise "due".
- catch_up: the dose is overdue, or it waits on an interval from a dose that is late.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Literal

from reminders.dates import add_age, add_months, parse_date
from reminders.schedule import Edition, Entry, Schedule, load_schedule, normalize_code

Status = Literal["due", "upcoming", "overdue"]
LIVE_GAP_DAYS = 28
Given = Mapping[str, date | None] | Iterable[str]


@dataclass(frozen=True, slots=True)
class DueRules:
    """Tunable horizons: what counts as upcoming, and how late is overdue."""

    upcoming_days: int = 30
    grace_months: int = 1


@dataclass(frozen=True, slots=True)
class DoseStatus:
    code: str
    vaccine: str
    dose: int
    due_date: date  # the date the child reaches the scheduled age
    status: Status
    earliest_allowed: date  # after minimum-interval and live-vaccine rules
    catch_up: bool
    age_months: int  # scheduled age, for messages ("6月龄")


def normalize_given(given: Given) -> dict[str, date | None]:
    """Codes of recorded doses (normalized) -> date given, when known."""
    if isinstance(given, Mapping):
        return {normalize_code(str(c)): d for c, d in given.items() if str(c).strip()}
    if isinstance(given, str):
        given = given.split(",")
    return {normalize_code(c): None for c in given if c.strip()}


def _is_given(entry: Entry, records: Mapping[str, date | None]) -> bool:
    return any(key in records for key in entry.record_codes())


def _given_on(entry: Entry, records: Mapping[str, date | None], birth: date) -> date:
    dates = [records[k] for k in entry.record_codes() if k in records]
    known = [d for d in dates if d is not None]
    return min(known) if known else entry.due_date(birth)


def _interval_end(start: date, entry: Entry) -> date:
    return add_months(start, entry.min_interval_months) + timedelta(days=entry.min_interval_days)


def due_doses(
    birth_date: date,
    sex: str | None,
    given: Given,
    as_of: date,
    schedule: Schedule | None = None,
    rules: DueRules | None = None,
) -> list[DoseStatus]:
    """The child's doses that are due, upcoming or overdue on `as_of`, by earliest date."""
    rules = rules or DueRules()
    edition = (schedule or load_schedule()).in_force(as_of)
    records = normalize_given(given)
    horizon = as_of + timedelta(days=rules.upcoming_days)
    sex = sex.strip().lower()[:1] if sex else None
    live_given = [
        d
        for e in edition.entries
        if e.live_injectable
        for k, d in records.items()
        if d is not None and k in e.record_codes()
    ]
    planned: dict[str, tuple[date, bool]] = {}  # code -> (planned date, late)
    result: list[DoseStatus] = []
    for entry in sorted(edition.entries, key=lambda e: (e.age_months(), e.dose)):
        if not entry.applies_to(sex) or _is_given(entry, records):
            continue
        due = entry.due_date(birth_date)
        if due > horizon or not _catch_up_allowed(entry, edition, birth_date, as_of):
            continue
        earliest, waits_on_late = _earliest(entry, edition, records, planned, birth_date, as_of)
        if entry.live_injectable:
            earliest = _live_gap(earliest, live_given, max(earliest, as_of))
            earliest = _live_gap(earliest, _planned_live(edition, planned), max(earliest, as_of))
        late = as_of > add_months(due, rules.grace_months)
        status: Status = "upcoming" if earliest > as_of else "overdue" if late else "due"
        planned[entry.code] = (max(earliest, as_of), late or waits_on_late)
        result.append(
            DoseStatus(
                code=entry.code,
                vaccine=entry.vaccine,
                dose=entry.dose,
                due_date=due,
                status=status,
                earliest_allowed=earliest,
                catch_up=late or waits_on_late,
                age_months=entry.age_months(),
            )
        )
    return sorted(result, key=lambda d: (d.earliest_allowed, d.due_date, d.code))


def _catch_up_allowed(entry: Entry, edition: Edition, birth: date, as_of: date) -> bool:
    limit = entry.catch_up_until_years or edition.catch_up_until_years
    return as_of < add_age(birth, years=limit)


def _earliest(
    entry: Entry,
    edition: Edition,
    records: Mapping[str, date | None],
    planned: Mapping[str, tuple[date, bool]],
    birth: date,
    as_of: date,
) -> tuple[date, bool]:
    earliest = entry.due_date(birth)
    previous = edition.predecessor(entry)
    if previous is None or not (entry.min_interval_days or entry.min_interval_months):
        return earliest, False
    if _is_given(previous, records):
        return max(earliest, _interval_end(_given_on(previous, records, birth), entry)), False
    if previous.code in planned:
        start, late = planned[previous.code]
        return max(earliest, _interval_end(start, entry)), late
    # The previous dose is missing but not listed (beyond the horizon or catch-up age):
    # count from the later of its scheduled date and today.
    start = max(previous.due_date(birth), as_of)
    return max(earliest, _interval_end(start, entry)), False


def _planned_live(edition: Edition, planned: Mapping[str, tuple[date, bool]]) -> list[date]:
    live_codes = {e.code for e in edition.entries if e.live_injectable}
    return [d for code, (d, _) in planned.items() if code in live_codes]


def _live_gap(earliest: date, others: Iterable[date], candidate_day: date) -> date:
    """Push a live injectable 28 days past any other given 1-27 days before its day."""
    changed = True
    while changed:
        changed = False
        day = max(earliest, candidate_day)
        for other in others:
            if other < day < other + timedelta(days=LIVE_GAP_DAYS):
                earliest = other + timedelta(days=LIVE_GAP_DAYS)
                candidate_day = earliest
                changed = True
    return earliest


def due_doses_json(
    birth_date: date,
    sex: str | None,
    given: Given,
    as_of: date,
    schedule: Schedule | None = None,
    rules: DueRules | None = None,
) -> list[dict[str, Any]]:
    """`due_doses` as JSON-ready dicts (dates as ISO strings)."""
    rows = []
    for dose in due_doses(birth_date, sex, given, as_of, schedule, rules):
        row = asdict(dose)
        row["due_date"] = dose.due_date.isoformat()
        row["earliest_allowed"] = dose.earliest_allowed.isoformat()
        rows.append(row)
    return rows


def vaccines_report(
    birth: date | str,
    sex: str | None,
    given: Given,
    as_of: date | str,
    schedule: Schedule | None = None,
    rules: DueRules | None = None,
) -> dict[str, Any]:
    """What `careline vaccines --birth ... [--sex f] [--given HepB1,BCG] [--as-of D]` prints."""
    birth_date, as_of_date = parse_date(birth), parse_date(as_of)
    rules = rules or DueRules()
    edition = (schedule or load_schedule()).in_force(as_of_date)
    records = normalize_given(given)
    known = {k for e in edition.entries for k in e.record_codes()}
    return {
        "birth": birth_date.isoformat(),
        "sex": sex,
        "as_of": as_of_date.isoformat(),
        "edition": {
            "id": edition.id,
            "title": edition.title,
            "effective_from": edition.effective_from.isoformat(),
        },
        "rules": {"upcoming_days": rules.upcoming_days, "grace_months": rules.grace_months},
        "doses": due_doses_json(birth_date, sex, records, as_of_date, schedule, rules),
        "unknown_given": sorted(c for c in records if c not in known),
    }
