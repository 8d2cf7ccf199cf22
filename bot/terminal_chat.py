"""`careline chat --as PHONE`: the simulator in a terminal, against the configured database.

- Messages pushed to that person (a hotline reply, a reminder, an alert queued by another
  process) are shown as they arrive, not after the next keystroke: a poller dispatches the
  person's queued console messages and prints the new ones every `poll_seconds`.
- Log lines never enter the conversation: they go to a file (named at the start).
- Texts are rendered with the administrators' published edits (the content store is
  refreshed at the start and on every poll).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import tempfile
import uuid
from collections.abc import Callable

from bot.app import build_app
from bot.config import Settings
from bot.host import NotMigrated
from bot.phones import to_e164
from bot.web.simulator import simulator_lines
from dialogs.types import Channel, Inbound

Reader = Callable[[], "str | None"]
Writer = Callable[[str], None]


def _print(text: str) -> None:
    print(text, flush=True)


def quiet_logs() -> str:
    """Send every log line to a file instead of the terminal; returns its path."""
    handle, path = tempfile.mkstemp(prefix="careline-chat-", suffix=".log")
    os.close(handle)
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


async def run_chat(
    settings: Settings,
    phone_raw: str,
    *,
    read: Reader | None = None,
    write: Writer = _print,
    poll_seconds: float = 1.0,
) -> int:
    phone = to_e164(phone_raw)
    if phone is None:
        print(
            f"careline chat: {phone_raw!r} is not a phone number; try +8613800000002",
            file=sys.stderr,
        )
        return 2
    local = settings.model_copy(update={"telegram_token": None, "twilio_account_sid": None})
    app = build_app(local, console=True)
    try:
        await app.check_database()
    except NotMigrated as exc:
        print(f"careline: {exc}", file=sys.stderr)
        return 2
    if app.content is not None:
        await app.content.refresh(force=True)  # published edits, from the first message
    seen: set[str] = {line.id for line in await simulator_lines(app, phone)}
    lock = asyncio.Lock()

    async def show_new() -> None:
        async with lock:
            if app.content is not None:
                await app.content.refresh()
            await app.dispatcher.run_until_idle()
            for line in await simulator_lines(app, phone):
                if line.id not in seen and line.direction == "out":
                    write("\n" + line.text + "\n")
                seen.add(line.id)

    async def poll() -> None:
        while True:
            await asyncio.sleep(poll_seconds)
            try:
                await show_new()
            except Exception:  # a database hiccup must not end the conversation
                logging.getLogger(__name__).exception("chat: polling failed")

    write(f"Talking as {phone}. Type a message (帮助 / help); Ctrl-D to leave.")
    loop = asyncio.get_running_loop()
    poller = asyncio.create_task(poll())
    try:
        while True:
            text = await loop.run_in_executor(None, read or _read)
            if text is None:
                break
            if not text.strip():
                continue
            await app.service.handle(
                Inbound(
                    channel=Channel.CONSOLE,
                    address=phone,
                    provider_id="chat-" + uuid.uuid4().hex,
                    received_at=app.clock.now(),
                    text=text,
                )
            )
            await show_new()
    finally:
        poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poller
        await show_new()
        await app.stop()
    return 0


def _read() -> str | None:
    try:
        return input("> ")
    except EOFError:
        return None
