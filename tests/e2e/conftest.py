from collections.abc import AsyncIterator, Iterator

import pytest

from storage.db import Database
from tests.standins import TwilioStandin
from tests.support.databases import db, db_url, empty_postgres, pg_url  # noqa: F401


@pytest.fixture
async def pg(pg_url: str) -> AsyncIterator[Database]:  # noqa: F811
    """An emptied PostgreSQL database; a file that needs data in it defines its own `pg`."""
    database = Database(pg_url)
    await empty_postgres(database)
    yield database
    await database.dispose()


@pytest.fixture
def twilio() -> Iterator[TwilioStandin]:
    """A Twilio stand-in for one test (files sharing one a module define their own)."""
    with TwilioStandin() as standin:
        yield standin
