"""Sign-in throttling and password checks that never stall the event loop.

- Each attempt is counted *before* its password is checked, per address and per account name
  (known or not, so the answer reveals nothing), in one locked row: parallel guesses cannot
  slip past the count (`FOR UPDATE` on PostgreSQL, the single writer on SQLite).
- An address gets `ADDRESS.free` attempts per window, plus one for every distinct account that
  signed in from it within the window (at most `ADDRESS.bonus_cap` more), then exponential
  backoff (attempts while blocked extend it). An office of staff behind one NAT address gets
  in; an attacker holding one valid account buys one extra guess per window, not a refund of
  every sign-in (which would let it spray other accounts without limit). A refusal says when
  to retry (`Admission.retry_after`, the 429's Retry-After header).
- An account gets `ACCOUNT.free` attempts, then one attempt per delay that doubles up to a
  minute: an attacker is slowed to a crawl, but staff are never locked out.
- argon2 runs in one worker thread at a lower CPU priority, `HASH_SLOTS` at a time per process,
  and each check on one thread (`hashing.py`): a sign-in flood takes at most one core, and a
  refused attempt is never hashed.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repos import login_throttle as counters

HASH_SLOTS = 1  # one check at a time, each on one thread
HASH_NICE = 19  # the lowest priority: webhooks and pages first, sign-in waits


@dataclass
class Policy:
    free: int  # attempts per window before any delay
    window: timedelta
    base: timedelta  # first delay after the free attempts
    max_delay: timedelta
    refused_extend: bool  # an attempt while blocked doubles the block (addresses only)
    bonus_cap: int = 0  # most extra attempts that accounts signed in from the key can earn

    def allowance(self, signed_in: int) -> int:
        """Free attempts per window, given how many distinct accounts signed in (pure)."""
        return self.free + min(self.bonus_cap, max(0, signed_in))

    def delay(self, over: int) -> timedelta:
        seconds = self.base.total_seconds() * 2 ** min(30, max(0, over - 1))
        return min(self.max_delay, timedelta(seconds=seconds))


ADDRESS = Policy(
    free=20,
    window=timedelta(minutes=15),
    base=timedelta(seconds=2),
    max_delay=timedelta(minutes=15),
    refused_extend=True,
    bonus_cap=50,
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
    signed_in: int = 0,
) -> Step:
    """One attempt against a key's counter (pure); `signed_in`: distinct accounts that signed
    in from the key within the window (see `Policy.allowance`)."""
    free = policy.allowance(signed_in)
    blocked = blocked_until is not None and blocked_until > now
    if not blocked and now - window_start >= policy.window:
        attempts, window_start, blocked_until = 0, now, None
    if blocked:
        if policy.refused_extend:
            attempts += 1
            blocked_until = now + policy.delay(attempts - free)
            window_start = now
        return Step(attempts, window_start, blocked_until, allowed=False)
    attempts += 1
    if attempts > free:  # the count starts afresh only after a quiet window
        blocked_until = now + policy.delay(attempts - free)
        window_start = now
    return Step(attempts, window_start, blocked_until, allowed=True)


def _changed(before: Step, after: Step) -> bool:
    return (before.attempts, before.window_start, before.blocked_until) != (
        after.attempts,
        after.window_start,
        after.blocked_until,
    )


@dataclass(frozen=True)
class Admission:
    allowed: bool
    retry_after: int | None = None  # refused: whole seconds until the block ends (at least 1)

    def __bool__(self) -> bool:
        return self.allowed


def _keys(address: str, username: str) -> tuple[str, str, str]:
    """The address's counter, the account's counter, and the prefix of the address's
    "signed in" rows (one per account)."""
    return f"addr:{address}"[:160], f"user:{username.lower()}"[:160], f"ok:{address}|"[:100]


def retry_after(blocked_until: datetime, now: datetime) -> int:
    """Seconds for a Retry-After header: rounded up, never 0 (pure)."""
    return max(1, math.ceil((blocked_until - now).total_seconds()))


async def admit(session: AsyncSession, address: str, username: str, now: datetime) -> Admission:
    """Count one attempt against the address and then the account, atomically, in one read
    and at most one write. An attempt the address refuses is not counted against the account
    (a blocked attacker must not hold the account's owner back); a refused attempt that
    changes no counter writes nothing. The same read counts the accounts that signed in from
    the address within its window, which raise the address's allowance."""
    addr_key, user_key, ok_prefix = _keys(address, username)
    locked = await counters.locked_counters(
        session, [addr_key, user_key], now, ok_prefix, now - ADDRESS.window
    )
    rows = {k: Step(*c, allowed=True) for k, c in locked.counters.items()}
    moved: dict[str, Step] = {}
    refused: Step | None = None
    for key, policy, signed_in in ((addr_key, ADDRESS, locked.signed_in), (user_key, ACCOUNT, 0)):
        before = rows[key]
        after = step(
            before.attempts, before.window_start, before.blocked_until, now, policy, signed_in
        )
        if _changed(before, after):
            moved[key] = after
        if not after.allowed:
            refused = after
            break
    await counters.write_counters(
        session,
        {
            k: counters.Counter(r.attempts, r.window_start, r.blocked_until)
            for k, r in moved.items()
        },
    )
    if refused is None:
        return Admission(True)
    assert refused.blocked_until is not None  # refused only while blocked
    return Admission(False, retry_after(refused.blocked_until, now))


async def signed_in(session: AsyncSession, address: str, username: str, now: datetime) -> None:
    """After a successful sign-in the account starts afresh, and the address has one more
    account (at most once per account) that signed in from it in this window."""
    _, user_key, ok_prefix = _keys(address, username)
    await counters.signed_in(session, user_key, f"{ok_prefix}{username.lower()}"[:160], now)


async def forget_account(session: AsyncSession, username: str) -> None:
    """An administrator's unlock: the account starts afresh."""
    await counters.forget(session, _keys("", username)[1])


async def held_accounts(session: AsyncSession, now: datetime) -> set[str]:
    """Usernames (lower case) whose sign-in is held back by the per-account delay now."""
    keys = await counters.blocked_keys(session, "user:", now)
    return {key.removeprefix("user:") for key in keys}


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
