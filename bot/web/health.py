"""GET /healthz: the process and its database."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.app import Application


def _version() -> str:
    try:
        return version("careline")
    except PackageNotFoundError:
        return "dev"


def router(app: Application) -> APIRouter:
    r = APIRouter(tags=["health"])

    @r.get("/healthz", summary="Process and database status")
    async def healthz() -> JSONResponse:
        try:
            await app.db.ping()
            migrated = await app.db.is_migrated()
        except Exception:
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        body: dict[str, object] = {
            "status": "ok" if migrated else "error",
            "database": "ok" if migrated else "not migrated",
            "channels": app.live_channels,
            "version": _version(),
        }
        if migrated:
            from bot.hotline.rota import coverage

            async with app.db.transaction() as session:
                rota = await coverage(session, app.clock.now())
            body["on_duty_now"] = rota.on_duty_now
            body["warnings"] = rota.warnings  # nobody on duty now or in the next 24 h
        return JSONResponse(body, status_code=200 if migrated else 503)

    return r
