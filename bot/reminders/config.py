"""Reminder settings (environment, prefix CARELINE_REMINDER_): quiet hours, stages, catch-up.

Stages per kind are day offsets from the due date or deadline, e.g.
CARELINE_REMINDER_STAGES='{"vaccine": {"before": -7, "due": 0, "overdue": 7}}'.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from reminders.stages import Stage, stages_from_mapping

KINDS = ("vaccine", "insurance", "school_primary", "school_junior_middle", "residence_permit")
DEFAULT_STAGES: dict[str, dict[str, int]] = {
    "vaccine": {"before": -7, "due": 0, "overdue": 7},
    "insurance": {"before": -30, "due": 0, "overdue": 7},
    "school_primary": {"before": -21, "due": 0, "overdue": 7},
    "school_junior_middle": {"before": -21, "due": 0, "overdue": 7},
    "residence_permit": {"before": -21, "due": 0, "overdue": 7},
}


class ReminderSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CARELINE_REMINDER_", env_file=".env", extra="ignore"
    )

    quiet_start: time = time(8, 0)  # local time in the recipient's area
    quiet_end: time = time(21, 0)
    catchup_days: int = 7  # a planner that was down this long still sends what it missed
    interval_minutes: int = 15
    reply_hours: int = 72  # how long a reminder's reply is awaited
    batch: int = 5000  # ledger rows turned into messages per run
    stages: dict[str, dict[str, int]] = DEFAULT_STAGES

    @field_validator("stages")
    @classmethod
    def _stages(cls, v: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        merged = {**DEFAULT_STAGES, **v}
        for kind, raw in merged.items():
            if kind not in KINDS:
                raise ValueError(f"unknown reminder kind {kind!r}; one of {', '.join(KINDS)}")
            stages_from_mapping(raw)
        return merged

    def stages_for(self, kind: str) -> tuple[Stage, ...]:
        return stages_from_mapping(self.stages[kind])


def load_reminder_settings(**overrides: Any) -> ReminderSettings:
    return ReminderSettings(**overrides)
