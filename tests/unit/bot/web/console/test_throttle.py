"""The throttle's pure steps: the address allowance grows with the distinct accounts that
signed in from it (capped), and a refusal's Retry-After in whole seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.web.console.throttle import ACCOUNT, ADDRESS, Policy, retry_after, step

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("policy", "signed_in", "free"),
    [
        (ADDRESS, 0, 20),
        (ADDRESS, 1, 21),  # one valid account buys one attempt per window
        (ADDRESS, 30, 50),  # an office of 30 staff gets 30 more
        (ADDRESS, 50, 70),
        (ADDRESS, 51, 70),  # capped
        (ADDRESS, 10_000, 70),
        (ADDRESS, -3, 20),
        (ACCOUNT, 0, 5),
        (ACCOUNT, 30, 5),  # accounts earn nothing
    ],
)
def test_allowance(policy: Policy, signed_in: int, free: int) -> None:
    assert policy.allowance(signed_in) == free


@pytest.mark.parametrize(
    ("attempts", "signed_in", "allowed", "blocked_for"),
    [
        (19, 0, True, None),  # the 20th attempt: free
        (20, 0, True, ADDRESS.base),  # the 21st: admitted, then backoff
        (20, 1, True, None),  # one account signed in: the 21st is free
        (21, 1, True, ADDRESS.base),
        (49, 30, True, None),
        (50, 30, True, ADDRESS.base),
        (69, 99, True, None),
        (70, 99, True, ADDRESS.base),
        (71, 50, True, ADDRESS.base * 2),
    ],
)
def test_address_step_with_signed_in_accounts(
    attempts: int, signed_in: int, allowed: bool, blocked_for: timedelta | None
) -> None:
    s = step(attempts, T0, None, T0, ADDRESS, signed_in)
    assert s.allowed is allowed and s.attempts == attempts + 1
    assert s.blocked_until == (None if blocked_for is None else T0 + blocked_for)


@pytest.mark.parametrize(
    ("signed_in", "extended_by"),
    [(0, ADDRESS.base * 4), (1, ADDRESS.base * 2), (2, ADDRESS.base)],
)
def test_a_refused_attempt_extends_the_block_from_the_allowance(
    signed_in: int, extended_by: timedelta
) -> None:
    blocked = T0 + timedelta(seconds=1)
    s = step(22, T0, blocked, T0, ADDRESS, signed_in)  # the 23rd attempt, while blocked
    assert not s.allowed and s.blocked_until == T0 + extended_by


@pytest.mark.parametrize(
    ("wait", "seconds"),
    [
        (timedelta(seconds=2), 2),
        (timedelta(seconds=1, milliseconds=1), 2),  # rounded up: never early
        (timedelta(milliseconds=1), 1),
        (timedelta(0), 1),  # never 0
        (timedelta(minutes=15), 900),
    ],
)
def test_retry_after(wait: timedelta, seconds: int) -> None:
    assert retry_after(T0 + wait, T0) == seconds
