"""The one ASGI app: webhooks, health, simulator (and later the console), with OpenAPI."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.app import Application
from bot.capabilities import all_routers
from bot.web import api_docs, health, simulator, webhooks
from bot.web.console.pages import is_console_page, refusal_page
from bot.web.headers import SecurityHeaders
from bot.web.limits import BodyLimit
from bot.web.twilio_lane import TwilioInboundLane

log = logging.getLogger(__name__)


def create_web_app(app: Application, *, background: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await app.check_database()
        if background:
            await app.start_background()
        try:
            yield
        finally:
            await app.stop()

    web = FastAPI(
        title="Careline",
        version="0.1.0",
        lifespan=lifespan,
        description="Webhooks, health, simulator and console API of Careline.",
        docs_url=None,  # served by bot/web/api_docs.py: administrators only, no CDN
        redoc_url=None,
        openapi_url=None,
    )

    @web.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "internal error; see the server log"}, status_code=500)

    @web.exception_handler(StarletteHTTPException)
    async def no_such_page(request: Request, exc: StarletteHTTPException) -> Response:
        """An unknown console URL gets the console's HTML page; the rest keeps FastAPI's JSON."""
        if exc.status_code < 500 and is_console_page(request):
            return refusal_page(request, exc.status_code)
        return await http_exception_handler(request, exc)

    web.include_router(health.router(app))
    web.include_router(api_docs.router(web.openapi))
    web.include_router(webhooks.router(app))
    if app.settings.simulator:
        web.include_router(simulator.router(app))
    for extra in all_routers(app):
        web.include_router(extra)
    web.add_middleware(TwilioInboundLane, host=app)  # innermost: inside the body limit
    web.add_middleware(BodyLimit)
    web.add_middleware(SecurityHeaders)  # outermost: on every answer, 413s included
    web.state.careline = app
    return web
