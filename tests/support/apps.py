"""Build a real Application for tests: real database, fake clock, chosen channels."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import Application, build_app
from bot.clock import FakeClock
from bot.config import Settings
from bot.demo import load_demo

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # the fake clock's start, unless a test says otherwise


def make_settings(database_url: str, **overrides: Any) -> Settings:
    """Test settings; the data directory (the media file store) is a new temporary directory
    unless the test names one, so that no test writes into the working tree."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": Path(tempfile.mkdtemp(prefix="careline-data-")),
        "sms_rate": 0,
        "telegram_rate": 0,
        "telegram_chat_rate": 0,
        "simulator": True,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def make_app(database_url: str, clock: FakeClock | None = None, **overrides: Any) -> Application:
    clock = clock or FakeClock(NOW)
    return build_app(make_settings(database_url, **overrides), clock=clock)


async def load_demo_roster(app: Application) -> None:
    """The demo roster (people, children, shifts) as of the app's clock, in one transaction."""
    now = app.clock.now()
    async with app.db.transaction() as session:
        await load_demo(session, now, now.date())


async def make_demo_app(
    database_url: str, clock: FakeClock | None = None, **overrides: Any
) -> Application:
    """An application on a fake clock (at NOW unless given) over the demo roster."""
    app = make_app(database_url, clock or FakeClock(NOW), **overrides)
    await load_demo_roster(app)
    return app


@asynccontextmanager
async def demo_app(
    database_url: str, clock: FakeClock | None = None, **overrides: Any
) -> AsyncIterator[Application]:
    """`make_demo_app`, stopped afterwards."""
    app = await make_demo_app(database_url, clock, **overrides)
    try:
        yield app
    finally:
        await app.stop()


def fake_clock(app: Application) -> FakeClock:
    """The application's clock, which tests built as a FakeClock (to advance it)."""
    assert isinstance(app.clock, FakeClock)
    return app.clock
