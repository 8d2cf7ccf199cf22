"""Regional yearly calendars: insurance enrolment, school registration, residence permits.

Data: `content/calendars/*.toml`, one file per region (GB/T 2260 code) plus the national
default. A county ("530102") inherits its city ("530100"), the city its province
("530000"), the province the national default; any field can be overridden at any level.
Every resolved field remembers the region that set it and whether that fact is verified.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from content.dates import add_months
from content.errors import InputError
from reminders.dates import month_day
from reminders.workdays import DayInfo, Workdays

NATIONAL = "national"
HOLIDAYS_FILE = "holidays.toml"  # the holiday arrangements (reminders.workdays), not a region
_META = frozenset({"verified", "source"})


class CalendarError(InputError, ValueError):
    """Calendar data is malformed or a needed field is missing."""


@dataclass(frozen=True, slots=True)
class Fact:
    value: Any
    verified: bool
    source: str
    region: str  # the region whose file set this value


@dataclass(frozen=True, slots=True)
class RegionCalendar:
    region: str
    chain: tuple[str, ...]  # most specific first, ending with "national"
    sections: Mapping[str, Mapping[str, Fact]]
    workdays: Workdays  # for the deadlines of its windows (a day off or not)

    def fact(self, section: str, name: str) -> Fact:
        try:
            return self.sections[section][name]
        except KeyError as exc:
            raise CalendarError(f"{self.region}: no {section}.{name}") from exc

    def value(self, section: str, name: str) -> Any:
        return self.fact(section, name).value

    def verified(self, section: str, *names: str) -> bool:
        return all(self.fact(section, n).verified for n in names)


def region_chain(code: str) -> tuple[str, ...]:
    """ "530102" -> ("530102", "530100", "530000", "national")."""
    code = code.strip()
    if code in ("", NATIONAL, "000000"):
        return (NATIONAL,)
    if len(code) != 6 or not code.isdigit():
        raise CalendarError(f"region code must be 6 digits (GB/T 2260): {code!r}")
    chain = [code, code[:4] + "00", code[:2] + "0000"]
    return (*dict.fromkeys(chain), NATIONAL)


@dataclass(frozen=True, slots=True)
class CalendarBook:
    """All regions' raw data, keyed by region code."""

    regions: Mapping[str, Mapping[str, Any]]
    workdays: Workdays  # the holiday arrangements every resolved region's deadlines use

    @classmethod
    def from_mappings(cls, docs: Iterable[Mapping[str, Any]], workdays: Workdays) -> CalendarBook:
        regions: dict[str, Mapping[str, Any]] = {}
        for doc in docs:
            code = str(doc.get("region", "")).strip() or NATIONAL
            if code in regions:
                raise CalendarError(f"region {code} defined twice")
            regions[code] = doc
        if NATIONAL not in regions:
            raise CalendarError("a calendar book needs the national default")
        return cls(regions, workdays)

    def resolve(self, code: str) -> RegionCalendar:
        chain = region_chain(code)
        sections: dict[str, dict[str, Fact]] = {}
        for region in reversed(chain):  # national first, most specific last
            doc = self.regions.get(region)
            if doc is None:
                continue
            for section, values in doc.items():
                if not isinstance(values, Mapping):
                    continue
                verified = bool(values.get("verified", False))
                source = str(values.get("source", ""))
                target = sections.setdefault(section, {})
                for name, value in values.items():
                    if name not in _META:
                        target[name] = Fact(value, verified, source, region)
        return RegionCalendar(code, chain, sections, self.workdays)


@dataclass(frozen=True, slots=True)
class Window:
    """A period in which something must be done; `deadline` says if it is a day off."""

    kind: str  # "insurance", "school_primary", "school_junior_middle", "residence_permit"
    start: date
    end: date  # the deadline (inclusive)
    verified: bool
    label: str  # coverage year, school year or permit year, for messages
    deadline: DayInfo
    last_workday: date  # the last working day on or before `end`

    @classmethod
    def of(
        cls, workdays: Workdays, kind: str, start: date, end: date, verified: bool, label: str
    ) -> Window:
        """The window with its deadline's day and the last working day on or before it."""
        return cls(
            kind,
            start,
            end,
            verified,
            label,
            workdays.day_info(end),
            workdays.previous_workday(end),
        )

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _span(start_md: str, end_md: str, year: int) -> tuple[date, date]:
    """A "MM-DD".."MM-DD" span starting in `year`; an end before the start is next year."""
    start = month_day(start_md, year)
    end = month_day(end_md, year)
    if end < start:
        end = month_day(end_md, year + 1)
    return start, end


