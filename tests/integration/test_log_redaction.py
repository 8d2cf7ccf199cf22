"""Logs never carry phone numbers, names, message texts or credentials."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from bot.channels.base import SendError, SendFailure
from bot.clock import FakeClock
from bot.demo import CHILDREN, PEOPLE, load_demo
from bot.logs import configure_logging
from bot.outbox import Dispatcher
from dialogs.types import Channel, Inbound
from storage.db import Database
from tests.support.apps import make_app
from tests.support.channels import RecordingChannel

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
SECRETS = ["tok-SECRET-123", "AC-secret-sid"]


async def test_no_personal_data_in_logs(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    configure_logging("DEBUG")  # what an operator gets with CARELINE_LOG_LEVEL=DEBUG
    caplog.set_level(logging.DEBUG)
    app = make_app(db.url, FakeClock(NOW))
    try:
        async with app.db.transaction() as s:
            await load_demo(s, NOW, NOW.date())
        texts = [
            "帮助",
            "走访",
            "A02",
            "1",
            "语言",
            "2",
            "走访 A04 差 失学 备注 父亲联系不上",
            "我想举报邻居家暴",
            "STOP",
        ]
        for i, text in enumerate(texts):
            await app.service.handle(
                Inbound(
                    channel=Channel.CONSOLE,
                    address=PEOPLE[1].phone,
                    provider_id=f"r{i}",
                    received_at=NOW,
                    text=text,
                )
            )
        sms = RecordingChannel(Channel.SMS)
        sms.script.append(SendError("boom", SendFailure.RETRY, code="500"))
        sms.script.append(SendError("blocked", SendFailure.OPTED_OUT, code="21610"))
        dispatcher = Dispatcher(
            app.db,
            {Channel.CONSOLE: app.channels[Channel.CONSOLE], Channel.SMS: sms},
            lambda: app.catalog,
            app.clock,
        )
        await dispatcher.run_until_idle()
    finally:
        await app.stop()
    logged = caplog.text
    forbidden = [p.phone for p in PEOPLE] + [p.name for p in PEOPLE] + [c[1] for c in CHILDREN]
    forbidden += [t for t in texts if len(t) > 2] + SECRETS
    leaks = [item for item in forbidden if item in logged]
    assert leaks == []
