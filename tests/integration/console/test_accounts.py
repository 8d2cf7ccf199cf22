"""Accounts in the console: an administrator creates, disables and re-enables accounts, sets
role and area, resets a password (a one-time code shown once, then a new password is forced)
and unlocks; every change is audited and other roles are refused."""

from __future__ import annotations

import html
import re

import httpx
from sqlalchemy import select

from content.catalog import Catalog
from content.locales import SUPPORTED_LOCALES
from storage.db import Database
from storage.models import AuditEntry, ConsoleUser
from tests.integration.console.staffed import TOWNSHIP, Staff, staffed
from tests.integration.console.support import PASSWORD, csrf_of, login

CODE = re.compile(r'<code class="reset-code">([^<]+)</code>')
NEW_PASSWORD = "Fresh-Passw0rd-22"


async def _user(staff: Staff, username: str) -> ConsoleUser:
    async with staff.app.db.transaction() as session:
        found = (
            await session.execute(select(ConsoleUser).where(ConsoleUser.username == username))
        ).scalar_one()
        return found


async def _actions(staff: Staff) -> list[tuple[str, str | None]]:
    async with staff.app.db.transaction() as session:
        rows = (
            await session.execute(
                select(AuditEntry)
                .where(AuditEntry.action.like("account.%"))
                .order_by(AuditEntry.id)
            )
        ).scalars()
        return [(r.action, r.detail.get("username")) for r in rows]


async def _mark(client: httpx.AsyncClient, user_id: int) -> str:
    """The credential mark the accounts page puts in a user's reset form."""
    listing = (await client.get("/console/accounts")).text
    found = re.search(
        rf'/console/accounts/{user_id}/reset"[^>]*>\s*<input[^>]*>\s*'
        r'<input type="hidden" name="mark" value="([0-9a-f]+)"',
        listing,
    )
    assert found, "the reset form carries the credential mark"
    return found[1]


async def _first_sign_in(client: httpx.AsyncClient, username: str, code: str) -> None:
    """Sign in with a reset code: every page leads to the new-password form until it is set."""
    assert (await login(client, username, code)).status_code == 303
    home = await client.get("/console")
    assert home.status_code == 303 and home.headers["location"] == "/console/password"
    form = await client.get("/console/password")
    csrf = csrf_of(form.text)
    weak = await client.post(
        "/console/password",
        data={"current": code, "new": "short", "again": "short", "csrf_token": csrf},
    )
    assert weak.status_code == 400
    done = await client.post(
        "/console/password",
        data={"current": code, "new": NEW_PASSWORD, "again": NEW_PASSWORD, "csrf_token": csrf},
    )
    assert done.status_code == 303
    assert (await client.get("/console")).status_code == 200


async def test_create_reset_and_first_sign_in(db: Database) -> None:
    async with staffed(db) as staff:
        async with staff.signed_in("root") as (client, csrf):
            listing = await client.get("/console/accounts")
            assert listing.status_code == 200 and "zhou" in listing.text
            made = await client.post(
                "/console/accounts",
                data={
                    "username": "lin",
                    "role": "supervisor",
                    "area": TOWNSHIP,
                    "csrf_token": csrf,
                },
            )
            assert made.status_code == 200, made.text
            code = CODE.search(made.text)
            assert code, "the reset code is shown once"
            again = await client.get("/console/accounts")
            assert code[1] not in again.text
        lin = await _user(staff, "lin")
        assert lin.must_change_password and lin.role == "supervisor" and lin.area_id is not None
        assert code[1] not in lin.password_hash
        async with staff.console.client() as fresh:
            await _first_sign_in(fresh, "lin", code[1])
        assert not (await _user(staff, "lin")).must_change_password
        async with staff.signed_in("root") as (client, csrf):
            form = {"csrf_token": csrf, "mark": await _mark(client, lin.id)}
            reset = await client.post(f"/console/accounts/{lin.id}/reset", data=form)
            second = CODE.search(reset.text)
            assert second and second[1] != code[1]
            assert re.fullmatch(r"([A-HJ-NP-Z2-9]{4}-){3}[A-HJ-NP-Z2-9]{4}", second[1])
            reloaded = await client.post(f"/console/accounts/{lin.id}/reset", data=form)
            assert reloaded.status_code == 400 and not CODE.search(reloaded.text)
            assert "之前显示的重置码仍然有效" in reloaded.text
        async with staff.console.client() as fresh:
            assert (await login(fresh, "lin", NEW_PASSWORD)).status_code == 401
            # read out by phone and typed in lower case, with spaces: still the code
            await _first_sign_in(fresh, "lin", second[1].lower().replace("-", " "))
        assert await _actions(staff) == [
            ("account.create", "lin"),
            ("account.password", "lin"),
            ("account.reset", "lin"),
            ("account.password", "lin"),
        ]


