"""Which immunization doses a child still needs, and when each may be given (pure).

`plan_doses` is the catch-up plan of the National Immunization Program (IMMUNIZATION.md):
- The edition in force on `as_of` decides every dose not yet given, also for a child born
  under an earlier edition. Records count by code, by series + dose number ("DTaP3"), by an
  entry's `satisfied_by` codes, or by Chinese names (`reminders.dose_names`).
- Only the missing doses are planned, never a restart. Each gets its earliest allowed date:
  its age date (or `available_from`), the minimum interval from the previous dose of its
  series (recorded date; the scheduled date when a record has no date; the planned date when
  that dose is itself missing), and the 28-day rule between injectable live vaccines given
  on different days.
- The plan is a sequence of clinic visits (batches): the first on `as_of` (or the first day
  a dose may be given), each next one on the first day a remaining dose may be given.
- Limits: nothing on or after the edition's catch-up age (18) or an entry's own limit
  (`until_months`: BCG 48, MPSV-A 24); a series whose previous dose can no longer be given
  stops, unless the entry has a fallback (MPSV-AC1 as soon as possible from 24 months).
- Switches (data): from 7 years the DTaP series is completed with DT; with one DT dose,
  `complete_at` doses in all complete it.
- Alternatives (`group`): JE-L or JE-I, HepA-L or HepA-I; the series with records counts.
- Eligibility: `sex`, `born_from` (HPV: born on or after 2011-11-10). A sex-specific dose
  with the sex unknown is a warning, not silence. A birth date after `as_of` is an error.
- status: "upcoming" when the earliest allowed date is after `as_of`; otherwise "overdue"
  when `as_of` is past the age date plus `grace_months`; otherwise "due". Nothing is overdue
  before it may be given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from content.dates import add_months
from reminders.dates import add_age, parse_date
from reminders.schedule import Edition, Entry, Schedule, Switch, normalize_code

Status = Literal["due", "upcoming", "overdue"]
LIVE_GAP_DAYS = 28
MAX_ROUNDS = 200
Given = Mapping[str, date | None] | Iterable[str]


@dataclass(frozen=True, slots=True)
class DueRules:
    """Tunable horizons: what counts as upcoming, and how late is overdue."""

    upcoming_days: int = 30
    grace_months: int = 1


@dataclass(frozen=True, slots=True)
class DoseStatus:
    code: str
    vaccine: str  # the product given: "DT" for a DTaP-series dose from 7 years
    dose: int
    due_date: date  # the date the child reaches the scheduled age
    status: Status
    earliest_allowed: date  # first day it may be given (age, intervals, 28-day live rule)
    catch_up: bool
    age_months: int  # scheduled age, for messages ("6月龄")
    series: str = ""  # the schedule series ("DTaP")
    batch: int = 1  # the clinic visit of the plan it belongs to (1 = the next one)
    precondition: str | None = None  # "ppd": a negative PPD test comes first
    verified: bool = True  # False when a rule used for it is not verified
    planned_on: date | None = None  # the day of its batch: max(earliest_allowed, as_of) or later


@dataclass(frozen=True, slots=True)
class Batch:
    number: int
    day: date  # the earliest day all its doses may be given
    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NotGiven:
    code: str
    reason: str  # "age_limit", "series_complete", "after_missing", "born_before", "sex_unknown"


@dataclass(frozen=True, slots=True)
class Plan:
    edition: Edition
    doses: tuple[DoseStatus, ...]  # every missing dose, by earliest date
    batches: tuple[Batch, ...]
    not_given: tuple[NotGiven, ...] = ()
    warnings: tuple[str, ...] = ()

    def first_batch(self) -> Batch | None:
        return self.batches[0] if self.batches else None


def normalize_given(given: Given) -> dict[str, date | None]:
    """Codes of recorded doses (normalized) -> date given, when known."""
    if isinstance(given, Mapping):
        return {normalize_code(str(c)): d for c, d in given.items() if str(c).strip()}
    if isinstance(given, str):
        given = given.split(",")
    return {normalize_code(c): None for c in given if c.strip()}


def _is_given(entry: Entry, records: Mapping[str, date | None], extra: str = "") -> bool:
    return any(key in records for key in _codes(entry, extra))


def _codes(entry: Entry, extra: str = "") -> frozenset[str]:
    """Record codes of an entry, plus its code when given as a switch product ("DT4")."""
    return (
        entry.record_codes() | {normalize_code(f"{extra}{entry.dose}")}
        if extra
        else entry.record_codes()
    )


def _product_of(edition: Edition, entry: Entry) -> str:
    switch = next((w for w in edition.switches if w.series == entry.vaccine), None)
    return switch.product if switch else ""


def _given_on(
    entry: Entry, records: Mapping[str, date | None], birth: date, extra: str = ""
) -> date:
    dates = [records[k] for k in _codes(entry, extra) if k in records]
    known = [d for d in dates if d is not None]
    return min(known) if known else entry.due_date(birth)


def _interval_end(start: date, entry: Entry) -> date:
    return add_months(start, entry.min_interval_months) + timedelta(days=entry.min_interval_days)


def _live_gap(earliest: date, others: Iterable[date], candidate_day: date) -> date:
    """Push a live injectable 28 days past any other given 1-27 days before its day."""
    others = list(others)
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


def _norm_sex(sex: str | None) -> str | None:
    s = sex.strip().lower()[:1] if sex else None
    return s if s in ("f", "m") else None


@dataclass
class _State:
    """The plan being built: what is done (recorded), planned, dropped."""

    birth: date
    as_of: date
    edition: Edition
    records: Mapping[str, date | None]
    active: dict[str, Entry]
    done: dict[str, date] = field(default_factory=dict)
    done_product: dict[str, str] = field(default_factory=dict)
    planned: dict[str, tuple[date, str]] = field(default_factory=dict)  # code -> (visit, product)
    earliest: dict[str, date] = field(default_factory=dict)  # code -> earliest allowed
    dropped: dict[str, str] = field(default_factory=dict)
    live_dates: list[date] = field(default_factory=list)

    def age(self, months: int) -> date:
        return add_age(self.birth, months=months)

    def when(self, code: str) -> date | None:
        if code in self.done:
            return self.done[code]
        if code in self.planned:
            return self.planned[code][0]
        return None

    def series_count(self, switch: Switch) -> tuple[int, bool]:
        """Doses of the series done or planned, and whether one of them is the product."""
        codes = [c for c, e in self.active.items() if e.vaccine == switch.series]
        n, has_product = 0, False
        for code in codes:
            if code in self.done:
                n += 1
                has_product |= self.done_product[code] == switch.product
            elif code in self.planned:
                n += 1
                has_product |= self.planned[code][1] == switch.product
        entry_codes = {k for c in codes for k in _codes(self.active[c], switch.product)}
        extra = [k for k in self.records if k not in entry_codes and switch.record_matches(k)]
        return n + len(extra), has_product or bool(extra)


def _switch_for(edition: Edition, entry: Entry) -> Switch | None:
    return next((w for w in edition.switches if w.series == entry.vaccine), None)


def _choose_options(edition: Edition, records: Mapping[str, date | None]) -> set[str]:
    """Vaccines left out because another series of their group is the one in use."""
    groups: dict[str, list[str]] = {}
    for e in edition.entries:
        if e.group and e.vaccine not in groups.setdefault(e.group, []):
            groups[e.group].append(e.vaccine)
    left_out: set[str] = set()
    for options in groups.values():
        by_v = {v: [e for e in edition.entries if e.vaccine == v] for v in options}
        complete = [v for v in options if all(_is_given(e, records) for e in by_v[v])]
        started = [v for v in options if any(_is_given(e, records) for e in by_v[v])]
        chosen = (complete or started or options)[0]
        left_out |= {v for v in options if v != chosen}
    return left_out


def _active(
    edition: Edition, records: Mapping[str, date | None], sex: str | None, birth: date
) -> tuple[dict[str, Entry], list[NotGiven], list[str]]:
    left_out = _choose_options(edition, records)
    active: dict[str, Entry] = {}
    not_given: list[NotGiven] = []
    warnings: list[str] = []
    for e in sorted(edition.entries, key=lambda e: (e.age_months(), e.dose)):
        if e.vaccine in left_out:
            continue
        if e.born_from and birth < e.born_from:
            not_given.append(NotGiven(e.code, "born_before"))
            continue
        if e.sex is not None and sex is None:
            not_given.append(NotGiven(e.code, "sex_unknown"))
            warning = f"sex unknown: {e.vaccine} (sex {e.sex}) not planned; record the child's sex"
            if warning not in warnings:
                warnings.append(warning)
            continue
        if not e.applies_to(sex):
            continue
        active[e.code] = e
    return active, not_given, warnings


def _record_product(st: _State, entry: Entry) -> str:
    switch = _switch_for(st.edition, entry)
    keys = [k for k in _codes(entry, switch.product if switch else "") if k in st.records]
    if switch and any(switch.record_matches(k) for k in keys):
        return switch.product
    return entry.product_name


def _candidate(st: _State, entry: Entry) -> tuple[str, date, date, str] | tuple[str, str] | None:
    """("ok", due date, earliest day, product), ("drop", reason), or None to wait."""
    edition = st.edition
    limit = st.age(
        min(entry.limit_months(edition.catch_up_until_years), edition.catch_up_until_years * 12)
    )
    switch = _switch_for(edition, entry)
    if switch and switch.complete_at:
        n, has_product = st.series_count(switch)
        if has_product and n >= switch.complete_at:
            return ("drop", "series_complete")
    due = entry.due_date(st.birth)
    day = due
    previous = edition.predecessor(entry)
    if previous is not None:
        start = st.when(previous.code)
        if start is None and previous.code in st.active and previous.code not in st.dropped:
            return None  # the previous dose is still to be planned
        if start is not None:
            if entry.min_interval_days or entry.min_interval_months:
                day = max(day, _interval_end(start, entry))
        elif entry.fallback_months is not None:
            due = day = st.age(entry.fallback_months)
            last = [
                d
                for code, e in st.active.items()
                if e.vaccine == previous.vaccine and (d := st.when(code)) is not None
            ]
            if last:
                day = max(day, add_months(max(last), entry.fallback_interval_months))
        else:
            return ("drop", "after_missing")
    if entry.available_from:
        day = max(day, entry.available_from)
    product = entry.product_name
    if switch and max(day, st.as_of) >= st.age(switch.from_months):
        product = switch.product
        if switch.until_months is not None:
            limit = min(limit, st.age(switch.until_months))
    if entry.live_injectable:
        day = _live_gap(day, st.live_dates, max(day, st.as_of))
    if max(day, st.as_of) >= limit:
        return ("drop", "age_limit")
    return ("ok", due, day, product)


def plan_doses(
    birth_date: date,
    sex: str | None,
    given: Given,
    as_of: date,
    schedule: Schedule,
    rules: DueRules | None = None,
) -> Plan:
    """The child's missing doses, each with its earliest date, grouped into clinic visits."""
    if birth_date > as_of:
        raise ValueError(f"birth date {birth_date.isoformat()} is after {as_of.isoformat()}")
    rules = rules or DueRules()
    edition = schedule.in_force(as_of)
    records = normalize_given(given)
    sex = _norm_sex(sex)
    active, not_given, warnings = _active(edition, records, sex, birth_date)
    st = _State(birth_date, as_of, edition, records, active)
    for code, e in active.items():
        product = _product_of(edition, e)
        if _is_given(e, records, product):
            st.done[code] = _given_on(e, records, birth_date, product)
            st.done_product[code] = _record_product(st, e)
    st.live_dates = [
        d
        for e in edition.entries
        if e.live_injectable
        for k, d in records.items()
        if d is not None and k in e.record_codes()
    ]
    pending = [e for e in active.values() if e.code not in st.done]
    dues: dict[str, date] = {}
    for _ in range(MAX_ROUNDS):
        if not pending:
            break
        found: dict[str, tuple[date, date, str]] = {}
        progressed = False
        for e in list(pending):
            result = _candidate(st, e)
            if result is None:
                continue
            if result[0] == "drop":
                st.dropped[e.code] = str(result[1])
                not_given.append(NotGiven(e.code, str(result[1])))
                pending.remove(e)
                progressed = True
            else:
                _, due, day, product = result  # type: ignore[misc]
                found[e.code] = (due, day, product)
        if not found:
            if progressed:
                continue
            break
        visit = max(as_of, min(day for _, day, _ in found.values()))
        for code, (due, day, product) in found.items():
            if day <= visit:
                st.planned[code] = (visit, product)
                st.earliest[code] = day
                dues[code] = due
                pending.remove(active[code])
        if any(
            active[c].live_injectable and st.planned[c][0] == visit
            for c in found
            if c in st.planned
        ):
            st.live_dates.append(visit)
    return _build(st, dues, not_given, warnings, rules)


