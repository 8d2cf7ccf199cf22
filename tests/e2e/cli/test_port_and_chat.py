"""Trying it out (issue 10, item 14): an occupied port gives one line naming the port and the
setting (exit 2, no traceback); `careline chat` shows messages pushed to that person as they
arrive, never prints log lines, and renders with published content edits; simulator buttons
show their label, not the payload."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.clock import FakeClock
from bot.demo import load_demo
from bot.reply_json import reply_to_json
from bot.terminal_chat import run_chat
from bot.web.server import create_web_app
from content.replies import Reply
from dialogs.types import Channel, Lane
from storage.repos import content, outbox
from tests.integration.hotline.helpers import DIRECTOR, NOW
from tests.standins.server import bind_socket
from tests.support.apps import make_app, make_settings
from tests.support.paths import REPO

ROOT = REPO


def test_an_occupied_port_is_one_line_and_exit_2(tmp_path: Path) -> None:
    sock = bind_socket()
    sock.listen()  # another server holds the port
    port = sock.getsockname()[1]
    try:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("CARELINE_")}
        environ["CARELINE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/c.db"
        subprocess.run(
            [sys.executable, "-m", "bot.cli", "db", "upgrade"], cwd=ROOT, env=environ,
            check=True, capture_output=True,
        )  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
            cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    finally:
        sock.close()
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("careline:")]
    assert len(errors) == 1, done.stderr
    assert str(port) in errors[0] and "CARELINE_PORT" in errors[0]
    assert "Traceback" not in done.stderr


def test_a_demo_on_an_occupied_port_leaves_the_running_demos_passwords(tmp_path: Path) -> None:
    """A second `serve --demo` whose port is taken must not reset the demo accounts (the
    running demo's printed passwords must keep working): the port is bound first."""
    import sqlite3

    sock = bind_socket()
    sock.listen()  # the first demo holds the port
    port = sock.getsockname()[1]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CARELINE_")}
    environ["CARELINE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/c.db"
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"], cwd=ROOT, env=environ,
        check=True, capture_output=True,
    )  # fmt: skip

    async def first_demo() -> None:  # what the running demo did at its start
        from bot.web.console.demo_accounts import ensure_demo_accounts
        from storage.db import Database

        db = Database(environ["CARELINE_DATABASE_URL"])
        async with db.transaction() as s:
            await load_demo(s, NOW, NOW.date())
            await ensure_demo_accounts(s, NOW)
        await db.dispose()

    asyncio.run(first_demo())

    def hashes() -> list[tuple[str, str]]:
        with sqlite3.connect(tmp_path / "c.db") as conn:
            rows = conn.execute("SELECT username, password_hash FROM console_users ORDER BY 1")
            return [(str(u), str(h)) for u, h in rows]

    before = hashes()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", "serve", "--demo", "--port", str(port)],
            cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    finally:
        sock.close()
    assert done.returncode == 2, done.stderr
    assert str(port) in done.stderr and "Traceback" not in done.stderr
    assert "demo-admin" not in done.stdout  # no new passwords announced
    assert len(before) == 3 and hashes() == before


@pytest.fixture
def db_file(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite+aiosqlite:///{tmp_path}/chat.db"


async def test_chat_shows_pushed_messages_as_they_arrive_without_log_lines(
    db_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app(db_file, FakeClock(NOW))
    await app.db.upgrade()
    async with app.db.transaction() as s:
        await load_demo(s, NOW, NOW.date())
        edit = dict(key="help.director", locale="zh_Hans", author="admin", now=NOW)
        await content.save_draft(s, text="（已编辑）主任帮助：走访、待访、紧急。", **edit)
        await content.publish_draft(s, **edit)  # type: ignore[arg-type]
    await app.db.dispose()
    typed = threading.Event()
    leave = threading.Event()
    out: list[str] = []
    script = iter(["帮助"])

    def read() -> str | None:
        try:
            return next(script)
        except StopIteration:
            typed.set()
            leave.wait(30)  # the person types nothing: a pushed message must still show
            return None

    async def push() -> None:
        await asyncio.get_running_loop().run_in_executor(None, typed.wait, 30)
        logging.getLogger("bot.test").warning("a log line the conversation must not show")
        pusher = make_app(db_file, FakeClock(NOW))
        async with pusher.db.transaction() as s:
            await outbox.enqueue(
                s, channel=Channel.CONSOLE, address=DIRECTOR, lane=Lane.REPLY, now=NOW,
                message=reply_to_json(Reply("hotline.staff.reporter_unreachable", {"ref": "C1"})),
            )  # fmt: skip
        await pusher.db.dispose()
        for _ in range(500):
            if any("C1" in line for line in out):
                break
            await asyncio.sleep(0.01)
        leave.set()

    settings = make_settings(db_file)
    chat = asyncio.create_task(
        run_chat(settings, DIRECTOR, read=read, write=out.append, poll_seconds=0.05)
    )
    await push()
    assert await asyncio.wait_for(chat, 30) == 0
    shown = "\n".join(out)
    assert "（已编辑）主任帮助" in shown  # the answer to 帮助, as an administrator published it
    assert "C1" in shown  # pushed while nobody typed
    captured = capsys.readouterr()
    assert "a log line" not in shown + captured.out + captured.err


async def test_simulator_shows_a_pressed_button_by_its_label(db_file: str) -> None:
    app = make_app(db_file, FakeClock(NOW))
    await app.db.upgrade()
    async with app.db.transaction() as s:
        await load_demo(s, NOW, NOW.date())
    transport = httpx.ASGITransport(app=create_web_app(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await client.post("/api/simulator/messages", json={"phone": DIRECTOR, "text": "走访"})
        await app.dispatcher.run_until_idle()
        lines = (await client.get("/api/simulator/messages", params={"phone": DIRECTOR})).json()
        button = next(b for line in lines for b in line["buttons"])
        await client.post(
            "/api/simulator/messages",
            json={"phone": DIRECTOR, "text": "", "payload": button["payload"]},
        )
        await app.dispatcher.run_until_idle()
        lines = (await client.get("/api/simulator/messages", params={"phone": DIRECTOR})).json()
    mine = [line["text"] for line in lines if line["direction"] == "in"]
    assert mine[-1] == button["label"] and button["payload"] not in mine[-1]
    await app.stop()
