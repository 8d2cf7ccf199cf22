"""Hotline settings: SLA per severity, windows, job intervals (content/hotline.toml)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "content" / "hotline.toml"
ENV_FILE = "CARELINE_HOTLINE_CONFIG"


def _minutes(value: Any, where: str) -> timedelta:
    if not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"hotline config {where}: a positive number of minutes, not {value!r}")
    return timedelta(minutes=float(value))


@dataclass(frozen=True)
class HotlineConfig:
    sla: Mapping[str, timedelta] = field(
        default_factory=lambda: {
            "critical": timedelta(minutes=5),
            "high": timedelta(minutes=30),
            "medium": timedelta(hours=24),
        }
    )
    escalation: Mapping[str, timedelta] | None = None  # None: same as the SLA
    merge_window: timedelta = timedelta(hours=2)
    relay_window: timedelta = timedelta(hours=24)
    watchdog_seconds: int = 30
    deliveries_seconds: int = 15

    def sla_for(self, severity: str) -> timedelta:
        return self.sla.get(severity, self.sla["medium"])

    def escalation_for(self, severity: str) -> timedelta:
        if self.escalation is None:
            return self.sla_for(severity)
        return self.escalation.get(severity, self.sla_for(severity))

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> HotlineConfig:
        base = cls()
        sla = dict(base.sla)
        for severity, value in (raw.get("sla") or {}).items():
            if severity == "escalation_minutes":
                continue
            sla[severity] = _minutes(value, f"sla.{severity}")
        esc_raw = (raw.get("sla") or {}).get("escalation_minutes", "sla")
        escalation = (
            None
            if esc_raw == "sla"
            else {s: _minutes(esc_raw, "sla.escalation_minutes") for s in sla}
        )
        windows = raw.get("windows") or {}
        jobs = raw.get("jobs") or {}
        return cls(
            sla=sla,
            escalation=escalation,
            merge_window=_minutes(windows.get("merge_minutes", 120), "windows.merge_minutes"),
            relay_window=_minutes(windows.get("relay_minutes", 1440), "windows.relay_minutes"),
            watchdog_seconds=int(jobs.get("watchdog_seconds", 30)),
            deliveries_seconds=int(jobs.get("deliveries_seconds", 15)),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> HotlineConfig:
        chosen = path or Path(os.environ.get(ENV_FILE) or DEFAULT_FILE)
        with chosen.open("rb") as fh:
            return cls.from_mapping(tomllib.load(fh))
