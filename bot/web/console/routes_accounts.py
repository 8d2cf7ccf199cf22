"""Console accounts, run by administrators: list, create, disable and re-enable, set role and
area, reset a password and unlock. A new account and a reset get a one-time reset code, shown
once and stored only as a hash; whoever signs in with it must choose a new password first.
Every change is written to the audit log (subject `console_user`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.web.console import auth, throttle
from bot.web.console.auth import ADMIN, ROLES, SUPERVISOR, Principal, app_of, requires
from bot.web.console.pages import ConsoleRoute, page
from content.errors import InputError
from storage.models import ConsoleUser
from storage.repos import console as repo
from storage.uow import Work, unit_of_work

Admin = Annotated[Principal, Depends(requires(ADMIN))]
SignedIn = Annotated[Principal, Depends(requires())]
ACTIONS = ("disable", "enable", "reset", "unlock", "role")


class Refused(InputError):
    """A change refused before anything was written; `args[0]` is the catalog key."""


def _audit(w: Work, who: Principal, action: str, user: ConsoleUser, **detail: Any) -> None:
    w.audit(
        who.actor, f"account.{action}", "console_user", user.id,
        {"username": user.username, **detail},
    )  # fmt: skip


async def _area_id(w: Work, code: str) -> int | None:
    if not code.strip():
        return None
    found = await w.roster.area_id(code.strip())
    if found is None:
        raise Refused("accounts.error.area")
    return int(found)


async def _listing(request: Request, **extra: Any) -> Response:
    app = app_of(request)
    now = app.clock.now()
    async with unit_of_work(app.db, now) as w:
        users = await repo.all_users(w.session)
        areas = await w.directory.areas()
        held = await throttle.held_accounts(w.session, now)
    codes = {a.id: a.code for a in areas}
    rows = [
        {
            "user": u,
            "area": codes.get(u.area_id or 0, ""),
            "locked": repo.is_locked(u, now) or u.username.lower() in held,
            "mark": auth.credential_mark(u.password_hash),
        }
        for u in users
    ]
    context = {"rows": rows, "roles": ROLES, "areas": areas, **extra}
    response = page(
        request, "accounts.html", context, status_code=400 if extra.get("error") else 200
    )
    response.headers["Cache-Control"] = "no-store"  # a reset code must not stay in a cache
    return response


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    @r.get("/console/accounts", response_class=HTMLResponse)
    async def accounts(request: Request, who: Admin) -> Response:
        return await _listing(request)

    @r.post("/console/accounts", response_class=HTMLResponse)
    async def create(
        request: Request,
        who: Admin,
        username: Annotated[str, Form()] = "",
        role: Annotated[str, Form()] = "",
        area: Annotated[str, Form()] = "",
    ) -> Response:
        app = app_of(request)
        name = username.strip()
        if not name or len(name) > 64 or not name.replace("-", "").replace("_", "").isalnum():
            return await _listing(request, error="accounts.error.username")
        if role not in ROLES:
            return await _listing(request, error="accounts.error.role")
        code = auth.reset_code()
        try:
            async with unit_of_work(app.db, app.clock.now()) as w:
                if await repo.user_by_username(w.session, name) is not None:
                    raise Refused("accounts.error.exists")
                area_id = await _area_id(w, area)
                if role == SUPERVISOR and area_id is None:
                    raise Refused("accounts.error.supervisor_area")
                user = await repo.create_user(
                    w.session, username=name, password_hash=auth.hash_password(code), role=role,
                    now=app.clock.now(), area_id=area_id,
                )  # fmt: skip
                user.must_change_password = True
                _audit(w, who, "create", user, role=role, area=area.strip() or None)
        except Refused as exc:
            return await _listing(request, error=exc.args[0])
        return await _listing(request, code=code, code_for=name)

    @r.post("/console/accounts/{user_id}/{action}", response_class=HTMLResponse)
    async def change(
        request: Request,
        who: Admin,
        user_id: int,
        action: str,
        role: Annotated[str, Form()] = "",
        area: Annotated[str, Form()] = "",
        mark: Annotated[str, Form()] = "",
    ) -> Response:
        if action not in ACTIONS:
            raise HTTPException(404)
        app = app_of(request)
        code: str | None = None
        try:
            async with unit_of_work(app.db, app.clock.now()) as w:
                user = await w.session.get(ConsoleUser, user_id)
                if user is None:
                    raise HTTPException(404)
                if user.id == who.user_id and action in ("disable", "role"):
                    raise Refused("accounts.error.self")
                if action == "disable":
                    user.active = False
                    await repo.close_sessions_of(w.session, user.id)
                    _audit(w, who, "disable", user)
                elif action == "enable":
                    user.active = True
                    _audit(w, who, "enable", user)
                elif action == "unlock":
                    repo.record_success(user)
                    await throttle.forget_account(w.session, user.username)
                    _audit(w, who, "unlock", user)
                elif action == "reset":
                    if mark != auth.credential_mark(user.password_hash):
                        raise Refused("accounts.error.already_reset")  # a reload re-posted it
                    code = auth.reset_code()
                    user.password_hash = auth.hash_password(code)
                    user.must_change_password = True
                    repo.record_success(user)
                    await throttle.forget_account(w.session, user.username)
                    await repo.close_sessions_of(w.session, user.id)
                    _audit(w, who, "reset", user)
                else:
                    if role not in ROLES:
                        raise Refused("accounts.error.role")
                    area_id = await _area_id(w, area)
                    if role == SUPERVISOR and area_id is None:
                        raise Refused("accounts.error.supervisor_area")
                    before = {"role": user.role, "area_id": user.area_id}
                    user.role, user.area_id = role, area_id
                    after = {"role": role, "area_id": area_id}
                    _audit(w, who, "role", user, before=before, after=after)
                username = user.username
        except Refused as exc:
            return await _listing(request, error=exc.args[0])
        if code is not None:
            return await _listing(request, code=code, code_for=username)
        return RedirectResponse("/console/accounts", status_code=303)

    @r.get(auth.PASSWORD_PATH, response_class=HTMLResponse)
    async def password_form(request: Request, who: SignedIn) -> Response:
        return page(request, "password.html", {"error": None})

    @r.post(auth.PASSWORD_PATH, response_class=HTMLResponse)
    async def password(
        request: Request,
        who: SignedIn,
        current: Annotated[str, Form()] = "",
        new: Annotated[str, Form()] = "",
        again: Annotated[str, Form()] = "",
    ) -> Response:
        app = app_of(request)
        async with unit_of_work(app.db, app.clock.now()) as w:
            user = await w.session.get(ConsoleUser, who.user_id)
            assert user is not None
            if user.must_change_password:
                current = auth.as_reset_code(current)
            if not auth.verify_password(user.password_hash, current):
                return page(
                    request, "password.html", {"error": "accounts.password.wrong"}, status_code=400
                )
            if new != again:
                return page(
                    request,
                    "password.html",
                    {"error": "accounts.password.mismatch"},
                    status_code=400,
                )
            problem = auth.password_problem_code(new, user.username)
            if problem is None and auth.verify_password(user.password_hash, new):
                problem = "same"
            if problem is not None:
                reason = f"accounts.password.problem.{problem}"
                return page(
                    request, "password.html",
                    {"error": "accounts.password.weak", "problem": reason},
                    status_code=400,
                )  # fmt: skip
            user.password_hash = auth.hash_password(new)
            user.must_change_password = False
            _audit(w, who, "password", user)
        return RedirectResponse("/console", status_code=303)

    return r
