"""Serve an ASGI app with uvicorn on 127.0.0.1 and an OS-assigned port.

In-thread: `with StandinServer(app) as server: server.base_url` (or `.start()` / `.stop()`).
The socket is bound before uvicorn starts, so the port is known at once; `start()` returns
when uvicorn reports it has started (an Event set from `Server.startup`, no polling).
In a process of its own: `serve_until_signalled(...)` (used by `python -m tests.standins`).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from contextlib import suppress
from types import FrameType, TracebackType
from typing import Self

import uvicorn
from starlette.types import ASGIApp

HOST = "127.0.0.1"


class _StandinUvicorn(uvicorn.Server):
    """uvicorn.Server that reports startup, runs a hook before it exits, and waits for
    `request_exit()` on an event instead of uvicorn's 100 ms ticks."""

    def __init__(
        self, config: uvicorn.Config, on_started: Callable[[], None], on_exit: Callable[[], None]
    ) -> None:
        super().__init__(config)
        self._on_started = on_started
        self._on_exit = on_exit
        self._wake: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None

    async def main_loop(self) -> None:
        await self.on_tick(0)  # sets the default headers once
        self._wake = (asyncio.get_running_loop(), asyncio.Event())
        if not self.should_exit:
            await self._wake[1].wait()

    def request_exit(self) -> None:
        """Thread-safe: ask the server to shut down now."""
        self.should_exit = True
        wake = self._wake
        if wake is not None:
            with suppress(RuntimeError):  # loop already closed
                wake[0].call_soon_threadsafe(wake[1].set)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_started()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._on_exit()
        super().handle_exit(sig, frame)
        if self.should_exit:
            self.request_exit()


def bind_socket(host: str = HOST, port: int = 0) -> socket.socket:
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # is TCP; without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _config(app: ASGIApp, lifespan: bool = False, loop: str = "asyncio") -> uvicorn.Config:
    return uvicorn.Config(
        app,
        lifespan="on" if lifespan else "off",
        log_level="warning",
        access_log=False,
        loop=loop,
        ws="none",
        timeout_graceful_shutdown=2,
    )


def _nothing() -> None:
    return None


class StartStop:
    """`with thing:` starts it and stops it afterwards (servers, stand-ins, proxies)."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class StandinServer(StartStop):
    """uvicorn in a daemon thread; `on_stop` runs first on stop (e.g. `recorder.close`)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        port: int = 0,
        on_stop: Callable[[], None] | None = None,
        startup_timeout: float = 10.0,
        lifespan: bool = False,
        loop: str = "asyncio",
    ) -> None:
        """`lifespan`: run the app's start-up and shut-down (an app's background tasks).
        `loop`: uvicorn's event loop ("auto": uvloop when installed, as `careline serve`)."""
        self._app = app
        self._lifespan = lifespan
        self._loop = loop
        self._requested_port = port
        self._on_stop = on_stop or _nothing
        self._startup_timeout = startup_timeout
        self._ready = threading.Event()
        self._server: _StandinUvicorn | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        if not self.port:
            raise RuntimeError("server not started")
        return f"http://{HOST}:{self.port}"

    def start(self) -> Self:
        sock = bind_socket(HOST, self._requested_port)
        self.port = sock.getsockname()[1]
        self._server = _StandinUvicorn(
            _config(self._app, self._lifespan, self._loop), self._ready.set, self._on_stop
        )
        self._thread = threading.Thread(
            target=self._run, args=(self._server, sock), name=f"standin-{self.port}", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(self._startup_timeout) or not self._server.started:
            self.stop()
            raise RuntimeError(f"stand-in server on port {self.port} did not start")
        return self

    def _run(self, server: _StandinUvicorn, sock: socket.socket) -> None:
        try:
            server.run(sockets=[sock])
        finally:
            sock.close()
            self._ready.set()  # wake start() if startup failed

    def stop(self, timeout: float = 10.0) -> None:
        self._on_stop()
        if self._server is not None:
            self._server.request_exit()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise RuntimeError(f"stand-in server on port {self.port} did not stop")
        self._thread = None


class RunningStandin(StartStop):
    """A stand-in that owns one StandinServer: its URL, start/stop, and `with`."""

    server: StandinServer

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def start(self) -> Self:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()


def serve_until_signalled(
    app: ASGIApp, port: int, on_started: Callable[[int], None], on_stop: Callable[[], None]
) -> None:
    """Serve in the calling (main) thread until SIGINT/SIGTERM; report the port once up."""
    sock = bind_socket(HOST, port)
    chosen = sock.getsockname()[1]
    server = _StandinUvicorn(_config(app), lambda: on_started(chosen), on_stop)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
