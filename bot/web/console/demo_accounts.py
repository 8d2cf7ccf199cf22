"""Demo console accounts, one per role, for `careline serve --demo`.

Their passwords are new random ones at every demo start and are printed once: demo data
only, never a real deployment.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.demo import DEMO_COUNTY
from bot.web.console.auth import ADMIN, HOTLINE, SUPERVISOR, hash_password
from storage.db import Database
from storage.repos import console as repo
from storage.repos.roster import Roster

DEMO_ACCOUNTS = (
    ("demo-admin", ADMIN, "+8613800000005", None),
    ("demo-hotline", HOTLINE, "+8613800000004", None),
    ("demo-supervisor", SUPERVISOR, "+8613800000001", DEMO_COUNTY + "-T1"),
)


def demo_password() -> str:
    return "Demo-" + secrets.token_urlsafe(9)


async def ensure_demo_accounts(session: AsyncSession, now: datetime) -> list[tuple[str, str, str]]:
    """Create or reset the demo accounts; (username, role, password) for each."""
    out: list[tuple[str, str, str]] = []
    for username, role, phone, area_code in DEMO_ACCOUNTS:
        password = demo_password()
        person_id = await Roster(session).person_id(phone)
        area_id = await Roster(session).area_id(area_code) if area_code else None
        user = await repo.user_by_username(session, username)
        if user is None:
            await repo.create_user(
                session,
                username=username,
                password_hash=hash_password(password),
                role=role,
                now=now,
                area_id=area_id,
                person_id=person_id,
            )
        else:
            user.password_hash, user.role, user.area_id = hash_password(password), role, area_id
            user.person_id = person_id
            repo.record_success(user)
        out.append((username, role, password))
    return out


def announce_demo_accounts(settings: Settings) -> None:
    """Create/reset the demo accounts and print their passwords (serve --demo)."""

    async def go() -> list[tuple[str, str, str]]:
        from bot.clock import SystemClock

        db = Database(settings.database_url)
        try:
            async with db.transaction() as session:
                return await ensure_demo_accounts(session, SystemClock().now())
        finally:
            await db.dispose()

    accounts = asyncio.run(go())
    base = f"http://{settings.host}:{settings.port}/console"
    print(f"console: {base}   demo accounts (new passwords at every demo start):")
    for username, role, password in accounts:
        print(f"  {role:<10} {username:<16} {password}")
