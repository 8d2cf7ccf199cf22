"""`careline chat --as PHONE` after a cold trial: the messages that reached the person before
the chat started (the reminders `serve --demo` queued) are shown first, under a heading, in
their language; a message still held (not due) shows when it is sent, not before; and the
command leaves no log file behind when nothing in it is a warning or an error."""

from __future__ import annotations

import io
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FakeClock
from bot.reply_json import reply_to_json
from bot.terminal_chat import run_chat
from content.replies import Reply
from dialogs.types import Channel, Lane
from storage.repos import outbox
from tests.integration.hotline.helpers import NOW, say
from tests.support.apps import make_app, make_demo_app, make_settings
from tests.support.databases import sqlite_url

GRANNY = "+8613800000011"  # 张奶奶, a guardian (zh_Hans)
MR_HE = "+8613800000014"  # Mr. He, a guardian (English)


async def _push(db_url: str, clock: FakeClock, ref: str, phone: str, **later: float) -> None:
    """A message to `phone` on the console from another process (`later`: held until then)."""
    app = make_app(db_url, clock)
    now = clock.now()
    async with app.db.transaction() as s:
        await outbox.enqueue(
            s, channel=Channel.CONSOLE, address=phone, lane=Lane.REPLY, now=now,
            not_before=now + timedelta(**later) if later else None,
            message=reply_to_json(Reply("hotline.staff.reporter_unreachable", {"ref": ref})),
        )  # fmt: skip
    await app.dispatcher.run_until_idle()
    await app.stop()


async def _write(db_url: str, clock: FakeClock, text: str, phone: str) -> None:
    """The person writes (on the console, from another process)."""
    app = make_app(db_url, clock)
    await say(app, text, phone)
    await app.dispatcher.run_until_idle()
    await app.stop()


def _index(out: list[str], needle: str) -> int:
    return next(i for i, text in enumerate(out) if needle in text)


@pytest.mark.parametrize(
    ("phone", "heading"),
    [(GRANNY, "开始聊天前收到的消息"), (MR_HE, "messages received before this chat")],
)
async def test_the_chat_shows_first_what_reached_them_since_they_last_wrote(
    db_url: str, phone: str, heading: str
) -> None:
    clock = FakeClock(NOW)
    await (await make_demo_app(db_url, clock)).stop()
    await _push(db_url, clock, "SEEN1", phone)
    clock.advance(minutes=1)
    await _write(db_url, clock, "帮助", phone)  # they wrote after SEEN1: they had it before them
    clock.advance(minutes=1)
    await _push(db_url, clock, "WAITING2", phone)  # reached them while nobody was looking
    await _push(db_url, clock, "HELD3", phone, hours=1)  # not due yet: not sent, not shown

    chat_clock = FakeClock(clock.now())
    out: list[str] = []
    script = iter(["语言"])

    def read() -> str | None:
        chat_clock.advance(hours=2)  # they type later: HELD3 is due and goes out meanwhile
        return next(script, None)

    settings = make_settings(db_url)
    code = await run_chat(
        settings, phone, read=read, write=out.append, poll_seconds=3600, clock=chat_clock
    )
    assert code == 0
    shown = "\n".join(out)
    assert heading in shown and "WAITING2" in shown and "HELD3" in shown
    assert "SEEN1" not in shown
    # first the heading and WAITING2 alone: the answer to their 帮助 was shown to them then
    assert "Talking as" in out[0] and heading in out[1] and "WAITING2" in out[2]
    assert _index(out, "WAITING2") < _index(out, "HELD3")  # after the start: when it was sent
    assert shown.count("WAITING2") == 1 and shown.count("HELD3") == 1


def test_the_command_leaves_no_log_file_when_nothing_went_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = tmp_path / "tmp"
    logs.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(logs))
    monkeypatch.setenv("CARELINE_DATABASE_URL", sqlite_url(tmp_path))
    assert main(["demo"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("帮助\n"))  # then end of input (Ctrl-D)
    assert main(["chat", "--as", GRANNY]) == 0
    out, err = capsys.readouterr()
    assert "(log lines go to " + str(logs) in out
    assert "warnings or errors were logged" not in err
    assert list(logs.iterdir()) == []
