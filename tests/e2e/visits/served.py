"""A real Careline web app served by uvicorn in a thread, for end-to-end tests.

The app's database, HTTP clients and dispatcher live on the server's event loop (asyncpg
connections are bound to the loop that made them), so the test runs everything that
touches them there, with `ServedApp.run(coro)`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.app import Application
from bot.clock import FakeClock
from bot.demo import load_demo
from bot.web.server import create_web_app
from tests.standins import StandinServer
from tests.support.apps import make_app

T = TypeVar("T")


class _LoopCapture:
    """ASGI wrapper: remembers the server's loop; the inner app is set once it is built."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.loop = asyncio.get_running_loop()
        if self.app is None:  # the first request only tells us the loop
            await PlainTextResponse("starting", status_code=503)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class ServedApp:
    def __init__(self) -> None:
        self.capture = _LoopCapture()
        self.server = StandinServer(self.capture)
        self.app: Application | None = None

    @property
    def base_url(self) -> str:
        return self.server.base_url

    async def start(self, database_url: str, clock: FakeClock, **settings: Any) -> Application:
        """Bind the port first (the app needs its public URL), learn the server's loop, then
        build the app on that loop (HTTP clients bind to the loop they are made on) and mount
        it."""
        self.server.start()
        async with httpx.AsyncClient(base_url=self.base_url) as http:
            assert (await http.get("/")).status_code == 503

        async def build() -> Application:
            return make_app(database_url, clock, public_url=self.base_url, **settings)

        self.app = await self.run(build())
        self.capture.app = create_web_app(self.app, background=False)
        return self.app

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the server's event loop."""
        if self.capture.loop is None:
            raise RuntimeError("the server has not started")
        future = asyncio.run_coroutine_threadsafe(coro, self.capture.loop)
        return await asyncio.wrap_future(future)

    async def load_demo(self) -> None:
        app = self._app()
        async with app.db.transaction() as session:
            await load_demo(session, app.clock.now(), app.clock.now().date())

    async def dispatch(self) -> None:
        await self.run(self._app().dispatcher.run_until_idle())

    async def stop(self) -> None:
        if self.app is not None and self.capture.loop is not None:
            await self.run(self.app.stop())
        self.server.stop()

    def _app(self) -> Application:
        assert self.app is not None
        return self.app
