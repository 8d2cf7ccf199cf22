"""A TCP proxy on loopback in front of PostgreSQL, to cut the database off and bring it back
(a real outage as the application sees it: open connections drop, new ones are refused)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Self

from sqlalchemy.engine import make_url

from tests.standins.server import StartStop


class FaultProxy(StartStop):
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._up = True
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @classmethod
    def for_url(cls, url: str) -> FaultProxy:
        u = make_url(url)
        return cls(u.host or "127.0.0.1", u.port or 5432)

    def url_via(self, url: str) -> str:
        return make_url(url).set(host="127.0.0.1", port=self.port).render_as_string(False)

    def start(self) -> Self:
        self._thread.start()
        fut = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        fut.result(10)
        return self

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._up:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}

        async def pipe(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await r.read(65536):
                    w.write(data)
                    await w.drain()
            with contextlib.suppress(Exception):
                w.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers -= {writer, up_writer}

    def down(self) -> None:
        """Drop every open connection and refuse new ones."""

        def cut() -> None:
            self._up = False
            for w in list(self._writers):
                w.transport.abort()
            self._writers.clear()

        self._loop.call_soon_threadsafe(cut)

    def up(self) -> None:
        def restore() -> None:
            self._up = True

        self._loop.call_soon_threadsafe(restore)

    def stop(self) -> None:
        self.down()
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
