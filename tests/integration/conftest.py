from collections.abc import AsyncIterator

import pytest

from bot.app import Application
from storage.db import Database
from tests.support.apps import demo_app
from tests.support.databases import db, db_url, pg_url  # noqa: F401


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:  # noqa: F811
    """The demo roster on a fake clock at NOW; a file that needs more defines its own `app`."""
    async with demo_app(db.url) as application:
        yield application
