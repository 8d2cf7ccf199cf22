"""Visit cadence by region and risk: when a child next needs a contact, a home visit, a
follow-up, or an update of its information.

Pure: the rules are data (``content/visit_cadence.toml``, read by the shell and passed in),
dates are parameters. A child's
visits fold into a `VisitClock` (`after_visit`); `dues` turns a clock into due dates.

- A home visit resets the home clock and the contact clock; a phone call or a meeting
  elsewhere resets only the contact clock.
- A risk factor recorded on a visit (disability, dropout, psychological problems, no hukou,
  entrusted carer unable to cope) puts the child on the key-child cadence until a later visit
  answers that question otherwise; a skipped question keeps the earlier finding.
- A visit with a critical flag asks for a follow-up within `followup_hours`; any later
  contact clears it.
- The information refresh falls due `info_refresh` after the last update (or registration).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from dialogs.visits.cadence import Interval

DEFAULT = "default"
LEVELS: tuple[str, ...] = ("good", "average", "poor")


def _interval(raw: Any, where: str) -> Interval:
    if not isinstance(raw, Mapping) or not raw:
        raise ValueError(f"visit cadence: {where} needs months, weeks or days")
    unknown = set(raw) - {"months", "weeks", "days"}
    if unknown:
        raise ValueError(f"visit cadence: {where}: unknown {', '.join(sorted(unknown))}")
    iv = Interval(**{k: int(v) for k, v in raw.items()})
    if (
        iv.months < 0
        or iv.weeks < 0
        or iv.days < 0
        or iv.after(date(2000, 1, 1)) <= date(2000, 1, 1)
    ):
        raise ValueError(f"visit cadence: {where} must be a positive interval")
    return iv


@dataclass(frozen=True, slots=True)
class RegionRule:
    region: str
    name: str
    home: Mapping[str, Interval]  # by guardianship level
    contact: Interval | None
    key_home: Interval
    key_contact: Interval | None
    source: str
    verified: bool
    key_source: str = ""
    key_verified: bool = False

    @classmethod
    def from_mapping(cls, region: str, raw: Mapping[str, Any]) -> RegionRule:
        home_raw = raw.get("home")
        if not isinstance(home_raw, Mapping):
            raise ValueError(f"visit cadence {region}: no home intervals")
        missing = [lv for lv in LEVELS if lv not in home_raw]
        if missing:
            raise ValueError(f"visit cadence {region}: no home interval for {', '.join(missing)}")
        home = {lv: _interval(home_raw[lv], f"{region} home.{lv}") for lv in LEVELS}
        contact = _interval(raw["contact"], f"{region} contact") if "contact" in raw else None
        key = raw.get("key_child")
        if not isinstance(key, Mapping) or "home" not in key:
            raise ValueError(f"visit cadence {region}: key_child needs a home interval")
        source = str(raw.get("source", "")).strip()
        if not source:
            raise ValueError(f"visit cadence {region}: every rule needs its source")
        return cls(
            region=region,
            name=str(raw.get("name", region)),
            home=home,
            contact=contact,
            key_home=_interval(key["home"], f"{region} key_child.home"),
            key_contact=(
                _interval(key["contact"], f"{region} key_child.contact")
                if "contact" in key
                else None
            ),
            source=source,
            verified=bool(raw.get("verified", False)),
            key_source=str(key.get("source", source)),
            key_verified=bool(key.get("verified", raw.get("verified", False))),
        )


@dataclass(frozen=True, slots=True)
class Risk:
    name: str
    question: str
    values: frozenset[str]
    source: str
    verified: bool


@dataclass(frozen=True, slots=True)
class VisitRules:
    regions: Mapping[str, RegionRule]  # DEFAULT and region codes ("42", "4201", "420102")
    risks: tuple[Risk, ...]
    followup_hours: int
    critical_flags: frozenset[str]
    info_refresh: Interval
    home_kinds: frozenset[str] = frozenset({"home"})
    contact_kinds: frozenset[str] = frozenset({"home", "contact", "elsewhere"})
    followup_source: str = ""
    info_source: str = ""

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> VisitRules:
        if DEFAULT not in raw:
            raise ValueError("visit cadence: a [default] rule is needed")
        regions = {DEFAULT: RegionRule.from_mapping(DEFAULT, raw[DEFAULT])}
        for code, body in (raw.get("regions") or {}).items():
            code = str(code).strip()
            if not code.isdigit() or len(code) not in (2, 4, 6):
                raise ValueError(f"visit cadence: region {code!r} is not a GB/T 2260 prefix")
            regions[code] = RegionRule.from_mapping(code, body)
        risks = []
        for name, body in (raw.get("risks") or {}).items():
            if not body.get("source"):
                raise ValueError(f"visit cadence: risk {name} needs its source")
            risks.append(
                Risk(
                    str(name),
                    str(body["question"]),
                    frozenset(str(v) for v in body["values"]),
                    str(body["source"]),
                    bool(body.get("verified", False)),
                )
            )
        followup = raw.get("followup") or {}
        info = raw.get("info_refresh") or {}
        hours = int(followup.get("hours", 48))
        if hours <= 0:
            raise ValueError("visit cadence: followup.hours must be positive")
        return cls(
            regions=regions,
            risks=tuple(risks),
            followup_hours=hours,
            critical_flags=frozenset(str(f) for f in followup.get("flags", ())),
            info_refresh=_interval(info.get("interval", {"months": 6}), "info_refresh.interval"),
            home_kinds=frozenset(raw.get("home_kinds", ("home",))),
            contact_kinds=frozenset(raw.get("contact_kinds", ("home", "contact", "elsewhere"))),
            followup_source=str(followup.get("source", "")),
            info_source=str(info.get("source", "")),
        )

    def rule_for(self, region_code: str | None) -> RegionRule:
        """The most specific rule: "420102" -> "420102", "4201", "42", then the default."""
        code = (region_code or "").strip()
        for prefix in (code, code[:4], code[:2]) if code.isdigit() else ():
            if prefix in self.regions:
                return self.regions[prefix]
        return self.regions[DEFAULT]

    def risks_in(self, answers: Mapping[str, Any]) -> dict[str, bool]:
        """For each risk whose question was answered: is the risk present (skips left out)."""
        found: dict[str, bool] = {}
        for risk in self.risks:
            value = answers.get(risk.question)
            if value is None or str(value) == "skip":
                continue
            found[risk.name] = str(value) in risk.values
        return found

    @property
    def followup_days(self) -> int:
        return -(-self.followup_hours // 24)


@dataclass(frozen=True, slots=True)
class VisitFact:
    """One visit as the cadence sees it."""

    visit_date: date
    kind: str
    assessment: str
    answers: Mapping[str, Any] = field(default_factory=dict)  # checklist question -> value
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VisitClock:
    """What the cadence needs to know of a child's visits so far."""

    region_code: str | None = None
    is_key_child: bool = False
    last_home: date | None = None
    last_contact: date | None = None
    level: str | None = None  # the latest assessment
    risks: tuple[str, ...] = ()
    followup_due: date | None = None
    info_updated_on: date | None = None  # or the registration date
    # A due date set before the child's visits were counted (an earlier version, the roster,
    # demo data): the home visit stays due then until one is recorded.
    carried_due: date | None = None


