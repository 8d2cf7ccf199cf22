from datetime import timedelta

from bot.clock import FakeClock
from bot.ratelimit import AddressSpacing, TokenBucket


async def test_bucket_spaces_sends_at_the_rate() -> None:
    clock = FakeClock()
    start = clock.now()
    bucket = TokenBucket(2.0, clock)
    for _ in range(6):
        await bucket.acquire()
    # burst of 2, then one every 0.5 s
    assert clock.now() - start == timedelta(seconds=2)


async def test_zero_rate_is_unlimited() -> None:
    clock = FakeClock()
    bucket = TokenBucket(0, clock)
    for _ in range(1000):
        await bucket.acquire()
    assert clock.slept == []


async def test_pause_honours_retry_after() -> None:
    clock = FakeClock()
    bucket = TokenBucket(0, clock)
    bucket.pause(7)
    start = clock.now()
    await bucket.acquire()
    assert clock.now() - start == timedelta(seconds=7)


def test_address_spacing() -> None:
    clock = FakeClock()
    spacing = AddressSpacing(1.0)
    now = clock.now()
    assert spacing.wait_for("42", now) == 0
    spacing.mark("42", now)
    assert spacing.wait_for("42", now) == 1.0
    assert spacing.wait_for("43", now) == 0
    assert spacing.wait_for("42", now + timedelta(seconds=1)) == 0


def test_address_spacing_reserves_slots_for_sends_in_flight_at_once() -> None:
    """Two loops sending to one address at the same moment get two slots, not one."""
    spacing = AddressSpacing(1 / 3.6)  # WeCom: 1,000 an hour per member
    now = FakeClock().now()
    assert [spacing.reserve("m", now) for _ in range(3)] == [0.0, 3.6, 7.2]
    later = now + timedelta(seconds=20)
    assert spacing.reserve("m", later) == 0.0  # a free slot is now
    spacing.mark("m", later + timedelta(seconds=1))  # sent a second late (bucket wait)
    assert spacing.wait_for("m", later) == 4.6
