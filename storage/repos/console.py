"""Console accounts and server-side sessions. Passwords arrive already hashed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConsoleSession, ConsoleUser

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


async def user_by_username(session: AsyncSession, username: str) -> ConsoleUser | None:
    row = await session.execute(select(ConsoleUser).where(ConsoleUser.username == username))
    return row.scalar_one_or_none()


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    password_hash: str,
    role: str,
    now: datetime,
    area_id: int | None = None,
    person_id: int | None = None,
    locale: str = "zh_Hans",
) -> ConsoleUser:
    user = ConsoleUser(
        username=username,
        password_hash=password_hash,
        role=role,
        area_id=area_id,
        person_id=person_id,
        locale=locale,
        failed_attempts=0,
        active=True,
        created_at=now,
    )
    session.add(user)
    await session.flush()
    return user


def is_locked(user: ConsoleUser, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def record_failure(user: ConsoleUser, now: datetime) -> None:
    """Count a wrong password; the fifth in a row locks the account for 15 minutes."""
    if user.locked_until is not None and user.locked_until <= now:
        user.failed_attempts = 0
        user.locked_until = None
    user.failed_attempts += 1
    if user.failed_attempts >= MAX_FAILURES:
        user.locked_until = now + LOCKOUT


def record_success(user: ConsoleUser) -> None:
    user.failed_attempts = 0
    user.locked_until = None


async def open_session(
    session: AsyncSession,
    *,
    user_id: int,
    token_hash: str,
    csrf: str,
    now: datetime,
    lifetime: timedelta,
) -> ConsoleSession:
    await session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= now))
    row = ConsoleSession(
        token_hash=token_hash, user_id=user_id, csrf=csrf, created_at=now, expires_at=now + lifetime
    )
    session.add(row)
    await session.flush()
    return row


async def live_session(
    session: AsyncSession, token_hash: str, now: datetime
) -> tuple[ConsoleSession, ConsoleUser] | None:
    row = await session.execute(
        select(ConsoleSession, ConsoleUser)
        .join(ConsoleUser, ConsoleUser.id == ConsoleSession.user_id)
        .where(
            ConsoleSession.token_hash == token_hash,
            ConsoleSession.expires_at > now,
            ConsoleUser.active.is_(True),
        )
    )
    found = row.first()
    return None if found is None else (found[0], found[1])


async def close_session(session: AsyncSession, token_hash: str) -> None:
    await session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == token_hash))


async def all_users(session: AsyncSession) -> list[ConsoleUser]:
    rows = await session.execute(select(ConsoleUser).order_by(ConsoleUser.username))
    return list(rows.scalars())


async def close_sessions_of(session: AsyncSession, user_id: int) -> None:
    """Sign the account out everywhere."""
    await session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user_id))
