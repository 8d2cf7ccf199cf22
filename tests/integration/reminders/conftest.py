from collections.abc import AsyncIterator

import pytest

from bot.app import Application
from bot.clock import FakeClock
from storage.db import Database
from tests.support.apps import NOW, make_app


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:
    """A bare application on a fake clock at NOW: no demo roster, tests build theirs (Roster)."""
    application = make_app(db.url, FakeClock(NOW))
    yield application
    await application.stop()
