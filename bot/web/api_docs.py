"""/docs and /openapi.json for signed-in administrators only, served from here (no CDN, no
inline script): the API description is a map of the service, not for the public."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from bot.web.console.auth import ADMIN, load_principal


async def _admin_only(request: Request) -> Response | None:
    who = await load_principal(request)
    if who is None:
        return RedirectResponse("/console/login", status_code=303)
    if who.role != ADMIN:
        return JSONResponse({"error": "administrators only"}, status_code=403)
    return None


def _page(schema: dict[str, Any]) -> str:
    rows = []
    for path, ops in sorted(schema.get("paths", {}).items()):
        for method, op in ops.items():
            rows.append(
                f"<tr><td><code>{html.escape(method.upper())}</code></td>"
                f"<td><code>{html.escape(path)}</code></td>"
                f"<td>{html.escape(str(op.get('summary', '')))}</td></tr>"
            )
    title = html.escape(str(schema.get("info", {}).get("title", "API")))
    return (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        f"<title>{title} API</title><h1>{title} API</h1>"
        '<p>The full description: <a href="/openapi.json">/openapi.json</a>.</p>'
        "<table><tr><th>method</th><th>path</th><th>summary</th></tr>"
        + "".join(rows)
        + "</table></html>"
    )


def router(schema: Callable[[], dict[str, Any]]) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/openapi.json")
    async def openapi(request: Request) -> Response:
        return await _admin_only(request) or JSONResponse(schema())

    @r.get("/docs")
    async def docs(request: Request) -> Response:
        return await _admin_only(request) or HTMLResponse(_page(schema()))

    return r
