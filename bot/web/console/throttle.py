"""Sign-in throttling and password checks that never stall the event loop.

- Each attempt is counted *before* its password is checked, per address and per account name
  (known or not, so the answer reveals nothing), in one locked row: parallel guesses cannot
  slip past the count (`FOR UPDATE` on PostgreSQL, the single writer on SQLite).
- An address gets `ADDRESS.free` attempts per window, then exponential backoff (attempts while
  blocked extend it). An account gets `ACCOUNT.free` attempts, then one attempt per delay that
  doubles up to a minute: an attacker is slowed to a crawl, but staff are never locked out.
- argon2 runs in a worker thread at a lower CPU priority, `HASH_SLOTS` at a time per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LoginThrottle
from storage.repos.sql import dialect_of, insert_ignore

HASH_SLOTS = 1  # argon2 already uses 4 lanes (threads) per check
HASH_NICE = 19  # the lowest priority: webhooks and pages first, sign-in waits


@dataclass
class Policy:
    free: int  # attempts per window before any delay
    window: timedelta
    base: timedelta  # first delay after the free attempts
    max_delay: timedelta
    refused_extend: bool  # an attempt while blocked doubles the block (addresses only)

    def delay(self, over: int) -> timedelta:
        seconds = self.base.total_seconds() * 2 ** min(30, max(0, over - 1))
        return min(self.max_delay, timedelta(seconds=seconds))


ADDRESS = Policy(
    free=20,
    window=timedelta(minutes=15),
    base=timedelta(seconds=2),
    max_delay=timedelta(minutes=15),
    refused_extend=True,
)
ACCOUNT = Policy(
    free=5,
    window=timedelta(minutes=15),
    base=timedelta(seconds=1),
    max_delay=timedelta(minutes=1),
    refused_extend=False,
)


@dataclass(frozen=True)
class Step:
    attempts: int
    window_start: datetime
    blocked_until: datetime | None
    allowed: bool


def step(
    attempts: int,
    window_start: datetime,
    blocked_until: datetime | None,
    now: datetime,
    policy: Policy,
) -> Step:
    """One attempt against a key's counter (pure)."""
    blocked = blocked_until is not None and blocked_until > now
    if not blocked and now - window_start >= policy.window:
        attempts, window_start, blocked_until = 0, now, None
    if blocked:
        if policy.refused_extend:
            attempts += 1
            blocked_until = now + policy.delay(attempts - policy.free)
            window_start = now
        return Step(attempts, window_start, blocked_until, allowed=False)
    attempts += 1
    if attempts > policy.free:  # the count starts afresh only after a quiet window
        blocked_until = now + policy.delay(attempts - policy.free)
        window_start = now
    return Step(attempts, window_start, blocked_until, allowed=True)


async def attempt(session: AsyncSession, key: str, now: datetime, policy: Policy) -> bool:
    """Count one attempt for `key` atomically; False when it must be refused unchecked."""
    table = LoginThrottle.__table__
    await session.execute(
        insert_ignore(session, table, ["key"]).values(  # type: ignore[arg-type]
            key=key, attempts=0, window_start=now, blocked_until=None
        )
    )
    stmt = select(LoginThrottle).where(LoginThrottle.key == key)
    if dialect_of(session) == "postgresql":
        stmt = stmt.with_for_update()
    row = (await session.execute(stmt.execution_options(populate_existing=True))).scalar_one()
    result = step(row.attempts, row.window_start, row.blocked_until, now, policy)
    row.attempts, row.window_start, row.blocked_until = (
        result.attempts,
        result.window_start,
        result.blocked_until,
    )
    return result.allowed


async def admit(session: AsyncSession, address: str, username: str, now: datetime) -> bool:
    """Both counters move on every attempt; either one can refuse it."""
    by_address = await attempt(session, f"addr:{address}"[:160], now, ADDRESS)
    by_account = await attempt(session, f"user:{username.lower()}"[:160], now, ACCOUNT)
    return by_address and by_account


async def forget_account(session: AsyncSession, username: str) -> None:
    """After a successful sign-in the account starts afresh."""
    await session.execute(
        delete(LoginThrottle).where(LoginThrottle.key == f"user:{username.lower()}"[:160])
    )


async def held_accounts(session: AsyncSession, now: datetime) -> set[str]:
    """Usernames (lower case) whose sign-in is held back by the per-account delay now."""
    rows = await session.execute(
        select(LoginThrottle.key).where(
            LoginThrottle.key.like("user:%"), LoginThrottle.blocked_until > now
        )
    )
    return {key.removeprefix("user:") for key in rows.scalars()}


def _lower_priority() -> None:
    """Hashing threads run at a lower CPU priority than the event loop (Linux nice is per
    thread, and argon2's own lane threads inherit it): webhooks come first."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_NICE)


_pool: ThreadPoolExecutor | None = None
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _hash_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(
            max_workers=HASH_SLOTS, thread_name_prefix="careline-hash", initializer=_lower_priority
        )
    return _pool


def hash_slots() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    sem = _slots.get(loop)
    if sem is None:
        sem = _slots[loop] = asyncio.Semaphore(HASH_SLOTS)
    return sem


async def off_loop_verify(stored: str | None, password: str) -> bool:
    """argon2 in the hashing pool; waiting sign-ins queue here, never on the event loop."""
    from bot.web.console.auth import verify_password

    async with hash_slots():
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_hash_pool(), verify_password, stored, password)
