"""The immunization schedule as versioned data: editions with an effective date, and entries.

Loaded from `content/schedules/immunization.toml` (`load_schedule()`) or from any mapping of
the same shape (`Schedule.from_mapping`), so the shell can load editions stored in the
database. Which edition applies: the one in force on the as-of date (the latest whose
`effective_from` is on or before it); dates before the first edition use the first one.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from reminders.dates import add_age, parse_date

SEXES = ("f", "m")


class ScheduleError(ValueError):
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
            )
        except KeyError as exc:
            raise ScheduleError(f"entry {raw.get('code')!r}: missing field {exc}") from exc


@dataclass(frozen=True, slots=True)
class Edition:
    id: str
    title: str
    effective_from: date
    entries: tuple[Entry, ...]
    catch_up_until_years: int = 18
    verified: bool = False
    note: str = ""

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
            )
        except KeyError as exc:
            raise ScheduleError(f"edition {raw.get('id')!r}: missing field {exc}") from exc
        codes = [normalize_code(e.code) for e in entries]
        if len(set(codes)) != len(codes):
            raise ScheduleError(f"edition {edition.id!r}: duplicate dose codes")
        for entry in entries:
            if entry.after and edition.entry(entry.after) is None:
                raise ScheduleError(f"{entry.code}: 'after' names unknown code {entry.after!r}")
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


@lru_cache(maxsize=1)
def load_schedule() -> Schedule:
    """The shipped schedule (`content/schedules/immunization.toml`)."""
    text = resources.files("content.schedules").joinpath("immunization.toml").read_text("utf-8")
    return Schedule.from_mapping(tomllib.loads(text))
