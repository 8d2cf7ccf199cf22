"""GET /healthz: the process and its database."""

from __future__ import annotations

from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.host import Host
from storage.repos import telegram_failed


def _version() -> str:
    try:
        return version("careline")
    except PackageNotFoundError:
        return "dev"


async def _holiday_warnings(app: Host) -> list[str]:
    from zoneinfo import ZoneInfo

    from bot.reminders.holidays import missing_warnings

    today = app.clock.now().astimezone(ZoneInfo(app.settings.timezone)).date()
    async with app.db.transaction() as session:
        return await missing_warnings(session, today)


def router(app: Host) -> APIRouter:
    r = APIRouter(tags=["health"])

    @r.get("/healthz", summary="Process and database status")
    async def healthz() -> JSONResponse:
        try:
            await app.db.ping()
            migrated = await app.db.is_migrated()
        except Exception:
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        stalled = app.polling_stalled()
        healthy = migrated and not stalled
        body: dict[str, object] = {
            "status": "ok" if healthy else "error",
            "database": "ok" if migrated else "not migrated",
            "channels": app.live_channels,
            "version": _version(),
        }
        if migrated:
            from bot.hotline.rota import coverage
            from bot.loops import loops_since

            async with app.db.transaction() as session:
                rota = await coverage(session, app.clock.now())
                loops = await loops_since(session, app.clock.now() - timedelta(hours=24))
            body["reply_loops_24h"] = loops  # cut auto-reply loops (audit: reply_loop.*)
            body["on_duty_now"] = rota.on_duty_now
            body["warnings"] = rota.warnings  # nobody on duty now or in the next 24 h
            body["holiday_warnings"] = await _holiday_warnings(app)  # next year's 调休 missing
        if stalled is not None:
            body["telegram_polling"] = "stalled" if stalled else "ok"
            if app.poller.last_error:
                body["telegram_polling_error"] = app.poller.last_error
            open_rows = []
            if migrated:  # recorded failures not yet resolved (`careline telegram failed`)
                async with app.db.transaction() as session:
                    open_rows = await telegram_failed.listing(session, limit=10)
                    body["telegram_failed_open"] = await telegram_failed.open_count(session)
            failed = {r.update_id for r in open_rows} | set(app.poller.failed_updates[-10:])
            if failed:  # open in the table, or (database trouble) only in memory
                body["telegram_failed_updates"] = sorted(failed)[-10:]
        return JSONResponse(body, status_code=200 if healthy else 503)

    return r
