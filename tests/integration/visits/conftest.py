import pytest

from bot.clock import FakeClock
from tests.integration.visits.talk import NOW


@pytest.fixture
async def clock() -> FakeClock:
    """The fake clock a test's `app` runs on, to advance it."""
    return FakeClock(NOW)