def _build(
    st: _State,
    dues: Mapping[str, date],
    not_given: list[NotGiven],
    warnings: list[str],
    rules: DueRules,
) -> Plan:
    days = sorted({day for day, _ in st.planned.values()})
    number = {day: i + 1 for i, day in enumerate(days)}
    doses: list[DoseStatus] = []
    for code, (visit, product) in st.planned.items():
        e = st.active[code]
        due, day = dues[code], st.earliest[code]
        # lateness counts from the first day the programme offers the dose (HPV: 2025-11-10)
        grace_end = add_months(max(due, e.available_from or due), rules.grace_months)
        late = st.as_of > grace_end
        status: Status = "upcoming" if day > st.as_of else "overdue" if late else "due"
        switch = _switch_for(st.edition, e)
        switched = switch is not None and product == switch.product and product != e.product_name
        pre = None
        if e.precondition and visit >= st.age(e.precondition_from_months):
            pre = e.precondition
        doses.append(
            DoseStatus(
                code=_switched_code(e, product) if switched else code,
                vaccine=product,
                dose=e.dose,
                due_date=due,
                status=status,
                earliest_allowed=day,
                catch_up=late or day > grace_end,
                age_months=e.age_months(),
                series=e.vaccine,
                batch=number[visit],
                precondition=pre,
                verified=e.verified and (not switched or bool(switch and switch.verified)),
                planned_on=visit,
            )
        )
    doses.sort(key=lambda d: (d.batch, d.earliest_allowed, d.due_date, d.code))
    batches = tuple(
        Batch(number[day], day, tuple(d.code for d in doses if d.batch == number[day]))
        for day in days
    )
    return Plan(st.edition, tuple(doses), batches, tuple(not_given), tuple(warnings))


