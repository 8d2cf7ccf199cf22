"""Sign-in, sign-out, the home page, the language switch and the console's static files."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from bot.web.console import auth, throttle
from bot.web.console.auth import Principal, requires
from bot.web.console.pages import HERE, ConsoleRoute, page
from content.locales import SUPPORTED_LOCALES
from storage.repos import console as repo

SignedIn = Annotated[Principal, Depends(requires())]
STATIC = {"console.css": "text/css", "console.js": "text/javascript"}


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return "/console"


def _secure(request: Request) -> bool:
    return str(auth.app_of(request).settings.public_url or "").startswith("https://")


def _set_private_cookie(
    response: Response, request: Request, name: str, value: str, path: str, max_age: int | None
) -> None:
    """An HTTP-only, same-site cookie, `Secure` when the console is served over HTTPS."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        max_age=max_age,
        path=path,
    )


def _login_page(request: Request, next_: str, error: str | None, status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = page(
        request,
        "login.html",
        {"next": next_, "error": error, "login_csrf": token},
        status_code=status,
    )
    _set_private_cookie(response, request, auth.LOGIN_CSRF_COOKIE, token, "/console", None)
    return response


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    @r.get("/console/login", response_class=HTMLResponse)
    async def login_form(request: Request, next: str | None = None) -> Response:
        return _login_page(request, _safe_next(next), None)

    @r.post("/console/login")
    async def login(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/console",
    ) -> Response:
        cookie = request.cookies.get(auth.LOGIN_CSRF_COOKIE, "")
        if not cookie or not auth.same(cookie, csrf_token):
            return _login_page(request, _safe_next(next), "console.login.expired", 400)
        if "\x00" in username or "\x00" in password:
            return _login_page(request, _safe_next(next), "console.login.failed", 400)
        app = auth.app_of(request)
        now = app.clock.now()
        name = username.strip()[:64]
        address = request.client.host if request.client else "unknown"
        async with app.db.transaction() as session:
            # counted before the password is checked, for known and unknown names alike;
            # a refused attempt costs one read and one counter write, no lookup, no hashing
            admitted = await throttle.admit(session, address, name, now)
            user = await repo.user_by_username(session, name) if admitted and name else None
            stored = user.password_hash if user is not None and user.active else None
        if not admitted:
            refused = _login_page(request, _safe_next(next), "console.login.locked", 429)
            refused.headers["Retry-After"] = str(admitted.retry_after)
            return refused
        if user is not None and user.must_change_password:
            password = auth.as_reset_code(password)  # read out by phone: any case will do
        if not await throttle.off_loop_verify(stored, password[:1024]) or user is None:
            return _login_page(request, _safe_next(next), "console.login.failed", 401)
        async with app.db.transaction() as session:
            user = await repo.user_by_username(session, name)
            if user is None or not user.active:
                return _login_page(request, _safe_next(next), "console.login.failed", 401)
            await throttle.signed_in(session, address, name, now)
            repo.record_success(user)
            token = auth.new_token()
            await repo.open_session(
                session,
                user_id=user.id,
                token_hash=auth.token_hash(token),
                csrf=secrets.token_urlsafe(24),
                now=now,
                lifetime=auth.SESSION_LIFETIME,
            )
        response = RedirectResponse(_safe_next(next), status_code=303)
        lifetime = int(auth.SESSION_LIFETIME.total_seconds())
        _set_private_cookie(response, request, auth.SESSION_COOKIE, token, "/", lifetime)
        response.delete_cookie(auth.LOGIN_CSRF_COOKIE, path="/console")
        return response

    @r.post("/console/logout")
    async def logout(request: Request, who: SignedIn) -> Response:
        app = auth.app_of(request)
        async with app.db.transaction() as session:
            await repo.close_session(session, auth.token_hash(request.cookies[auth.SESSION_COOKIE]))
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(auth.SESSION_COOKIE, path="/")
        return response

    @r.get("/console", response_class=HTMLResponse)
    async def home(request: Request, who: SignedIn) -> Response:
        return page(request, "home.html")

    @r.get("/console/lang/{locale}")
    async def language(locale: str, next: str | None = None) -> Response:
        if locale not in SUPPORTED_LOCALES:
            raise HTTPException(404)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(auth.LANG_COOKIE, locale, samesite="lax", max_age=365 * 86400, path="/")
        return response

    @r.get("/console/static/{name}")
    async def static(name: str) -> Response:
        if name not in STATIC:
            raise HTTPException(404)
        return FileResponse(HERE / "static" / name, media_type=STATIC[name])

    return r
