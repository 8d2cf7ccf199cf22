"""Hotline settings from TOML: defaults, overrides and refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.hotline.config import HotlineConfig


def test_shipped_file_has_the_issue_defaults() -> None:
    cfg = HotlineConfig.load()
    assert cfg.sla_for("critical") == timedelta(minutes=5)
    assert cfg.sla_for("high") == timedelta(minutes=30)
    assert cfg.sla_for("medium") == timedelta(hours=24)
    assert cfg.escalation_for("critical") == timedelta(minutes=5)
    assert cfg.merge_window == timedelta(hours=2)


@pytest.mark.parametrize(
    ("raw", "severity", "sla", "escalation"),
    [
        ({"sla": {"critical": 2}}, "critical", 2, 2),
        ({"sla": {"high": 10, "escalation_minutes": 3}}, "high", 10, 3),
        ({}, "unknown", 1440, 1440),
    ],
)
def test_overrides(raw: dict[str, object], severity: str, sla: int, escalation: int) -> None:
    cfg = HotlineConfig.from_mapping(raw)
    assert cfg.sla_for(severity) == timedelta(minutes=sla)
    assert cfg.escalation_for(severity) == timedelta(minutes=escalation)


@pytest.mark.parametrize("raw", [{"sla": {"high": 0}}, {"windows": {"merge_minutes": "2h"}}])
def test_bad_values_are_refused(raw: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="hotline config"):
        HotlineConfig.from_mapping(raw)
