"""Every statement of the per-message path uses an index (no full scan of a growing table),
also after ANALYZE, on SQLite and PostgreSQL (issue 13). The statements are those the inbound
path really sends for a director, an unknown sender and a free-text concern, with their bound
values; their plans are asked of the database itself."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, text

from bot.app import Application
from dialogs.types import Channel, Inbound
from storage.db import Database
from storage.models import Case
from tests.support.apps import demo_app

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
DIRECTOR = "+8613800000002"
STRANGER = "+8613900000001"
# tables that grow with traffic: a scan of one of these is a bug
GROWING = {
    "inbound_messages", "outbox", "channel_addresses", "conversations", "cases",
    "case_events", "people", "children", "visits", "visit_drafts", "doses_given",
    "reminder_deliveries", "audit_log",
}  # fmt: skip


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:
    async with demo_app(db.url) as application:
        async with application.db.transaction() as session:
            # many closed and open cases from other reporters (the relay lookup's table)
            await session.execute(
                insert(Case),
                [
                    dict(
                        ref=f"X{i:07d}", category="neglect", severity="medium",
                        status="closed" if i % 4 else "open", source="screen",
                        reporter_person_id=None, reporter_role="unknown", reporter_channel="sms",
                        reporter_address=f"+86137{i:08d}", opened_at=NOW - timedelta(days=i % 90),
                        last_activity_at=NOW,
                        relay_until=NOW - timedelta(days=1) if i % 3 else None,
                    )
                    for i in range(3000)
                ],
            )  # fmt: skip
        yield application


async def analyze(app: Application) -> None:
    async with app.db.engine.connect() as conn:
        await conn.execute(text("ANALYZE"))
        await conn.commit()


async def per_message_statements(app: Application) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def on_sql(_c: object, _cur: object, statement: str, params: Any, *_a: object) -> None:
        head = statement.lstrip().upper()
        # the conversation's upsert counts the reply cap's messages in its RETURNING
        if head.startswith(("SELECT", "UPDATE", "DELETE", "INSERT INTO CONVERSATIONS")):
            seen.append((statement, params))

    engine = app.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_sql)
    try:
        for n, (phone, body) in enumerate(
            [(DIRECTOR, "帮助"), (STRANGER, "帮助"), (STRANGER, "邻居家孩子又被打了，身上都是伤"),
             (STRANGER, "他们家大人经常不在"), (DIRECTOR, "待访"),
             (DIRECTOR, "孩子最近情绪不好，不爱说话")]
        ):  # fmt: skip
            await app.service.handle(Inbound(Channel.SMS, phone, f"q{n}", NOW, text=body))
    finally:
        event.remove(engine, "before_cursor_execute", on_sql)
    return seen


def scanned_sqlite(plan: list[str]) -> set[str]:
    out = set()
    for line in plan:
        m = re.match(r"SCAN (\w+)", line)
        if m and "USING" not in line:  # "SCAN t USING (COVERING) INDEX" walks an index
            out.add(m.group(1))
    return out


def scanned_postgres(plan: list[str]) -> set[str]:
    return {m.group(1) for line in plan if (m := re.search(r"Seq Scan on (\w+)", line))}


async def test_per_message_queries_use_an_index_after_analyze(app: Application) -> None:
    statements = await per_message_statements(app)
    assert statements
    await analyze(app)
    postgres = app.db.is_postgres
    problems = []
    async with app.db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection
        if postgres:
            await driver.execute("SET enable_seqscan = off")  # a scan then means: no index
        for statement, params in statements:
            if postgres:
                rows = await driver.fetch("EXPLAIN " + statement, *(params or ()))
                plan = [r[0] for r in rows]
                scans = scanned_postgres(plan)
            else:
                cursor = await driver.execute("EXPLAIN QUERY PLAN " + statement, params or ())
                plan = [str(r[-1]) for r in await cursor.fetchall()]
                scans = scanned_sqlite(plan)
            if scans & GROWING:
                problems.append((" ".join(statement.split())[:160], plan))
    assert problems == []
