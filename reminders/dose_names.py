"""Dose names as people type them: codes (HepB1), Chinese names (乙肝1, 乙肝第1剂, 卡介苗),
with an optional date (HepB1@2026-01-05). Unknown names are errors that list the accepted
names, never silently ignored (pure: the names, `content/schedules/dose_names.toml`, are
read by the shell and passed in as `DoseNames`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from content.errors import InputError
from reminders.schedule import Edition, Schedule, normalize_code

SEPARATORS = re.compile(r"[,，、;；\s]+")
_NUMBERED = re.compile(r"^(?P<name>.+?)(?:第)?(?P<n>\d+)?(?:剂|劑|针|針)?$")


class DoseNameError(InputError, ValueError):
    """A dose name or date that cannot be read; the message lists what is accepted."""


@dataclass(frozen=True, slots=True)
class DoseNames:
    """Chinese name -> series (`content/schedules/dose_names.toml` ``[names]``)."""

    raw: Mapping[str, str]  # as written
    by_name: Mapping[str, str]  # normalized (`normalize_code`)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, object]) -> DoseNames:
        names = {str(k): str(v) for k, v in dict(raw["names"]).items()}  # type: ignore[call-overload]
        return cls(names, {normalize_code(k): v for k, v in names.items()})


def _known_codes(schedule: Schedule) -> dict[str, str]:
    """Normalized record code -> the code as written, over every edition."""
    known: dict[str, str] = {}
    for edition in schedule.editions:
        for e in edition.entries:
            for k in e.record_codes():
                known.setdefault(k, e.code)
            known.setdefault(normalize_code(e.code), e.code)
        for w in edition.switches:
            known.setdefault(normalize_code(w.product), w.product)
    return known


def accepted_names(edition: Edition, names_of: DoseNames) -> list[str]:
    """What `careline vaccines --given` accepts, for error messages."""
    names = [e.code for e in edition.entries]
    names += [w.product for w in edition.switches if w.product not in names]
    series = {e.vaccine for e in edition.entries} | {w.product for w in edition.switches}
    by_series: dict[str, str] = {}
    for raw, s in names_of.raw.items():
        if s in series:
            by_series.setdefault(s, raw)
    for s, raw in by_series.items():
        n = sum(1 for e in edition.entries if e.vaccine == s)
        names.append(f"{raw}1…{raw}{n}" if n > 1 else raw)
    return names


def resolve(
    name: str, schedule: Schedule, names: DoseNames, as_of: date | None = None
) -> str | None:
    """The schedule code for a typed dose name, or None when it is not one."""
    key = normalize_code(name)
    known = _known_codes(schedule)
    if key in known:
        return known[key]
    match = _NUMBERED.match(key)
    if not match:
        return None
    series = names.by_name.get(match["name"])
    if series is None:
        return None
    number = int(match["n"]) if match["n"] else None
    editions = [schedule.in_force(as_of)] if as_of else []
    editions += list(reversed(schedule.editions))
    for edition in editions:
        if any(w.product == series for w in edition.switches):
            return series if number is None else f"{series}{number}"
        doses = [e for e in edition.entries if e.vaccine == series]
        if not doses:
            continue
        if number is None and len(doses) == 1:
            return doses[0].code
        found = next((e for e in doses if e.dose == number), None)
        if found is not None:
            return found.code
        return None
    return None


def parse_given(
    text: str, schedule: Schedule, names: DoseNames, as_of: date | None = None
) -> dict[str, date | None]:
    """ "HepB1@2026-01-05,卡介苗,百白破3" -> {"HepB1": 2026-01-05, "BCG": None, "DTaP3": None}."""
    result: dict[str, date | None] = {}
    unknown: list[str] = []
    for part in SEPARATORS.split(text.strip()):
        if not part:
            continue
        name, _, when = part.partition("@")
        code = resolve(name, schedule, names, as_of)
        if code is None:
            unknown.append(name)
            continue
        given_on = None
        if when:
            try:
                given_on = date.fromisoformat(when.strip())
            except ValueError as exc:
                raise DoseNameError(f"{part}: the date after @ must be YYYY-MM-DD") from exc
            if as_of and given_on > as_of:
                raise DoseNameError(f"{part}: given after {as_of.isoformat()}")
        result[code] = given_on
    if unknown:
        edition = schedule.in_force(as_of) if as_of else schedule.editions[-1]
        raise DoseNameError(
            f"unknown dose name {', '.join(unknown)}; accepted: "
            + ", ".join(accepted_names(edition, names))
        )
    return result