@dataclass(frozen=True, slots=True)
class Dues:
    home: date | None  # None: never visited at home and never contacted
    contact: date | None  # None: no contact rule in the region, or never contacted
    followup: date | None
    info: date | None
    key_cadence: bool
    home_never: bool  # no home visit recorded (nor carried over) yet

    @property
    def next_visit(self) -> date | None:
        """The earliest visit or contact due; None for a child never visited at all."""
        found = [d for d in (self.home, self.contact, self.followup) if d is not None]
        return min(found) if found else None

    @property
    def what(self) -> str:
        """Which is most pressing: "followup", "home" or "contact" (ties: the home visit)."""
        if self.followup is not None and (
            self.next_visit is None or self.followup <= self.next_visit
        ):
            return "followup"
        if self.contact is not None and (self.home is None or self.contact < self.home):
            return "contact"
        return "home"


def after_visit(clock: VisitClock, visit: VisitFact, rules: VisitRules) -> VisitClock:
    """The clock once ``visit`` is counted. A visit older than the latest one recorded
    moves the clocks only forward and does not change the assessment or the risks."""
    latest = max((d for d in (clock.last_home, clock.last_contact) if d is not None), default=None)
    newest = latest is None or visit.visit_date >= latest
    last_home, last_contact = clock.last_home, clock.last_contact
    carried = clock.carried_due
    if visit.kind in rules.home_kinds:
        last_home = max(last_home or visit.visit_date, visit.visit_date)
        carried = None
    if visit.kind in rules.contact_kinds or visit.kind in rules.home_kinds:
        last_contact = max(last_contact or visit.visit_date, visit.visit_date)
    level, risks, followup = clock.level, set(clock.risks), clock.followup_due
    if newest:
        level = visit.assessment
        for name, present in rules.risks_in(visit.answers).items():
            if present:
                risks.add(name)
            else:
                risks.discard(name)
    critical = any(f in rules.critical_flags for f in visit.flags)
    if critical:
        if newest:  # an older visit reported late: the later contacts were its follow-up
            followup = visit.visit_date + timedelta(days=rules.followup_days)
    elif followup is not None and visit.visit_date >= followup - timedelta(
        days=rules.followup_days
    ):
        followup = None  # the follow-up contact
    return replace(
        clock,
        last_home=last_home,
        last_contact=last_contact,
        level=level,
        risks=tuple(r.name for r in rules.risks if r.name in risks),
        followup_due=followup,
        carried_due=carried,
    )


def fold_visits(clock: VisitClock, visits: Iterable[VisitFact], rules: VisitRules) -> VisitClock:
    """Every visit in date order (the caller's order breaks ties: report order)."""
    for visit in sorted(visits, key=lambda v: v.visit_date):
        clock = after_visit(clock, visit, rules)
    return clock


def dues(clock: VisitClock, rules: VisitRules) -> Dues:
    rule = rules.rule_for(clock.region_code)
    key = clock.is_key_child or bool(clock.risks)
    home: date | None = None
    if clock.last_home is not None:
        home = rule.home.get(clock.level or "average", rule.home["average"]).after(clock.last_home)
        if key:
            home = min(home, rule.key_home.after(clock.last_home))
    elif clock.carried_due is not None:
        home = clock.carried_due
    elif clock.last_contact is not None:
        home = clock.last_contact  # contacted but never visited at home: due since then
    contact: date | None = None
    if clock.last_contact is not None:
        intervals = [rule.contact] if rule.contact else []
        if key and rule.key_contact:
            intervals.append(rule.key_contact)
        if intervals:
            contact = min(iv.after(clock.last_contact) for iv in intervals)
    info = rules.info_refresh.after(clock.info_updated_on) if clock.info_updated_on else None
    never = clock.last_home is None and clock.carried_due is None
    return Dues(home, contact, clock.followup_due, info, key, never)
