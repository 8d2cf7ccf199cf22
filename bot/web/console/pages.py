"""Rendering console pages: Jinja2 templates, texts from the catalog, and the route class
that turns "not signed in", "forbidden" and "bad CSRF token" into pages, not tracebacks."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from bot.web.console.auth import (
    LANG_COOKIE,
    BadCsrf,
    Forbidden,
    PasswordChangeRequired,
    Principal,
    SignInRequired,
    app_of,
)
from bot.web.console.forms import Refusal
from content.catalog import Catalog
from content.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES, normalize_locale

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
LOCALE_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}


def catalog_of(request: Request) -> Catalog:
    app = app_of(request)
    return app.content.current() if app.content is not None else app.catalog


def locale_of(request: Request, who: Principal | None = None) -> str:
    raw = request.cookies.get(LANG_COOKIE) or (who.locale if who else None) or DEFAULT_LOCALE
    return normalize_locale(raw)


def translator(request: Request, locale: str) -> Callable[..., str]:
    catalog = catalog_of(request)

    def t(key: str, **params: Any) -> str:
        return catalog.text(key, locale, params)

    return t


def page(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    who: Principal | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    who = who or getattr(request.state, "principal", None)
    locale = locale_of(request, who)
    values: dict[str, Any] = {
        "t": translator(request, locale),
        "who": who,
        "csrf": who.csrf if who else "",
        "locale": locale,
        "locale_names": LOCALE_NAMES,
        "locales": SUPPORTED_LOCALES,
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "html_lang": {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}[locale],
    }
    values.update(context or {})
    return TEMPLATES.TemplateResponse(request, name, values, status_code=status_code)


def back_link(request: Request) -> str:
    """Where "back" leads after a refused form: the console page it came from (its path only,
    so never another site), else home."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.path.startswith("/console") and not referer.path.startswith("/console/api"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/console"


def refusal_page(
    request: Request,
    status_code: int,
    key: str = "console.refused.body",
    detail: str | None = None,
) -> HTMLResponse:
    """A console page for a 4xx: "not found", or why the form was refused (the catalog
    `key`; a general reason by default), in the user's language; `detail`, the route's own
    words (which open cases keep the data, what is already resolved), shown beneath it."""
    if status_code == 404:
        return page(request, "not_found.html", status_code=404)
    context = {"reason": key, "back": back_link(request), "detail": detail}
    return page(request, "refused.html", context, status_code=status_code)


def is_console_page(request: Request) -> bool:
    """A console URL a browser opens (the JSON API under /console/api aside)."""
    path = request.url.path
    return (path == "/console" or path.startswith("/console/")) and not path.startswith(
        "/console/api/"
    )


class ConsoleRoute(APIRoute):
    """Renders the sign-in redirect, the 403 page and the CSRF refusal for every route."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except SignInRequired:
                target = quote(request.url.path, safe="/")
                return RedirectResponse(f"/console/login?next={target}", status_code=303)
            except PasswordChangeRequired:
                return RedirectResponse("/console/password", status_code=303)
            except Forbidden:
                return page(request, "forbidden.html", status_code=403)
            except BadCsrf:
                return page(request, "forbidden.html", {"csrf_failed": True}, status_code=403)
            except Refusal as exc:
                if request.url.path.startswith("/console/api/"):
                    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
                return refusal_page(request, exc.status_code, exc.key)
            except HTTPException as exc:
                if request.url.path.startswith("/console/api/") or exc.status_code >= 500:
                    raise
                detail = exc.detail if isinstance(exc.detail, str) else None
                return refusal_page(request, exc.status_code, detail=detail)
            except RequestValidationError:
                if request.url.path.startswith("/console/api/"):
                    raise
                return refusal_page(request, 422)

        return handler
