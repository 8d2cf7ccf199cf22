"""The hot paths' database work, counted on real SQLite and PostgreSQL (issue 13): one
transaction per inbound message with no re-read of the stored row (stored processed), one
statement each for the address (linked by phone in it: no roster lookup for a stranger) and
the conversation (with the reply cap's count), the screen's version and who is on duty in
one, asked at most once a second; no pool pre-ping.
Counts of statements and transactions (behaviour), never timings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select, update

from bot.app import Application
from dialogs.types import Channel, Inbound
from storage.db import Database
from storage.models import Conversation, InboundMessage, Person
from tests.support.apps import fake_clock

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
DIRECTOR = "+8613800000002"
STRANGER = "+8613900000001"


@contextmanager
def recorded(app: Application) -> Iterator[dict[str, Any]]:
    seen: dict[str, Any] = {"sql": [], "commits": 0}
    engine = app.db.engine.sync_engine

    def on_sql(_c: object, _cur: object, statement: str, *_a: object) -> None:
        if not statement.startswith("BEGIN"):
            seen["sql"].append(" ".join(statement.split()))

    def on_commit(_conn: object) -> None:
        seen["commits"] += 1

    event.listen(engine, "before_cursor_execute", on_sql)
    event.listen(engine, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_sql)
        event.remove(engine, "commit", on_commit)


def msg(text: str, pid: str, phone: str) -> Inbound:
    return Inbound(Channel.CONSOLE, phone, pid, NOW, text=text)


async def warm(app: Application, phone: str) -> None:
    """First contact creates the rows; the first text seeds the lexicon (the probe that saw
    it unseeded is not kept), the second's probe is."""
    await app.service.handle(msg("帮助", "warm1", phone))
    await app.service.handle(msg("帮助", "warm2", phone))


@pytest.mark.parametrize("phone", [DIRECTOR, STRANGER])
async def test_one_inbound_message_is_one_transaction(app: Application, phone: str) -> None:
    await warm(app, phone)
    with recorded(app) as seen:
        await app.service.handle(msg("帮助", "p1", phone))
    assert seen["commits"] == 1
    sql = seen["sql"]
    assert not [s for s in sql if s.startswith("SELECT inbound_messages")]  # no re-read
    assert len([s for s in sql if s.startswith("INSERT INTO channel_addresses")]) == 1
    assert not [s for s in sql if s.startswith("SELECT channel_addresses")]  # upsert returns it
    # the stranger: no roster lookup (the address upsert links by phone); the director: one
    people = [s for s in sql if s.startswith("SELECT people")]
    assert len(people) == (1 if phone == DIRECTOR else 0)
    # who is on duty and the screen's version: asked by the first message, trusted for a
    # second while this process writes neither (bot/hotline/live_screen.ProbeCache)
    assert not [s for s in sql if "staff_shifts" in s or "lexicon_entries" in s]
    assert not [s for s in sql if s.startswith("UPDATE inbound_messages")]  # stored processed
    # the reply cap's count is asked with the conversation, in the same statement
    assert not [s for s in sql if s.startswith("SELECT count") and "outbox" in s]
    if phone == STRANGER:
        # the inbound row, the address, the conversation with the reply cap's count, the
        # reply; the state did not change: not written
        assert len(sql) == 4, sql
        assert not [s for s in sql if s.startswith("UPDATE conversations")]
    assert len([s for s in sql if s.startswith("INSERT INTO conversations")]) == 1
    assert not [s for s in sql if s.startswith("SELECT conversations")]
    assert not [s for s in sql if "screen_models" in s and "lexicon_entries" not in s]
    async with app.db.transaction() as s:
        row = (
            await s.execute(select(InboundMessage).where(InboundMessage.provider_id == "p1"))
        ).scalar_one()
    assert row.processed_at == NOW
    assert (row.person_id is not None) == (phone == DIRECTOR)


async def test_a_conversation_is_written_when_its_state_changes(app: Application) -> None:
    await warm(app, DIRECTOR)
    with recorded(app) as seen:
        await app.service.handle(msg("家访", "v1", DIRECTOR))  # a menu of what to report
    assert len([s for s in seen["sql"] if s.startswith("UPDATE conversations")]) == 1
    async with app.db.transaction() as s:
        (state,) = (await s.execute(select(Conversation.state))).one()
    assert state["choices"]  # the menu's choices, kept for the next message


async def test_a_command_does_not_look_up_a_relay(app: Application) -> None:
    await warm(app, STRANGER)
    with recorded(app) as seen:
        await app.service.handle(msg("帮助", "p2", STRANGER))
    assert not [s for s in seen["sql"] if s.startswith("SELECT cases")]


async def test_when_processing_fails_the_message_is_stored_then_processed(
    app: Application,
) -> None:
    calls = []

    async def flaky(scope, state, ctx):  # type: ignore[no-untyped-def]
        calls.append(scope.inbound_id)
        if len(calls) == 1:
            raise RuntimeError("once")
        return None

    app.service.pre_step_hooks.insert(0, flaky)
    handled = await app.service.handle(msg("帮助", "f1", DIRECTOR))
    assert handled.inbound_id is not None and not handled.duplicate
    assert len(calls) == 2  # the one-transaction path, then the two-step path's processing
    async with app.db.transaction() as s:
        row = (await s.execute(select(InboundMessage))).scalar_one()
        assert row.processed_at == NOW
    again = await app.service.handle(msg("帮助", "f1", DIRECTOR))
    assert again.duplicate


def test_postgres_pool_has_no_pre_ping() -> None:
    db = Database("postgresql+asyncpg://u@127.0.0.1:1/x")
    assert db.engine.pool._pre_ping is False  # type: ignore[attr-defined]
    assert db.engine.pool._recycle > 0  # type: ignore[attr-defined]


async def test_the_screen_probe_is_asked_again_after_a_write_or_a_second(
    app: Application,
) -> None:
    """The probe (screen version, who is on duty) is trusted for a second of the clock while
    this process commits no write to its tables; a rota or lexicon write is seen at once."""

    def probes(seen: dict[str, Any]) -> int:
        return len([s for s in seen["sql"] if "staff_shifts" in s and "lexicon_entries" in s])

    await warm(app, STRANGER)
    with recorded(app) as seen:
        await app.service.handle(msg("帮助", "a", STRANGER))
    assert probes(seen) == 0
    async with app.db.transaction() as s:  # any write to a probed table (here: people)
        await s.execute(update(Person).where(Person.id == -1).values(active=False))
    with recorded(app) as seen:
        await app.service.handle(msg("帮助", "b", STRANGER))
    assert probes(seen) == 1
    fake_clock(app).advance(seconds=2)
    with recorded(app) as seen:
        await app.service.handle(msg("帮助", "c", STRANGER))
        await app.service.handle(msg("帮助", "d", STRANGER))
    assert probes(seen) == 1
