"""A real Careline server (uvicorn, lifespan on: migrations check, dispatcher, Telegram
polling, scheduler) in a background thread, for end-to-end tests over real HTTP."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Self

import uvicorn

from bot.app import Application, build_app
from bot.config import Settings
from bot.web.server import create_web_app
from tests.standins.server import StartStop, _StandinUvicorn, bind_socket


class LiveCareline(StartStop):
    def __init__(self, settings_for: Callable[[str], Settings]) -> None:
        self._settings_for = settings_for
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._server: _StandinUvicorn | None = None
        self.url = ""
        self.app: Application | None = None

    def start(self) -> Self:
        sock = bind_socket()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.app = build_app(self._settings_for(self.url))
        config = uvicorn.Config(
            create_web_app(self.app),
            lifespan="on",
            log_level="warning",
            access_log=False,
            loop="asyncio",
            ws="none",
            timeout_graceful_shutdown=5,
        )
        self._server = _StandinUvicorn(config, self._ready.set, lambda: None)

        def run() -> None:
            assert self._server is not None
            try:
                self._server.run(sockets=[sock])
            finally:
                sock.close()
                self._ready.set()

        self._thread = threading.Thread(target=run, name="careline-live", daemon=True)
        self._thread.start()
        if not self._ready.wait(30) or not self._server.started:
            raise RuntimeError("Careline did not start; see the log above")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.request_exit()
        if self._thread is not None:
            self._thread.join(30)
