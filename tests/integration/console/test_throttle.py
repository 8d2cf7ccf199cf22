"""Sign-in throttling: staff are never locked out, usernames are not revealed, the count is
atomic under parallel guesses, and an address that floods is slowed with backoff."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from argon2 import PasswordHasher

from bot.web.console import throttle
from bot.web.console.throttle import ACCOUNT, ADDRESS, step
from bot.web.server import create_web_app
from storage.db import Database
from tests.integration.console.support import Console, console, login

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests count attempts, not hashing cost: a fast argon2 keeps them quick."""
    from bot.web.console import auth

    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", fast)
    monkeypatch.setattr(auth, "_DUMMY_HASH", fast.hash("careline-no-such-user"))


def client_from(c: Console, host: str) -> httpx.AsyncClient:
    web = create_web_app(c.app, background=False)
    transport = httpx.ASGITransport(app=web, client=(host, 40000))
    return httpx.AsyncClient(transport=transport, base_url=c.base)


def test_account_policy_delays_and_never_blocks_for_long() -> None:
    attempts, start, blocked = 0, T0, None
    now = T0
    for _ in range(ACCOUNT.free):
        s = step(attempts, start, blocked, now, ACCOUNT)
        assert s.allowed and s.blocked_until is None
        attempts, start, blocked = s.attempts, s.window_start, s.blocked_until
    for _ in range(30):  # an attacker keeps going: the delay is capped at a minute
        s = step(attempts, start, blocked, now, ACCOUNT)
        assert s.allowed
        attempts, start, blocked = s.attempts, s.window_start, s.blocked_until
        assert blocked is not None and blocked - now <= timedelta(minutes=1)
        refused = step(attempts, start, blocked, now, ACCOUNT)
        assert not refused.allowed and refused.blocked_until == blocked  # not extended
        now = blocked


def test_address_policy_backs_off_and_extends_while_blocked() -> None:
    s = step(ADDRESS.free, T0, None, T0, ADDRESS)
    assert s.allowed and s.blocked_until == T0 + ADDRESS.base
    refused = step(s.attempts, s.window_start, s.blocked_until, T0, ADDRESS)
    assert not refused.allowed and refused.blocked_until == T0 + ADDRESS.base * 2


async def test_unknown_and_known_users_get_the_same_answers(db: Database) -> None:
    async with console(db) as c:
        await c.add_user("ada", "admin")
        answers = {}
        for name, host in (("ada", "10.0.0.1"), ("nobody", "10.0.0.2")):
            async with client_from(c, host) as client:
                seq = []
                for _ in range(ACCOUNT.free + 2):
                    r = await login(client, name, "nope-nope-1")
                    seq.append((r.status_code, "用户名或密码不正确" in r.text))
                answers[name] = seq
        assert answers["ada"] == answers["nobody"]


async def test_an_attacker_cannot_lock_staff_out(db: Database) -> None:
    async with console(db) as c:
        await c.add_user("ada", "admin")
        async with client_from(c, "10.6.6.6") as attacker:
            for _ in range(40):
                await login(attacker, "ada", "guess-guess-1")
                c.clock.advance(seconds=1)
        c.clock.advance(minutes=1)
        async with client_from(c, "10.0.0.9") as staff:
            assert (await login(staff, "ada")).status_code == 303


async def test_one_address_flooding_is_throttled(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ADDRESS, "free", 4)
    async with console(db) as c:
        async with client_from(c, "10.6.6.7") as attacker:
            statuses = [
                (await login(attacker, f"user{i}", "guess-guess-1")).status_code
                for i in range(ADDRESS.free + 3)
            ]
        assert statuses[: ADDRESS.free] == [401] * ADDRESS.free
        assert statuses[ADDRESS.free + 1 :] == [429, 429]


async def test_parallel_guesses_are_counted_before_any_is_checked(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = 0
    real = throttle.off_loop_verify

    async def counting(stored: str | None, password: str) -> bool:
        nonlocal checked
        checked += 1
        return await real(stored, password)

    monkeypatch.setattr(throttle, "off_loop_verify", counting)
    async with console(db) as c:
        await c.add_user("ada", "admin")
        clients = [client_from(c, f"10.1.0.{i}") for i in range(16)]
        try:
            answers = await asyncio.gather(*(login(cl, "ada", "guess-guess-1") for cl in clients))
        finally:
            for cl in clients:
                await cl.aclose()
    assert checked == ACCOUNT.free + 1  # the free attempts, and the first one after them
    assert sorted({a.status_code for a in answers}) == [401, 429]
