"""Sign-in, lockout, sessions, CSRF and the role matrix, through the real app over ASGI."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.web.console.auth import SESSION_COOKIE, password_problem
from storage.db import Database
from storage.models import ConsoleSession, ConsoleUser
from tests.integration.console.support import PASSWORD, console, csrf_of, login, signed_in


@pytest.mark.parametrize(
    ("username", "password", "status"),
    [
        ("ada", PASSWORD, 303),
        ("ada", "wrong-password-1", 401),
        ("nobody", PASSWORD, 401),
        ("ada", "", 401),
    ],
)
async def test_sign_in(db: Database, username: str, password: str, status: int) -> None:
    async with console(db) as c:
        await c.add_user("ada", "admin")
        async with c.client() as client:
            response = await login(client, username, password)
            assert response.status_code == status
            assert (SESSION_COOKIE in response.cookies) is (status == 303)
            if status == 303:
                cookie = response.headers["set-cookie"].lower()
                assert "httponly" in cookie and "samesite=lax" in cookie


async def test_failures_slow_an_account_down_but_never_lock_it(db: Database) -> None:
    """Five wrong passwords, then one attempt per growing delay (at most a minute)."""
    async with console(db) as c:
        await c.add_user("ada", "admin")
        async with c.client() as client:
            statuses = [(await login(client, "ada", "nope-nope-1")).status_code for _ in range(6)]
            assert statuses == [401, 401, 401, 401, 401, 401]
            assert (await login(client, "ada")).status_code == 429  # within the delay
            c.clock.advance(seconds=2)
            assert (await login(client, "ada")).status_code == 303
        async with db.transaction() as session:
            user = (await session.execute(select(ConsoleUser))).scalar_one()
            assert user.failed_attempts == 0 and user.locked_until is None


async def test_post_without_the_session_csrf_token_is_refused(db: Database) -> None:
    async with console(db) as c, c.signed_in_as("ada", "admin") as (client, csrf):
        form = {"key": "welcome.known", "locale": "en", "text": "Hi {name}"}
        for token in ("", "forged"):
            refused = await client.post(
                "/console/content/draft", data={**form, "csrf_token": token}
            )
            assert refused.status_code == 403
        ok = await client.post("/console/content/draft", data={**form, "csrf_token": csrf})
        assert ok.status_code == 303


async def test_login_form_needs_its_own_csrf_cookie(db: Database) -> None:
    async with console(db) as c:
        await c.add_user("ada", "admin")
        async with c.client() as client:
            form = await client.get("/console/login")
            client.cookies.clear()
            response = await client.post(
                "/console/login",
                data={"username": "ada", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
            )
            assert response.status_code == 400


async def test_sign_out_ends_the_session_and_sessions_expire(db: Database) -> None:
    async with console(db) as c:
        async with c.signed_in_as("ada", "admin") as (client, csrf):
            token = client.cookies[SESSION_COOKIE]
            out = await client.post("/console/logout", data={"csrf_token": csrf})
            assert out.status_code == 303
            client.cookies.set(SESSION_COOKIE, token)  # a stolen copy of the cookie
            assert (await client.get("/console")).headers["location"].startswith("/console/login")
            client.cookies.clear()
            await signed_in(client, "ada")
            c.clock.advance(hours=12, seconds=1)
            assert (await client.get("/console")).status_code == 303
        async with db.transaction() as session:
            stored = (await session.execute(select(ConsoleSession.token_hash))).scalars().all()
            assert token not in stored  # only hashes are stored


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("admin", "/console/content", 200),
        ("admin", "/console/roster", 200),
        ("admin", "/console/people", 200),
        ("hotline", "/console/content", 403),
        ("hotline", "/console/translations", 403),
        ("hotline", "/console/roster", 403),
        ("hotline", "/console/people", 200),
        ("supervisor", "/console/content/edit?key=welcome.known", 403),
        ("supervisor", "/console/translations/en.po", 403),
        ("supervisor", "/console/people", 200),
        (None, "/console/people", 303),
    ],
)
async def test_every_page_checks_the_role(
    db: Database, role: str | None, path: str, status: int
) -> None:
    async with console(db) as c, c.client() as client:
        if role is not None:
            await c.add_user("someone", role, "T-9" if role == "supervisor" else None)
            await signed_in(client, "someone")
        response = await client.get(path)
        assert response.status_code == status
        if status == 403:
            assert "text/html" in response.headers["content-type"]
            assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("password", "refused"),
    [("", True), ("   ", True), ("short1A", True), ("aaaaaaaaaaaa", True),
     ("ada-is-Cool-1", True), ("Correct-Horse-9", False), ("长城万里长城永不倒1a", False)],
)  # fmt: skip
def test_weak_passwords_are_refused(password: str, refused: bool) -> None:
    assert (password_problem(password, "ada") is not None) is refused
