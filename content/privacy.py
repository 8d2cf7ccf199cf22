"""Guardian consent and retention rules as data (`content/privacy.toml`), each with its rule
and source and whether the number itself is verified. Pure: no database, no clock."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

PRIVACY_FILE = Path(__file__).with_name("privacy.toml")
KINDS = ("inbound", "outbox", "visits", "closed_cases", "media", "audit")
ACTIONS = ("anonymise", "delete")


@dataclass(frozen=True)
class Retention:
    kind: str
    days: int
    action: str
    rule: str
    source: str
    verified: bool


@dataclass(frozen=True)
class ConsentRule:
    required_under_age: int
    rule: str
    source: str
    verified: bool

    def required(self, birth_date: date, today: date) -> bool:
        """Whether a child born on `birth_date` needs a guardian's consent on `today`."""
        before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
        years = today.year - birth_date.year - before_birthday
        return years < self.required_under_age


@dataclass(frozen=True)
class Privacy:
    consent: ConsentRule
    retention: dict[str, Retention]


def from_mapping(raw: dict[str, Any]) -> Privacy:
    c = raw["consent"]
    consent = ConsentRule(int(c["required_under_age"]), str(c["rule"]), str(c["source"]),
                          bool(c.get("verified", False)))  # fmt: skip
    retention: dict[str, Retention] = {}
    for kind in KINDS:
        r = raw.get("retention", {}).get(kind)
        if r is None:
            raise ValueError(f"privacy: retention.{kind} is missing")
        days, action = int(r["days"]), str(r["action"])
        if days < 1 or action not in ACTIONS:
            raise ValueError(f"privacy: retention.{kind}: days >= 1 and action in {ACTIONS}")
        if kind == "audit" and days < 180:
            raise ValueError("privacy: retention.audit must keep at least 180 days (网络安全法 21)")
        retention[kind] = Retention(kind, days, action, str(r["rule"]), str(r["source"]),
                                    bool(r.get("verified", False)))  # fmt: skip
    return Privacy(consent, retention)


def load_privacy(path: Path = PRIVACY_FILE) -> Privacy:
    with path.open("rb") as fh:
        return from_mapping(tomllib.load(fh))
