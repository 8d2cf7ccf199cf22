"""Static files of the console pages: their scripts and stylesheet, and the vendored
Chart.js (from the npm registry, with its licence next to it — never a CDN)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response
from fastapi.responses import FileResponse

from bot.web.console.pages import HERE

ASSETS = {
    "pages/cases.js": ("cases.js", "text/javascript"),
    "pages/reports.js": ("reports.js", "text/javascript"),
    "pages/hotline.css": ("hotline.css", "text/css"),
    "vendor/chart.umd.js": ("vendor/chart.umd.js", "text/javascript"),
    "vendor/chart.js.LICENSE.md": ("vendor/chart.js.LICENSE.md", "text/plain; charset=utf-8"),
}


def router() -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/console/static/{folder}/{name}")
    async def asset(folder: str, name: str) -> Response:
        found = ASSETS.get(f"{folder}/{name}")
        if found is None:
            raise HTTPException(404)
        path, media = found
        return FileResponse(HERE / "static" / path, media_type=media)

    return r
