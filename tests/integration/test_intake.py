"""Answer first when busy (bot/intake.py) on the real inbound path and database: every message
a busy process answered once stored is processed after, in each sender's order, a danger
report reaches the hotline, and the retry job leaves alone the rows the worker holds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import Application
from bot.inbound_retry import InboundRetry
from bot.service import InboundService
from dialogs.types import Channel, Inbound
from storage.models import Case, InboundMessage, OutboxMessage

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
SENDERS = [f"+86139000001{i:02d}" for i in range(3)]
TEXTS = ["帮助", "你好", "谢谢", "请问"]
DANGER = "邻居家的孩子被打得很厉害"


def msg(address: str, pid: str, text: str) -> Inbound:
    return Inbound(Channel.CONSOLE, address, pid, NOW, text=text)


async def rows(app: Application, model: Any) -> list[Any]:
    async with app.db.transaction() as s:
        return list((await s.execute(select(model).order_by(model.id))).scalars())


async def test_a_busy_process_answers_first_and_processes_everything_after(
    app: Application,
) -> None:
    app.intake.defer_at = 1  # one webhook in processing is busy
    burst = [msg(a, f"{a}-{n}", t) for n, t in enumerate(TEXTS) for a in SENDERS]
    burst.insert(5, msg("+8613900000199", "danger", DANGER))
    handled = await asyncio.gather(*(app.intake.accept(m) for m in burst))
    assert all(h.inbound_id is not None for h in handled)  # every one stored when answered
    assert app.intake.stats.deferred > 0
    await app.intake.drained()

    stored = await rows(app, InboundMessage)
    assert len(stored) == len(burst)
    assert all(r.processed_at is not None for r in stored)
    replies = await rows(app, OutboxMessage)
    replied = {r.inbound_id for r in replies}
    assert {r.id for r in stored} <= replied  # each message got its answer
    for sender in SENDERS:  # in the order the sender wrote
        theirs = [r.inbound_id for r in replies if r.address == sender]
        assert theirs == sorted(theirs)
    cases = await rows(app, Case)
    danger = [c for c in cases if c.reporter_address == "+8613900000199"]
    assert len(danger) == 1 and danger[0].source == "screen"  # it reached the hotline


async def test_the_retry_job_leaves_alone_the_rows_the_worker_holds(
    app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = asyncio.Event()
    real = InboundService.process

    async def held(self: InboundService, *args: Any, **kwargs: Any) -> bool:
        await gate.wait()
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(InboundService, "process", held)
    app.intake.defer_at = 1
    burst = [msg(a, f"{a}-0", "帮助") for a in SENDERS]
    await asyncio.gather(*(app.intake.accept(m) for m in burst))
    assert app.intake.backlog >= 1

    app.clock.advance(minutes=5)  # type: ignore[attr-defined]
    stats = await InboundRetry(app).run_once()
    assert stats.processed == 0 and stats.failed == 0  # held here: not claimed, not counted
    assert all(r.attempts == 0 for r in await rows(app, InboundMessage))

    gate.set()
    await app.intake.drained()
    assert all(r.processed_at is not None for r in await rows(app, InboundMessage))


async def test_a_row_stored_first_is_processed_once_however_often_it_is_taken(
    app: Application,
) -> None:
    """`claim_stored`: the row is marked processed in the statement that takes it; a second
    worker, process or retry that takes it again finds it processed and does nothing."""
    m = msg(SENDERS[0], "once", "帮助")
    handled = await app.service.store(m)
    assert handled.inbound_id is not None
    (row,) = await rows(app, InboundMessage)
    assert row.processed_at is None
    assert await app.service.process(handled.inbound_id, m)
    assert await app.service.process(handled.inbound_id, m)  # taken again: nothing more
    replies = [r for r in await rows(app, OutboxMessage) if r.inbound_id == handled.inbound_id]
    assert len(replies) == 1
    (row,) = await rows(app, InboundMessage)
    assert row.processed_at is not None
