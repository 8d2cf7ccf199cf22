"""Sign-in throttling: staff are never locked out, usernames are not revealed, the count is
atomic under parallel guesses, and an address that floods is slowed with backoff."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import event

from bot.web.console import throttle
from bot.web.console.throttle import ACCOUNT, ADDRESS, step
from bot.web.server import create_web_app
from storage.db import Database
from storage.models import LoginThrottle
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


class Statements:
    """The SQL statements one block of code sends (transaction control aside)."""

    def __init__(self, db: Database) -> None:
        self.sql: list[str] = []
        self._engine = db.engine.sync_engine

    def _seen(self, conn: object, cursor: object, statement: str, *rest: object) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            self.sql.append(" ".join(statement.split()))

    def __enter__(self) -> Statements:
        event.listen(self._engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self._engine, "before_cursor_execute", self._seen)


async def test_a_refused_attempt_is_one_read_and_one_counter_write(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flood's refused attempts must stay cheap: no password check, no user lookup, and
    one read plus one write of the counters (the single SQLite writer queues every webhook
    behind them)."""
    checked = 0
    real = throttle.off_loop_verify

    async def counting(stored: str | None, password: str) -> bool:
        nonlocal checked
        checked += 1
        return await real(stored, password)

    monkeypatch.setattr(throttle, "off_loop_verify", counting)
    monkeypatch.setattr(ADDRESS, "free", 2)
    async with console(db) as c:
        await c.add_user("ada", "admin")
        async with client_from(c, "10.6.6.8") as attacker:
            for i in range(ADDRESS.free + 1):
                await login(attacker, f"user{i}", "guess-guess-1")
            before = checked
            with Statements(c.app.db) as seen:
                refused = await login(attacker, "ada", "guess-guess-1")
        assert refused.status_code == 429
        assert checked == before  # the refused path never hashes
        assert not [s for s in seen.sql if "console_users" in s]
        assert len(seen.sql) == 2, seen.sql
        assert "login_throttle" in seen.sql[0] and "login_throttle" in seen.sql[1]


async def test_an_admitted_attempt_reads_and_writes_the_counters_once(db: Database) -> None:
    async with console(db) as c:
        async with client_from(c, "10.6.6.9") as client:
            await login(client, "ada", "guess-guess-1")  # rows exist from here on
            with Statements(c.app.db) as seen:
                answer = await login(client, "ada", "guess-guess-1")
        assert answer.status_code == 401
        throttle_sql = [s for s in seen.sql if "login_throttle" in s]
        assert len(throttle_sql) == 2, throttle_sql  # one read (locked), one write of both rows
        assert len(seen.sql) == 3, seen.sql  # and the user lookup


