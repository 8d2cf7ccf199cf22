"""Reminder stages per item: e.g. 7 days before, on the day, and 7 days overdue (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class Stage:
    name: str  # "before", "due", "overdue" ... also the catalog key suffix
    offset_days: int  # relative to the due date; negative is before


DEFAULT_STAGES: tuple[Stage, ...] = (
    Stage("before", -7),
    Stage("due", 0),
    Stage("overdue", 7),
)


def stages_from_mapping(raw: Mapping[str, int]) -> tuple[Stage, ...]:
    """{"before": -7, "due": 0, "overdue": 7} -> stages sorted by offset (admin config)."""
    stages = tuple(
        sorted(
            (Stage(str(k), int(v)) for k, v in raw.items()), key=lambda s: (s.offset_days, s.name)
        )
    )
    offsets = [s.offset_days for s in stages]
    if len(set(offsets)) != len(offsets):
        raise ValueError("two stages on the same day")
    return stages


def stage_dates(due: date, stages: Sequence[Stage] = DEFAULT_STAGES) -> list[tuple[str, date]]:
    """Every (stage name, send date) for an item due on `due`, in date order."""
    return sorted(
        ((s.name, due + timedelta(days=s.offset_days)) for s in stages), key=lambda pair: pair[1]
    )


def stage_on(due: date, today: date, stages: Sequence[Stage] = DEFAULT_STAGES) -> str | None:
    """The stage whose send date is `today`, if any (what the daily planner asks)."""
    return next((name for name, day in stage_dates(due, stages) if day == today), None)


def latest_stage(due: date, today: date, stages: Sequence[Stage] = DEFAULT_STAGES) -> str | None:
    """The last stage whose send date is on or before `today` (for a planner that ran late)."""
    passed = [name for name, day in stage_dates(due, stages) if day <= today]
    return passed[-1] if passed else None
