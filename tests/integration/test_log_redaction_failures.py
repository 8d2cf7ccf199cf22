"""Logs never carry personal data, also on failure: a database error while processing a
message used to write the bound values (phone numbers, message texts) into the log."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.clock import FakeClock
from bot.demo import PEOPLE, load_demo
from bot.effects import StepScope
from bot.logs import RedactingFormatter, configure_logging
from dialogs.types import Channel, Context, Inbound, Outcome, State
from storage.db import Database
from tests.support.apps import make_app

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
SECRET_TEXT = "王小明的妈妈打他了"


async def test_a_database_error_logs_no_bound_values(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    app = make_app(db.url, FakeClock(NOW))
    person = PEOPLE[1]

    async def failing_hook(scope: StepScope, state: State, ctx: Context) -> Outcome | None:
        # a real database error whose statement carries the sender's data as bound values
        await scope.session.execute(
            text("INSERT INTO people (id, name, phone, role, locale, created_at, active) "
                 "VALUES (1, :name, :phone, 'guardian', 'zh_Hans', :at, true)"),
            {"name": person.name + SECRET_TEXT, "phone": scope.inbound.address, "at": NOW},
        )  # fmt: skip
        return None

    try:
        async with app.db.transaction() as s:
            await load_demo(s, NOW, NOW.date())
        app.service.pre_step_hooks.insert(0, failing_hook)
        handled = await app.service.handle(
            Inbound(Channel.CONSOLE, person.phone, "f1", NOW, text=SECRET_TEXT)
        )
        assert handled.inbound_id is not None
    finally:
        await app.stop()
    logged = caplog.text
    assert "processing failed" in logged and "IntegrityError" in logged
    leaks = [item for item in (person.phone, person.name, SECRET_TEXT) if item in logged]
    assert leaks == []


def test_the_formatter_masks_phone_numbers_in_any_message() -> None:
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "send to %s failed", ("+8613800000002",), None
    )
    formatted = RedactingFormatter("%(message)s").format(record)
    assert formatted == "send to [number] failed"
    ids = logging.LogRecord("x", logging.INFO, __file__, 1, "update 123456789 at 2026", (), None)
    assert RedactingFormatter("%(message)s").format(ids) == "update 123456789 at 2026"


async def test_the_engine_never_puts_bound_values_in_errors(db: Database) -> None:
    """The first of the layers above: exceptions from the engine carry no parameters."""
    from sqlalchemy.exc import IntegrityError

    app = make_app(db.url, FakeClock(NOW))
    try:
        assert app.db.engine.sync_engine.hide_parameters
        with pytest.raises(IntegrityError) as failure:
            async with app.db.transaction() as s:
                await s.execute(
                    text("INSERT INTO people (id, name) VALUES (NULL, :name)"),
                    {"name": SECRET_TEXT},
                )
        assert SECRET_TEXT not in str(failure.value)
    finally:
        await app.db.dispose()