async def test_a_refused_address_does_not_count_against_the_account(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An attacker's blocked address must not hold back the account's real owner."""
    monkeypatch.setattr(ADDRESS, "free", 1)
    async with console(db) as c:
        await c.add_user("ada", "admin")
        async with client_from(c, "10.6.6.10") as attacker:
            for _ in range(ADDRESS.free + 1):
                await login(attacker, "someone", "guess-guess-1")
            for _ in range(ACCOUNT.free + 5):
                assert (await login(attacker, "ada", "guess-guess-1")).status_code == 429
        async with client_from(c, "10.0.0.10") as staff:
            assert (await login(staff, "ada")).status_code == 303


async def test_refused_attempts_extend_the_address_block_atomically(db: Database) -> None:
    async with console(db) as c:
        async with c.app.db.transaction() as session:
            for _ in range(ADDRESS.free + 2):
                await throttle.admit(session, "10.9.9.9", "x", T0)
        async with c.app.db.transaction() as session:
            row = await session.get(LoginThrottle, "addr:10.9.9.9")
            assert row is not None and row.attempts == ADDRESS.free + 2
            assert row.blocked_until == T0 + ADDRESS.base * 2
            user = await session.get(LoginThrottle, "user:x")
            assert user is not None and user.attempts == ACCOUNT.free + 1  # admitted ones only


async def test_the_event_loop_answers_while_a_password_is_being_checked(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check runs off the loop: with argon2 held mid-check, another request is answered
    (argon2 on the loop would hold every webhook until it finished)."""
    import threading

    from bot.web.console import auth

    entered, release = threading.Event(), threading.Event()
    held_too_long = False

    def held_verify(stored: str | None, password: str) -> bool:
        nonlocal held_too_long
        entered.set()
        held_too_long = not release.wait(10)
        return False

    monkeypatch.setattr(auth, "verify_password", held_verify)
    async with console(db) as c:
        await c.add_user("ada", "admin")
        async with client_from(c, "10.2.0.1") as signing_in, c.client() as other:
            attempt = asyncio.create_task(login(signing_in, "ada", "guess-guess-1"))
            assert await asyncio.to_thread(entered.wait, 10)
            health = await other.get("/healthz")
            release.set()
            assert (await attempt).status_code == 401
    assert health.status_code == 200
    assert not held_too_long  # answered while the check was still held


async def test_an_office_behind_one_address_all_get_in(db: Database) -> None:
    """30 staff behind one NAT address: each account that signs in raises the address's
    allowance by one, so the office is never turned away (issue 9 item 8)."""
    async with console(db) as c:
        staff = [f"staff{i:02d}" for i in range(30)]
        for name in staff:
            await c.add_user(name, "admin")
        statuses = []
        for name in staff:
            async with client_from(c, "10.8.0.1") as client:
                statuses.append((await login(client, name)).status_code)
        assert statuses == [303] * len(staff)


async def test_one_valid_account_buys_one_attempt_not_a_refund(db: Database) -> None:
    """An attacker holding one account, signing in between guesses at others from one
    address, gets one extra attempt per window, then waits like anyone else."""
    async with console(db) as c:
        await c.add_user("mallory", "admin")
        statuses = []
        async with client_from(c, "10.6.6.11") as attacker:
            for i in range(20):
                statuses.append((await login(attacker, "mallory")).status_code)
                statuses.append((await login(attacker, f"user{i}", "guess-guess-1")).status_code)
            refused = await login(attacker, "user99", "guess-guess-1")
        admitted = ADDRESS.free + 1 + 1  # the free ones, the one bought, the one that blocks
        assert [s for s in statuses if s != 429] == [303, 401] * (admitted // 2)
        assert statuses[admitted:] == [429] * (len(statuses) - admitted)
        assert refused.status_code == 429
        # every refused attempt doubled the block (refunds would have admitted all 40)
        assert int(refused.headers["Retry-After"]) == ADDRESS.max_delay.total_seconds()


async def test_signed_in_accounts_count_only_within_the_window(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ADDRESS, "free", 2)
    async with console(db) as c:
        async with c.app.db.transaction() as session:
            for name in ("a", "b", "c"):
                await throttle.signed_in(session, "10.7.7.7", name, T0)
            await throttle.signed_in(session, "10.7.7.70", "d", T0)  # another address
        now = T0 + ADDRESS.window - timedelta(seconds=1)
        async with c.app.db.transaction() as session:
            got = [bool(await throttle.admit(session, "10.7.7.7", f"x{i}", now)) for i in range(7)]
        assert got == [True] * 6 + [False]  # 2 free + 3 signed in + the one that blocks
        later = T0 + ADDRESS.window + timedelta(minutes=20)  # the block over, the bonus gone
        async with c.app.db.transaction() as session:
            got = [
                bool(await throttle.admit(session, "10.7.7.7", f"y{i}", later)) for i in range(4)
            ]
        assert got == [True] * 3 + [False]


async def test_a_refusal_says_when_to_retry(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ADDRESS, "free", 1)
    async with console(db) as c:
        async with client_from(c, "10.6.6.12") as attacker:
            await login(attacker, "someone", "guess-guess-1")
            second = await login(attacker, "someone", "guess-guess-1")  # admitted, blocks 2 s
            refused = await login(attacker, "someone", "guess-guess-1")  # extends to 4 s
        assert "Retry-After" not in second.headers
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == str(int((ADDRESS.base * 2).total_seconds()))