async def test_disable_enable_role_and_unlock(db: Database) -> None:
    async with staffed(db) as staff:
        zhou = await _user(staff, "zhou")
        async with (
            staff.signed_in("zhou") as (zclient, _),
            staff.signed_in("root") as (client, csrf),
        ):
            off = await client.post(
                f"/console/accounts/{zhou.id}/disable", data={"csrf_token": csrf}
            )
            assert off.status_code == 303
            # the disabled account's open session ends at once
            assert (await zclient.get("/console")).status_code == 303
            assert (await login(zclient, "zhou")).status_code == 401
            on = await client.post(f"/console/accounts/{zhou.id}/enable", data={"csrf_token": csrf})
            assert on.status_code == 303
            role = await client.post(
                f"/console/accounts/{zhou.id}/role",
                data={"role": "hotline", "area": "", "csrf_token": csrf},
            )
            assert role.status_code == 303
            for _ in range(5):
                await login(zclient, "zhou", "wrong-password-1")
            assert (await login(zclient, "zhou")).status_code == 429
            assert "已锁定" in (await client.get("/console/accounts")).text
            unlock = await client.post(
                f"/console/accounts/{zhou.id}/unlock", data={"csrf_token": csrf}
            )
            assert unlock.status_code == 303
            assert (await login(zclient, "zhou", PASSWORD)).status_code == 303
            root = await _user(staff, "root")
            own = await client.post(
                f"/console/accounts/{root.id}/disable", data={"csrf_token": csrf}
            )
            assert own.status_code == 400 and (await _user(staff, "root")).active
        after = await _user(staff, "zhou")
        assert after.active and after.role == "hotline" and after.area_id is None
        assert [a for a, _ in await _actions(staff)] == [
            "account.disable", "account.enable", "account.role", "account.unlock",
        ]  # fmt: skip


async def test_only_administrators_manage_accounts(db: Database) -> None:
    async with staffed(db) as staff:
        zhou = await _user(staff, "zhou")
        async with staff.signed_in("chen") as (client, csrf):
            assert (await client.get("/console/accounts")).status_code == 403
            refused = await client.post(
                f"/console/accounts/{zhou.id}/reset", data={"csrf_token": csrf}
            )
            assert refused.status_code == 403
        async with staff.signed_in("root") as (client, _):
            forged = await client.post(
                f"/console/accounts/{zhou.id}/disable", data={"csrf_token": "x"}
            )
            assert forged.status_code == 403
        assert (await _user(staff, "zhou")).active
        assert await _actions(staff) == []


WEAK = [  # (new password, reason code): each refusal names its reason in the user's language
    ("Ab1-short", "short"),
    ("Root-Secret-99", "username"),
    ("aaaaabbbbbaaaaabbbbb", "few"),
    ("onlylowercaseletters", "kinds"),
    (PASSWORD, "same"),
]


async def test_password_reasons_speak_the_users_language(db: Database) -> None:
    from bot.web.console.auth import LANG_COOKIE, PASSWORD_PROBLEMS, password_problem_code

    for new, code in WEAK[:-1]:
        assert password_problem_code(new, "root") == code, new
    catalog = Catalog.load()
    for code in PASSWORD_PROBLEMS:
        for locale in SUPPORTED_LOCALES:
            assert catalog.has(f"accounts.password.problem.{code}", locale), (code, locale)
    async with staffed(db) as staff, staff.signed_in("root") as (client, csrf):
        for locale in SUPPORTED_LOCALES:
            client.cookies.set(LANG_COOKIE, locale)
            for new, code in WEAK:
                answer = await client.post(
                    "/console/password",
                    data={"current": PASSWORD, "new": new, "again": new, "csrf_token": csrf},
                )
                assert answer.status_code == 400
                reason = catalog.text(f"accounts.password.problem.{code}", locale)
                assert html.escape(reason, quote=False) in answer.text, (locale, code)
                assert PASSWORD_PROBLEMS[code] not in answer.text or locale == "en"
