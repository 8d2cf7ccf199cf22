"""`careline chat --as PHONE`: the simulator in a terminal, against the configured database.

- Messages pushed to that person (a hotline reply, a reminder, an alert queued by another
  process) are shown as they arrive, not after the next keystroke: a poller dispatches the
  person's queued console messages and prints the new ones every `poll_seconds`.
- What reached that person while no one was looking (the reminders `serve --demo` queued, a
  hotline reply) is shown first, under a heading: the console messages delivered to them
  since the last message they sent, but the answers to it (see `waiting`). Each message is
  shown once it is sent, never before its time (a reminder held for the morning shows when
  it goes out).
- Log lines never enter the conversation: they go to a file (named at the start), removed at
  the end unless a warning or an error was logged (`quiet_logs`).
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
import threading
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.app import Application, build_app
from bot.clock import Clock
from bot.config import Settings
from bot.host import NotMigrated
from bot.phones import to_e164
from bot.web.simulator import SimulatorLine, simulator_lines
from content.locales import DEFAULT_LOCALE
from content.replies import Reply
from dialogs.render import render
from dialogs.types import Channel, Inbound
from storage.repos import outbox as outbox_repo
from storage.repos import people as people_repo

Reader = Callable[[], "str | None"]
Writer = Callable[[str], None]


def _print(text: str) -> None:
    print(text, flush=True)


# An outbox row still on its way (queued, possibly until the morning; or being sent):
# shown once it is sent. Any other status is final: "sent" is shown, the rest (suppressed,
# cancelled, failed) never reached the person and is not.
PENDING = frozenset({"queued", "sending"})
DELIVERED = "sent"


def waiting(
    lines: Sequence[SimulatorLine], answers: Collection[str] = ()
) -> tuple[list[SimulatorLine], set[str]]:
    """At the start of a chat: the lines to show (the messages delivered to the person since
    the last message they sent, but the answers to it: whoever sent it saw those; everything
    before it they had in front of them) and the ids to count as seen (all but the ones still
    pending, which show when they are sent). `answers`: the ids of the lines that answer a
    message of theirs."""
    last_in = max((i for i, line in enumerate(lines) if line.direction == "in"), default=-1)
    show = [
        line
        for line in lines[last_in + 1 :]
        if line.direction == "out" and line.status == DELIVERED and line.id not in answers
    ]
    seen = {line.id for line in lines if line.direction == "in" or line.status not in PENDING}
    return show, seen


def news(lines: Sequence[SimulatorLine], seen: set[str]) -> list[SimulatorLine]:
    """During a chat: the delivered messages not shown yet. Marks as seen every line that is
    final (the pending ones are looked at again on the next poll)."""
    show = []
    for line in lines:
        if line.id in seen or (line.direction == "out" and line.status in PENDING):
            continue
        seen.add(line.id)
        if line.direction == "out" and line.status == DELIVERED:
            show.append(line)
    return show


class _Counting(logging.FileHandler):
    def __init__(self, path: str) -> None:
        super().__init__(path, encoding="utf-8")
        self.warnings = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.warnings += 1
        super().emit(record)


@dataclass
class ChatLog:
    """Where `careline chat` writes its log lines while it runs."""

    path: Path
    _handler: _Counting
    _previous: tuple[list[logging.Handler], int, int]  # root's handlers and level, apscheduler's

    @property
    def warnings(self) -> int:
        """How many warnings and errors were logged."""
        return self._handler.warnings

    def finish(self, *, keep: bool = False) -> Path | None:
        """Close the file and give the root logger its handlers back. The file is deleted
        unless a warning or an error was logged (or `keep`: the chat ended with an error);
        returns its path when it is kept."""
        root = logging.getLogger()
        root.removeHandler(self._handler)
        self._handler.close()
        handlers, level, scheduler_level = self._previous
        for h in handlers:
            root.addHandler(h)
        root.setLevel(level)
        logging.getLogger("apscheduler").setLevel(scheduler_level)
        if keep or self.warnings:
            return self.path
        self.path.unlink(missing_ok=True)
        return None


def quiet_logs(directory: str | None = None) -> ChatLog:
    """Send every log line to a new file in the temporary directory instead of the terminal.
    `ChatLog.finish` removes it at the end when nothing in it is a warning or an error."""
    handle, path = tempfile.mkstemp(prefix="careline-chat-", suffix=".log", dir=directory)
    os.close(handle)
    root, scheduler = logging.getLogger(), logging.getLogger("apscheduler")
    previous = (list(root.handlers), root.level, scheduler.level)
    for h in previous[0]:
        root.removeHandler(h)
    handler = _Counting(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    scheduler.setLevel(logging.WARNING)  # chat runs no scheduler: "Adding job tentatively" × 10
    return ChatLog(Path(path), handler, previous)


async def run_chat(
    settings: Settings,
    phone_raw: str,
    *,
    read: Reader | None = None,
    write: Writer = _print,
    poll_seconds: float = 1.0,
    clock: Clock | None = None,
) -> int:
    phone = to_e164(phone_raw)
    if phone is None:
        print(
            f"careline chat: {phone_raw!r} is not a phone number; try +8613800000002",
            file=sys.stderr,
        )
        return 2
    local = settings.model_copy(update={"telegram_token": None, "twilio_account_sid": None})
    app = build_app(local, clock=clock, console=True)
    try:
        await app.check_database()
    except NotMigrated as exc:
        print(f"careline: {exc}", file=sys.stderr)
        return 2
    if app.content is not None:
        await app.content.refresh(force=True)  # published edits, from the first message
    await app.dispatcher.run_until_idle()  # what is due for them now, before it is shown
    conversation = await simulator_lines(app, phone)
    earlier, seen = waiting(conversation, await _answers(app, conversation))
    lock = asyncio.Lock()

    async def show_new() -> None:
        async with lock:
            if app.content is not None:
                await app.content.refresh()
            await app.dispatcher.run_until_idle()
            for line in news(await simulator_lines(app, phone), seen):
                write("\n" + line.text + "\n")

    async def poll() -> None:
        while True:
            await asyncio.sleep(poll_seconds)
            try:
                await show_new()
            except Exception:  # a database hiccup must not end the conversation
                logging.getLogger(__name__).exception("chat: polling failed")

    write(f"Talking as {phone}. Type a message (帮助 / help); Ctrl-D to leave.")
    if earlier:
        write("\n" + await _heading(app, phone))
        for line in earlier:
            write("\n" + line.text + "\n")
    loop = asyncio.get_running_loop()
    poller = asyncio.create_task(poll())
    try:
        while True:
            text = await _on_a_daemon_thread(loop, read or _read)
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


async def _answers(app: Application, lines: Sequence[SimulatorLine]) -> set[str]:
    """The ids of the outbound lines that answer one of the inbound lines."""
    ins = {line.id for line in lines if line.direction == "in"}
    outs = [int(line.id.removeprefix("out-")) for line in lines if line.direction == "out"]
    async with app.db.transaction() as session:
        rows = await outbox_repo.by_ids(session, outs)
    return {f"out-{row.id}" for row in rows.values() if f"in-{row.inbound_id}" in ins}


async def _heading(app: Application, phone: str) -> str:
    """ "(messages received before this chat)", in the person's language."""
    async with app.db.transaction() as session:
        person = await people_repo.person_by_phone(session, phone)
    locale = person.locale if person else DEFAULT_LOCALE
    return render(Reply("chat.earlier"), app.dispatcher.catalog(), locale, "numbered").text


async def _on_a_daemon_thread(
    loop: asyncio.AbstractEventLoop, read: Callable[[], str | None]
) -> str | None:
    """The next line, read on a thread of its own that the process does not wait for: Ctrl-C
    (or SIGTERM) ends the chat at once, although `input()` is still waiting on that thread
    (on the default executor, leaving would wait for the next line)."""
    line: asyncio.Future[str | None] = loop.create_future()

    def run() -> None:
        got: str | None = None
        failed: BaseException | None = None
        try:
            got = read()
        except BaseException as error:  # handed to the waiting coroutine
            failed = error
        with contextlib.suppress(RuntimeError):  # the chat ended and its loop closed
            loop.call_soon_threadsafe(_settle, line, got, failed)

    threading.Thread(target=run, name="chat-input", daemon=True).start()
    return await line


def _settle(line: asyncio.Future[str | None], got: str | None, error: BaseException | None) -> None:
    if line.done():
        return  # the chat ended meanwhile
    if error is not None:
        line.set_exception(error)
    else:
        line.set_result(got)


def _read() -> str | None:
    try:
        return input("> ")
    except EOFError:
        return None
