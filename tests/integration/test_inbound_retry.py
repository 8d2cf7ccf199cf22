"""Every stored inbound message is processed: rows whose processing failed are retried with
backoff, screened on their own first, and given up only with an alert to administrators."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import Application
from bot.inbound_retry import MAX_ATTEMPTS, InboundRetry
from dialogs.engine import Engine
from dialogs.types import Channel, Inbound
from storage.models import Case, InboundMessage, OutboxMessage, Person
from storage.repos.people import address_row

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
STRANGER = "+8613900000077"
DANGER = "邻居家的孩子被打得很厉害"


class Broken:
    """Makes the dialog step fail while `on` is true (a bug, or the database going away)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.on = True
        real = Engine.step

        def step(engine: Engine, *args: Any, **kwargs: Any) -> Any:
            if self.on:
                raise RuntimeError("processing failed")
            return real(engine, *args, **kwargs)

        monkeypatch.setattr(Engine, "step", step)


def msg(text: str, pid: str) -> Inbound:
    return Inbound(Channel.CONSOLE, STRANGER, pid, NOW, text=text)


async def scalar(app: Application, stmt: Any) -> Any:
    async with app.db.transaction() as s:
        return (await s.execute(stmt)).scalar_one()


async def test_a_failed_danger_report_is_screened_then_processed(
    app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = Broken(monkeypatch)
    handled = await app.service.handle(msg(DANGER, "d1"))
    assert handled.inbound_id is not None
    assert await scalar(app, select(func.count()).select_from(Case)) == 0
    # the provider's retry is a duplicate: nothing happens
    assert (await app.service.handle(msg(DANGER, "d1"))).duplicate

    retry = InboundRetry(app)
    assert (await retry.run_once()).failed == 0  # too young: may still be in processing
    app.clock.advance(minutes=2)  # type: ignore[attr-defined]
    stats = await retry.run_once()
    assert stats.failed == 1 and stats.screened == 1
    assert await scalar(app, select(func.count()).select_from(Case)) == 1  # the hotline has it

    broken.on = False
    assert (await retry.run_once()).processed == 0  # backing off
    app.clock.advance(minutes=3)  # type: ignore[attr-defined]
    assert (await retry.run_once()).processed == 1
    row = await scalar(app, select(InboundMessage))
    assert row.processed_at is not None and row.failed_at is None
    assert await scalar(app, select(func.count()).select_from(Case)) == 1  # not screened twice


async def test_gives_up_only_with_an_alert_to_administrators(
    app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    Broken(monkeypatch)
    async with app.db.transaction() as s:
        admin = (await s.execute(select(Person).where(Person.role == "admin"))).scalars().first()
        assert admin is not None
        addr = await address_row(s, Channel.CONSOLE, admin.phone or "", NOW)
        addr.person_id = admin.id
    await app.service.handle(msg("帮助", "h1"))
    retry = InboundRetry(app)
    for _ in range(MAX_ATTEMPTS):
        app.clock.advance(hours=1)  # type: ignore[attr-defined]
        await retry.run_once()
    row = await scalar(app, select(InboundMessage))
    assert row.processed_at is None and row.failed_at is not None
    assert row.attempts == MAX_ATTEMPTS
    alerts = await scalar(
        app,
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.dedup_key.like("inbound-failed:%")),
    )
    assert alerts == 1
    app.clock.advance(hours=1)  # type: ignore[attr-defined]
    assert (await retry.run_once()).failed == 0  # given up: no more retries
