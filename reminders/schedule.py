"""The immunization schedule as versioned data: editions with an effective date, and entries.

Read by the shell from `content/schedules/immunization.toml` (`bot.core_data.load_schedule`) or from
any mapping of the same shape (`Schedule.from_mapping`), so the shell can load editions
stored in the database. Which edition applies: the one in force on the as-of date (the latest whose
`effective_from` is on or before it); dates before the first edition use the first one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from content.errors import InputError
from reminders.dates import add_age, parse_date

SEXES = ("f", "m")


class ScheduleError(InputError, ValueError):
    """The schedule data is malformed (raised while loading, never while computing)."""


@dataclass(frozen=True, slots=True)
class Entry:
    code: str
    vaccine: str
    dose: int
    years: int = 0
    months: int = 0
    sex: str | None = None
    live_injectable: bool = False
    min_interval_days: int = 0
    min_interval_months: int = 0
    after: str | None = None
    satisfied_by: tuple[str, ...] = ()
    catch_up_until_years: int | None = None
    verified: bool = True
    note: str = ""
    product: str | None = None  # what is given, when not the series name (2021 "DT")
    until_months: int | None = None  # not given at or after this age (BCG 48, MPSV-A 24)
    group: str | None = None  # alternative series of one vaccine ("JE": JE-L or JE-I)
    born_from: date | None = None  # only for children born on or after (HPV 2011-11-10)
    available_from: date | None = None  # not given before this date (HPV 2025-11-10)
    precondition: str | None = None  # e.g. "ppd": a negative PPD test first ...
    precondition_from_months: int = 0  # ... from this age
    fallback_months: int | None = None  # when `after` can no longer be given: this age ...
    fallback_interval_months: int = 0  # ... and this interval from that series' last dose
    source: str = ""

    def limit_months(self, edition_years: int) -> int:
        """Age in months from which the dose is no longer given (catch-up limit)."""
        if self.until_months is not None:
            return self.until_months
        if self.catch_up_until_years is not None:
            return self.catch_up_until_years * 12
        return edition_years * 12

    @property
    def product_name(self) -> str:
        return self.product or self.vaccine

    def due_date(self, birth: date) -> date:
        return add_age(birth, years=self.years, months=self.months)

    def age_months(self) -> int:
        return self.years * 12 + self.months

    def record_codes(self) -> frozenset[str]:
        """Record codes that count as this dose: its code, vaccine+dose, `satisfied_by`."""
        names = {self.code, f"{self.vaccine}{self.dose}", *self.satisfied_by}
        return frozenset(normalize_code(n) for n in names)

    def applies_to(self, sex: str | None) -> bool:
        return self.sex is None or self.sex == sex

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Entry:
        try:
            sex = raw.get("sex")
            if sex is not None and sex not in SEXES:
                raise ScheduleError(f"entry {raw.get('code')!r}: sex must be 'f' or 'm'")
            return cls(
                code=str(raw["code"]),
                vaccine=str(raw["vaccine"]),
                dose=int(raw["dose"]),
                years=int(raw.get("years", 0)),
                months=int(raw.get("months", 0)),
                sex=sex,
                live_injectable=bool(raw.get("live_injectable", False)),
                min_interval_days=int(raw.get("min_interval_days", 0)),
                min_interval_months=int(raw.get("min_interval_months", 0)),
                after=raw.get("after"),
                satisfied_by=tuple(str(c) for c in raw.get("satisfied_by", ())),
                catch_up_until_years=(
                    int(raw["catch_up_until_years"]) if "catch_up_until_years" in raw else None
                ),
                verified=bool(raw.get("verified", True)),
                note=str(raw.get("note", "")),
                product=_opt_str(raw.get("product")),
                until_months=_opt_int(raw.get("until_months")),
                group=_opt_str(raw.get("group")),
                born_from=_opt_date(raw.get("born_from")),
                available_from=_opt_date(raw.get("available_from")),
                precondition=_opt_str(raw.get("precondition")),
                precondition_from_months=int(raw.get("precondition_from_months", 0)),
                fallback_months=_opt_int(raw.get("fallback_months")),
                fallback_interval_months=int(raw.get("fallback_interval_months", 0)),
                source=str(raw.get("source", "")),
            )
        except ScheduleError:
            raise
        except KeyError as exc:
            raise ScheduleError(f"entry {raw.get('code')!r}: missing field {exc}") from exc
        except (TypeError, ValueError) as exc:
            raise ScheduleError(f"entry {raw.get('code')!r}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Switch:
    """From an age, the missing doses of a series are given as another product.

    2021 rules / 2025 notice: from 7 years the DTaP series is completed with DT; the series
    is complete with `complete_at` doses in all when one of them is the product.
    """

    series: str
    product: str
    from_months: int
    until_months: int | None = None
    complete_at: int | None = None
    verified: bool = False
    source: str = ""

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Switch:
        try:
            return cls(
                series=str(raw["series"]),
                product=str(raw["product"]),
                from_months=int(raw.get("from_months", 12 * int(raw.get("from_years", 0)))),
                until_months=_opt_int(raw.get("until_months"))
                or (int(raw["until_years"]) * 12 if "until_years" in raw else None),
                complete_at=_opt_int(raw.get("complete_at")),
                verified=bool(raw.get("verified", False)),
                source=str(raw.get("source", "")),
            )
        except KeyError as exc:
            raise ScheduleError(f"switch {raw.get('series')!r}: missing field {exc}") from exc
        except (TypeError, ValueError) as exc:
            raise ScheduleError(f"switch {raw.get('series')!r}: {exc}") from exc

    def record_matches(self, code: str) -> bool:
        """A record of the product: "DT", "DT2" (normalized codes)."""
        base = normalize_code(self.product)
        return code == base or (code.startswith(base) and code[len(base) :].isdigit())


def _opt_str(value: Any) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value)


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _opt_date(value: Any) -> date | None:
    return None if value is None else parse_date(value if isinstance(value, date) else str(value))


@dataclass(frozen=True, slots=True)
class Edition:
    id: str
    title: str
    effective_from: date
    entries: tuple[Entry, ...]
    catch_up_until_years: int = 18
    verified: bool = False
    note: str = ""
    switches: tuple[Switch, ...] = ()
    source: str = ""

    def entry(self, code: str) -> Entry | None:
        wanted = normalize_code(code)
        return next((e for e in self.entries if normalize_code(e.code) == wanted), None)

    def predecessor(self, entry: Entry) -> Entry | None:
        """The dose the entry's minimum interval is counted from, if any."""
        if entry.after:
            return self.entry(entry.after)
        earlier = [e for e in self.entries if e.vaccine == entry.vaccine and e.dose < entry.dose]
        return max(earlier, key=lambda e: e.dose) if earlier else None

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Edition:
        try:
            entries = tuple(Entry.from_mapping(e) for e in raw.get("entries", ()))
            edition = cls(
                id=str(raw["id"]),
                title=str(raw.get("title", raw["id"])),
                effective_from=parse_date(raw["effective_from"]),
                entries=entries,
                catch_up_until_years=int(raw.get("catch_up_until_years", 18)),
                verified=bool(raw.get("verified", False)),
                note=str(raw.get("note", "")),
                switches=tuple(Switch.from_mapping(w) for w in raw.get("switches", ())),
                source=str(raw.get("source", "")),
            )
        except ScheduleError:
            raise
        except KeyError as exc:
            raise ScheduleError(f"edition {raw.get('id')!r}: missing field {exc}") from exc
        except (TypeError, ValueError) as exc:
            raise ScheduleError(f"edition {raw.get('id')!r}: {exc}") from exc
        codes = [normalize_code(e.code) for e in entries]
        if len(set(codes)) != len(codes):
            raise ScheduleError(f"edition {edition.id!r}: duplicate dose codes")
        for entry in entries:
            if entry.after and edition.entry(entry.after) is None:
                raise ScheduleError(f"{entry.code}: 'after' names unknown code {entry.after!r}")
        for switch in edition.switches:
            if not any(e.vaccine == switch.series for e in entries):
                raise ScheduleError(f"switch names unknown series {switch.series!r}")
        for entry in entries:
            if entry.fallback_months is not None and not entry.after:
                raise ScheduleError(f"{entry.code}: 'fallback_months' needs 'after'")
        return edition


@dataclass(frozen=True, slots=True)
class Schedule:
    editions: tuple[Edition, ...]  # sorted by effective_from

    def in_force(self, as_of: date) -> Edition:
        """The edition in force on `as_of`; before the first edition, the first one."""
        current = self.editions[0]
        for edition in self.editions:
            if edition.effective_from <= as_of:
                current = edition
        return current

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Schedule:
        editions = sorted(
            (Edition.from_mapping(e) for e in raw.get("editions", ())),
            key=lambda e: e.effective_from,
        )
        if not editions:
            raise ScheduleError("a schedule needs at least one edition")
        return cls(tuple(editions))

    @classmethod
    def from_editions(cls, editions: Sequence[Mapping[str, Any]]) -> Schedule:
        return cls.from_mapping({"editions": list(editions)})


def normalize_code(code: str) -> str:
    """Codes compare without case, spaces, dashes or underscores: "je-l1" == "JE_L1"."""
    return "".join(ch for ch in code.casefold() if ch not in " -_")
