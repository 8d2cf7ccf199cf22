"""The statutory situations a concern is filed under, as data (content/safety/categories.toml).

Each category says which lexicon group also finds it, its default severity, which help-line
reply fits it, whether "马上打120" comes first, and whether it is a mandatory-report
situation (the reporter is told to report to 公安, and closing needs a police referral).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from content.errors import InputError

REVIEW_CATEGORY = "unclassified"


class CategoryError(InputError, ValueError):
    """The categories data is malformed."""


@dataclass(frozen=True, slots=True)
class SafetyCategory:
    id: str
    group: str
    severity: str
    hotlines: str
    first_aid: bool
    statutory: bool
    source: str = ""


@dataclass(frozen=True, slots=True)
class Categories:
    by_id: Mapping[str, SafetyCategory]
    groups: Mapping[str, str]  # lexicon group -> default fine category

    def get(self, category_id: str | None) -> SafetyCategory | None:
        """A fine category, or a lexicon group mapped to its default fine category."""
        if category_id is None:
            return None
        found = self.by_id.get(category_id)
        if found is None and category_id in self.groups:
            found = self.by_id.get(self.groups[category_id])
        return found

    def fine(self, category_id: str | None) -> str | None:
        """The fine category id for a fine id or a lexicon group (None when unknown)."""
        found = self.get(category_id)
        return found.id if found else None

    def distinct(self, one: str | None, other: str | None) -> bool:
        """Two concerns of different kinds: both known, their groups differ (an unknown id,
        "unclassified" among them, is distinct from nothing; which kinds count as vague is
        the hotline's rule, `bot.hotline.cases.another_concern`)."""
        a, b = self.get(one), self.get(other)
        return a is not None and b is not None and a.group != b.group

    def in_group(self, group: str) -> tuple[str, ...]:
        return tuple(c.id for c in self.by_id.values() if c.group == group)

    def ids(self) -> tuple[str, ...]:
        return tuple(self.by_id)

    def is_statutory(self, category_id: str | None) -> bool:
        found = self.get(category_id)
        return bool(found and found.statutory)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Categories:
        by_id: dict[str, SafetyCategory] = {}
        for item in raw.get("category", ()):
            cid = str(item.get("id") or "")
            if not cid:
                raise CategoryError("a category needs an id")
            severity = str(item.get("severity", "high"))
            if severity not in ("critical", "high", "medium"):
                raise CategoryError(f"{cid}: severity must be critical, high or medium")
            by_id[cid] = SafetyCategory(
                id=cid,
                group=str(item.get("group", "")),
                severity=severity,
                hotlines=str(item.get("hotlines", "default")),
                first_aid=bool(item.get("first_aid", False)),
                statutory=bool(item.get("statutory", True)),
                source=str(item.get("source", "")),
            )
        groups = {str(k): str(v) for k, v in (raw.get("groups") or {}).items()}
        for group, fine in groups.items():
            if fine not in by_id:
                raise CategoryError(f"groups.{group}: unknown category {fine!r}")
        return cls(by_id=by_id, groups=groups)
