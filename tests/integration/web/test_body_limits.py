"""Request size is bounded before the signature is checked (a 999 MB unsigned request took
15 s and 3 GB), every endpoint has a limit suited to it, and a roster file that passes
"Check" also imports."""

from __future__ import annotations

import asyncio
import csv
import io
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from bot.web.console.roster import COLUMNS, EXAMPLE
from bot.web.limits import BodyLimit, limit_for
from bot.web.server import create_web_app
from storage.db import Database, upgrade_sync
from tests.integration.console.support import console
from tests.support.apps import make_app, make_settings
from tests.support.databases import sqlite_url
from tests.support.live import LiveCareline


async def call(app: Any, path: str, headers: list[tuple[bytes, bytes]], chunks: list[bytes]):  # type: ignore[no-untyped-def]
    """Drive an ASGI app by hand; returns (status, number of body chunks it read)."""
    read = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        if read < len(chunks):
            read += 1
            return {
                "type": "http.request",
                "body": chunks[read - 1],
                "more_body": read < len(chunks),
            }
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": headers,
             "query_string": b"", "http_version": "1.1", "scheme": "http",
             "server": ("t", 80), "client": ("127.0.0.1", 1), "root_path": ""}  # fmt: skip
    await app(scope, receive, send)
    return sent[0]["status"], read


@pytest.fixture
async def web(db: Database) -> AsyncIterator[Any]:
    app = make_app(
        db.url,
        public_url="http://t",
        twilio_account_sid="AC1",
        twilio_auth_token="tok",
        twilio_from="+15005550006",
    )
    yield create_web_app(app, background=False)
    await app.db.dispose()


def test_each_endpoint_has_its_limit() -> None:
    assert limit_for("/webhooks/twilio") == 256 * 1024
    assert limit_for("/webhooks/telegram") == 256 * 1024
    assert limit_for("/console/roster/import") >= 5_000_000 * 4 // 3
    assert limit_for("/console/login") == 1024 * 1024


async def test_a_declared_huge_body_is_refused_before_reading_it(web: Any) -> None:
    status, read = await call(
        web, "/webhooks/twilio", [(b"content-length", b"999000000")], [b"x" * 65536] * 3
    )
    assert (status, read) == (413, 0)


async def test_a_streamed_body_is_cut_off_at_the_limit(web: Any) -> None:
    chunks = [b"Body=" + b"x" * 65536] * 200  # 13 MB, no Content-Length
    status, read = await call(
        web, "/webhooks/twilio", [(b"content-type", b"application/x-www-form-urlencoded")], chunks
    )
    assert status == 413 and read <= 5


async def test_a_bad_content_length_is_a_400() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("not reached")

    status, _ = await call(BodyLimit(app), "/webhooks/twilio", [(b"content-length", b"1e9")], [])
    assert status == 400


def test_over_real_http_the_answer_comes_at_once(sqlite_db: Database) -> None:
    db = sqlite_db
    settings = lambda url: make_settings(  # noqa: E731
        db.url, public_url=url, twilio_account_sid="AC1", twilio_auth_token="tok",
        twilio_from="+15005550006",
    )  # fmt: skip
    with LiveCareline(settings) as server:
        u = urlparse(server.url)
        start = time.monotonic()
        with socket.create_connection((u.hostname, u.port), timeout=10) as sock:
            sock.sendall(
                b"POST /webhooks/twilio HTTP/1.1\r\nHost: x\r\nContent-Length: 999000000\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n\r\nBody=hello"
            )
            answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 413") and time.monotonic() - start < 5


def _big_csv(size: int) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([COLUMNS, *EXAMPLE])
    body = buffer.getvalue()
    return (body + "\r\n" * ((size - len(body.encode())) // 2)).encode()


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    """Body limits are not about the database: SQLite only, to keep the suite quick."""
    url = sqlite_url(tmp_path)
    await asyncio.to_thread(upgrade_sync, url)
    database = Database(url)
    yield database
    await database.dispose()


async def test_a_large_roster_that_passes_check_also_imports(sqlite_db: Database) -> None:
    db = sqlite_db
    data = _big_csv(1_000_000)  # its base64 is past Starlette's 1 MB form part default
    async with console(db) as c, c.signed_in_as("ada", "admin") as (client, csrf):
        dry = await client.post(
            "/console/roster/check",
            data={"csrf_token": csrf},
            files={"file": ("roster.csv", data, "text/csv")},
        )
        assert dry.status_code == 200, dry.text[:300]
        payload = dry.text.split('name="payload" value="')[1].split('"')[0]
        form = {"csrf_token": csrf, "payload": payload, "filename": "roster.csv"}
        done = await client.post("/console/roster/import", data=form)
        assert done.status_code == 200 and "新建 6" in done.text, done.text[:300]