def _switched_code(entry: Entry, product: str) -> str:
    """A DTaP-series dose given as DT: "DT" + the dose number in the series ("DT4")."""
    return f"{product}{entry.dose}"


def due_doses(
    birth_date: date,
    sex: str | None,
    given: Given,
    as_of: date,
    schedule: Schedule,
    rules: DueRules | None = None,
) -> list[DoseStatus]:
    """The doses whose earliest date is on or before `as_of + upcoming_days`."""
    rules = rules or DueRules()
    horizon = as_of + timedelta(days=rules.upcoming_days)
    plan = plan_doses(birth_date, sex, given, as_of, schedule, rules)
    return [d for d in plan.doses if d.earliest_allowed <= horizon]


def _dose_json(dose: DoseStatus) -> dict[str, Any]:
    row = asdict(dose)
    row["due_date"] = dose.due_date.isoformat()
    row["earliest_allowed"] = dose.earliest_allowed.isoformat()
    row["planned_on"] = dose.planned_on.isoformat() if dose.planned_on else None
    return row


def due_doses_json(
    birth_date: date,
    sex: str | None,
    given: Given,
    as_of: date,
    schedule: Schedule,
    rules: DueRules | None = None,
) -> list[dict[str, Any]]:
    """`due_doses` as JSON-ready dicts (dates as ISO strings)."""
    return [_dose_json(d) for d in due_doses(birth_date, sex, given, as_of, schedule, rules)]


