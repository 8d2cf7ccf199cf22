"""Build a real Application for tests: real database, fake clock, chosen channels."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.app import Application, build_app
from bot.clock import FakeClock
from bot.config import Settings


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "sms_rate": 0,
        "telegram_rate": 0,
        "telegram_chat_rate": 0,
        "simulator": True,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def make_app(database_url: str, clock: FakeClock | None = None, **overrides: Any) -> Application:
    clock = clock or FakeClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    return build_app(make_settings(database_url, **overrides), clock=clock)