def insurance_window(cal: RegionCalendar, coverage_year: int) -> Window:
    """The enrolment window for resident medical insurance covering `coverage_year`."""
    next_year = cal.value("insurance", "coverage") == "next_year"
    opens = coverage_year - 1 if next_year else coverage_year
    start, end = _span(
        cal.value("insurance", "window_start"), cal.value("insurance", "window_end"), opens
    )
    verified = cal.verified("insurance", "window_start", "window_end", "coverage")
    return Window.of(cal.workdays, "insurance", start, end, verified, str(coverage_year))


def next_insurance_window(cal: RegionCalendar, as_of: date) -> Window:
    """The first enrolment window that has not closed on `as_of`."""
    for year in range(as_of.year - 1, as_of.year + 3):
        window = insurance_window(cal, year)
        if window.end >= as_of:
            return window
    raise CalendarError("no insurance window found")  # pragma: no cover - data is yearly


def newborn_enrol_by(cal: RegionCalendar, birth: date) -> date:
    """Last day to enrol a newborn so that cover starts from birth."""
    return birth + timedelta(days=int(cal.value("insurance", "newborn_enrol_within_days")))


def primary_entry_year(cal: RegionCalendar, birth: date) -> int:
    """The year a child starts primary school: reaching entry age on/before the cut-off."""
    age = int(cal.value("school_primary", "entry_age"))
    cutoff = month_day(cal.value("school_primary", "birth_cutoff"), birth.year + age)
    birthday = add_months(birth, age * 12)
    return birth.year + age if birthday <= cutoff else birth.year + age + 1


def school_registration_window(cal: RegionCalendar, level: str, year: int) -> Window:
    """Registration window of `level` ("school_primary", "school_junior_middle") in `year`."""
    start, end = _span(
        cal.value(level, "registration_start"), cal.value(level, "registration_end"), year
    )
    verified = cal.verified(level, "registration_start", "registration_end")
    return Window.of(cal.workdays, level, start, end, verified, str(year))


def primary_registration_for_child(cal: RegionCalendar, birth: date) -> Window:
    return school_registration_window(cal, "school_primary", primary_entry_year(cal, birth))


def permit_endorsement_window(cal: RegionCalendar, issued_on: date, as_of: date) -> Window:
    """The next yearly endorsement: within the month before each full year of residence."""
    months_before = int(cal.value("residence_permit", "endorse_months_before"))
    verified = cal.verified("residence_permit", "endorse_months_before")
    years = max(1, as_of.year - issued_on.year)
    while True:
        anniversary = add_months(issued_on, 12 * years)
        end = anniversary - timedelta(days=1)
        if end >= as_of:
            start = add_months(anniversary, -months_before)
            return Window.of(cal.workdays, "residence_permit", start, end, verified, str(years))
        years += 1


# What each reminder needs from a region, for the administrators' "data to check" list.
NEEDED: Mapping[str, tuple[str, ...]] = {
    "insurance": ("window_start", "window_end", "coverage", "newborn_enrol_within_days"),
    "school_primary": ("entry_age", "birth_cutoff", "registration_start", "registration_end"),
    "school_junior_middle": ("registration_start", "registration_end"),
    "residence_permit": ("endorse_months_before",),
}


@dataclass(frozen=True, slots=True)
class DataGap:
    """A region's reminder data that is not verified, or that only the national default sets."""

    region: str
    section: str
    problem: str  # "unverified" | "national_default" | "missing"
    source: str  # where the value in use comes from


def data_gaps(book: CalendarBook, regions: Iterable[str]) -> list[DataGap]:
    """For the regions in use: sections still unverified, or with no regional data at all.

    A verified national rule (residence-permit endorsement) is not a gap; a national
    placeholder used for a province is ("national_default")."""
    gaps: list[DataGap] = []
    for region in sorted(set(regions)):
        try:
            cal = book.resolve(region)
        except CalendarError:
            gaps.append(DataGap(region, "*", "missing", "region code not GB/T 2260"))
            continue
        for section, names in NEEDED.items():
            facts = [cal.sections.get(section, {}).get(n) for n in names]
            if any(f is None for f in facts):
                gaps.append(DataGap(region, section, "missing", ""))
                continue
            present = [f for f in facts if f is not None]
            if all(f.verified for f in present):
                continue
            regional = [f for f in present if f.region != NATIONAL]
            problem = "unverified" if regional else "national_default"
            source = "; ".join(dict.fromkeys(f.source for f in present if f.source))
            gaps.append(DataGap(region, section, problem, source))
    return gaps