def vaccines_report(
    birth: date | str,
    sex: str | None,
    given: Given,
    as_of: date | str,
    schedule: Schedule,
    rules: DueRules | None = None,
) -> dict[str, Any]:
    """What `careline vaccines --birth ... [--sex f] [--given HepB1@2026-01-05,BCG]` prints.

    `doses` are those due, overdue or upcoming within `upcoming_days`; `plan` is every
    missing dose and `batches` the clinic visits they group into.
    """
    birth_date, as_of_date = parse_date(birth), parse_date(as_of)
    rules = rules or DueRules()
    plan = plan_doses(birth_date, sex, given, as_of_date, schedule, rules)
    edition = plan.edition
    records = normalize_given(given)
    known = {k for e in edition.entries for k in e.record_codes()}
    switches = edition.switches
    horizon = as_of_date + timedelta(days=rules.upcoming_days)
    return {
        "birth": birth_date.isoformat(),
        "sex": sex,
        "as_of": as_of_date.isoformat(),
        "edition": {
            "id": edition.id,
            "title": edition.title,
            "effective_from": edition.effective_from.isoformat(),
            "verified": edition.verified,
        },
        "rules": {"upcoming_days": rules.upcoming_days, "grace_months": rules.grace_months},
        "doses": [_dose_json(d) for d in plan.doses if d.earliest_allowed <= horizon],
        "batches": [
            {"batch": b.number, "date": b.day.isoformat(), "codes": list(b.codes)}
            for b in plan.batches
        ],
        "plan": [_dose_json(d) for d in plan.doses],
        "not_given": [{"code": n.code, "reason": n.reason} for n in plan.not_given],
        "warnings": list(plan.warnings),
        "unknown_given": sorted(
            c for c in records if c not in known and not any(w.record_matches(c) for w in switches)
        ),
    }
