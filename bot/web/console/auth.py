"""Sign-in, server-side sessions, CSRF and role checks for the console.

The session cookie holds a random token (only its SHA-256 is stored); it is HttpOnly and
SameSite=Lax. Each session has its own CSRF token, checked on every POST (form field
`csrf_token` or header `X-CSRF-Token`). Sign-in attempts are throttled per address and per
account, and passwords are checked off the event loop (`throttle.py`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from fastapi import HTTPException, Request

from bot.web.console.hashing import verify_one_thread
from bot.web.console.roles import ADMIN as ADMIN
from bot.web.console.roles import HOTLINE as HOTLINE
from bot.web.console.roles import ROLES as ROLES
from bot.web.console.roles import SUPERVISOR as SUPERVISOR
from bot.web.limits import form_problem, limit_for
from content.errors import AccessError
from storage.repos import console as repo
from storage.uow import Work

if TYPE_CHECKING:
    from bot.host import Host

SESSION_COOKIE = "careline_session"
LOGIN_CSRF_COOKIE = "careline_login_csrf"
LANG_COOKIE = "careline_lang"
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 10

_hasher = PasswordHasher()
# verified against when the username is unknown, so both cases take the same time; made on
# first use (an argon2 hash at import cost every `careline` command ~0.7 s and 64 MiB)
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("careline-no-such-user")
    return _DUMMY_HASH


class SignInRequired(AccessError):
    pass


class Forbidden(AccessError):
    pass


class BadCsrf(AccessError):
    pass


class PasswordChangeRequired(AccessError):
    """Signed in with a reset code: every page but the new-password form redirects there."""


PASSWORD_PATH = "/console/password"


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    role: str
    area_id: int | None
    person_id: int | None
    csrf: str
    locale: str
    must_change: bool = False

    @property
    def actor(self) -> str:
        return f"user:{self.username}"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


PASSWORD_PROBLEMS = {
    "empty": "empty password",
    "short": f"too short: at least {MIN_PASSWORD} characters",
    "username": "must not contain the username",
    "few": "too few different characters",
    "kinds": "use at least two of: lower case, upper case, digits, symbols",
    "same": "same as before",
}
"""Why a password is refused: a code, its English for the command line, and its catalog key
`accounts.password.problem.<code>` for the console (three locales)."""


def password_problem_code(password: str, username: str = "") -> str | None:
    """The code (a key of PASSWORD_PROBLEMS) of why a password is refused, None when fine."""
    if not password or not password.strip():
        return "empty"
    if len(password) < MIN_PASSWORD:
        return "short"
    if username and username.lower() in password.lower():
        return "username"
    if len(set(password)) < 5:
        return "few"
    kinds = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if kinds < 2:
        return "kinds"
    return None


def password_problem(password: str, username: str = "") -> str | None:
    """Why a password is refused, in English for the command line (None when acceptable)."""
    code = password_problem_code(password, username)
    return None if code is None else PASSWORD_PROBLEMS[code]


RESET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # upper case, no 0/O, 1/I look-alikes
RESET_GROUPS = 4  # of 4 characters: 16 x 5 bits = 80 bits


def reset_code() -> str:
    """A one-time code to read out by phone: 4 groups of 4 upper-case letters and digits."""
    raw = "".join(secrets.choice(RESET_ALPHABET) for _ in range(4 * RESET_GROUPS))
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def as_reset_code(typed: str) -> str:
    """What was typed, as a reset code when it reads as one: any case, spaces or dashes
    (`abcd efgh-jkmn pqrs`); anything else (a password, an older code) unchanged."""
    raw = "".join(c for c in typed if c not in " -").upper()
    if len(raw) != 4 * RESET_GROUPS or any(c not in RESET_ALPHABET for c in raw):
        return typed
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def credential_mark(password_hash: str | None) -> str:
    """A short fingerprint of the current password hash: a reset form carries it, so a
    reloaded (re-posted) reset is refused instead of silently replacing the code shown."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def verify_password(stored: str | None, password: str) -> bool:
    """argon2 on one thread (`hashing.py`); an unknown user is checked against a dummy hash,
    so both take the same time."""
    return verify_one_thread(stored or _dummy_hash(), password) and stored is not None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def app_of(request: Request) -> Host:
    app: Host = request.app.state.careline
    return app


async def load_principal(request: Request) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    app = app_of(request)
    async with app.db.transaction() as session:
        found = await repo.live_session(session, token_hash(token), app.clock.now())
    if found is None:
        return None
    sess, user = found
    locale = request.cookies.get(LANG_COOKIE) or user.locale
    return Principal(
        user.id, user.username, user.role, user.area_id, user.person_id, sess.csrf, locale,
        bool(user.must_change_password),
    )  # fmt: skip


async def _posted_csrf(request: Request) -> str:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        # parts as large as the path's body limit (the roster import posts a 6.7 MB field)
        form = await request.form(max_part_size=limit_for(request.url.path))
        value = form.get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


async def refuse_bad_form(request: Request) -> None:
    """400 for a posted form with NUL or an over-long text field (files and the roster's
    payload aside), before any handler or query sees it."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return
    form = await request.form(max_part_size=limit_for(request.url.path))
    longest = (
        limit_for(request.url.path) if request.url.path.startswith("/console/roster/") else 20_000
    )
    problem = form_problem([v for _, v in form.multi_items()], max_value=longest)
    if problem is not None:
        raise HTTPException(400, problem)


def requires(*roles: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency: the signed-in user, with one of `roles`; POSTs must carry the CSRF token."""

    async def dependency(request: Request) -> Principal:
        who = await load_principal(request)
        if who is None:
            raise SignInRequired
        if request.method == "POST" and not same(await _posted_csrf(request), who.csrf):
            raise BadCsrf
        if request.method == "POST":
            await refuse_bad_form(request)
        if who.must_change and request.url.path not in (PASSWORD_PATH, "/console/logout"):
            raise PasswordChangeRequired
        if roles and who.role not in roles:
            raise Forbidden
        request.state.principal = who
        return who

    return dependency


def audit_read(
    w: Work,
    who: Principal,
    subject_type: str,
    subject_id: int | str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write who read which case or child's record, and when, to the audit log."""
    w.audit(who.actor, "read", subject_type, subject_id, detail)
