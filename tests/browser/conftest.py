"""Headless Chromium (the system's, driven by Playwright) against a real uvicorn server of
the whole app: lifespan on, so the outbox dispatcher and the scheduler run as in production.

Chromium comes from CARELINE_CHROMIUM or /usr/bin/chromium. Missing: the tests skip with
the reason on a developer's machine and FAIL in CI. Screenshots go to CARELINE_SCREENSHOTS
(e.g. docs/screenshots) when set, else to a temporary directory.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from bot.app import build_app
from bot.demo import load_demo
from bot.web.console.demo_accounts import ensure_demo_accounts
from bot.web.server import create_web_app
from storage.db import Database, upgrade_sync
from tests.standins.server import HOST, _StandinUvicorn, bind_socket
from tests.support.apps import make_settings

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason + " — CI must install Chromium (.ci/run) and Playwright")
    pytest.skip(reason)


def chromium_path() -> str:
    path = os.environ.get("CARELINE_CHROMIUM", "/usr/bin/chromium")
    if not Path(path).is_file():
        _unavailable(f"Chromium not found at {path} (set CARELINE_CHROMIUM)")
    return path


@dataclass
class Live:
    base_url: str
    passwords: dict[str, str]  # role -> demo password
    shots: Path

    def shot(self, page: Any, name: str) -> None:
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)


class LiveServer:
    """uvicorn with lifespan on, in a thread (built from the stand-ins' server pieces)."""

    def __init__(self, app: Any) -> None:
        self._ready = threading.Event()
        self._sock = bind_socket(HOST, 0)
        self.port = self._sock.getsockname()[1]
        config = uvicorn.Config(
            app, lifespan="on", log_level="warning", access_log=False, loop="asyncio", ws="none",
            timeout_graceful_shutdown=5,
        )  # fmt: skip
        self._server = _StandinUvicorn(config, self._ready.set, lambda: None)
        self._thread = threading.Thread(target=self._run, daemon=True, name="console-live")

    def _run(self) -> None:
        try:
            self._server.run(sockets=[self._sock])
        finally:
            self._sock.close()
            self._ready.set()

    def __enter__(self) -> LiveServer:
        self._thread.start()
        if not self._ready.wait(20) or not self._server.started:
            raise RuntimeError("console server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.request_exit()
        self._thread.join(20)


async def _prepare(url: str) -> dict[str, str]:
    db = Database(url)
    try:
        now = datetime.now(UTC)
        async with db.transaction() as session:
            await load_demo(session, now, now.date())
            accounts = await ensure_demo_accounts(session, now)
        return {role: password for _, role, password in accounts}
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    chromium_path()
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('live') / 'careline.db'}"
    upgrade_sync(url)
    passwords = asyncio.run(_prepare(url))
    app = build_app(make_settings(url, simulator=True))  # the real clock: a real server
    shots = Path(os.environ.get("CARELINE_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    shots.mkdir(parents=True, exist_ok=True)
    with LiveServer(create_web_app(app)) as server:
        yield Live(f"http://{HOST}:{server.port}", passwords, shots)


# Module scope, not session: while Playwright's sync API is open, the main thread has a
# running event loop, and later tests that call asyncio.run() would fail.
@pytest.fixture(scope="module")
def browser(live: Live) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live: Live) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live.base_url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()
