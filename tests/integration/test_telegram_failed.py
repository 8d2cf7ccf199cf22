"""Telegram updates that cannot be stored are kept in a table (id, chat, kind, error class;
never the text), shown in /healthz, listed by `careline telegram failed`, and resolved by
asking the sender to send again or by marking them handled (both audited)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from aiogram.types import Update
from sqlalchemy import inspect, select

from bot.channels.base import RateLimits
from bot.channels.telegram import PollerHealth, TelegramChannel
from bot.cli import main
from bot.telegram_failed import RESEND_KEY, Refused, resolve
from bot.web.server import create_web_app
from bot.web.webhooks import telegram_failure_recorder, telegram_update_handler
from storage.db import Database
from storage.models import AuditEntry, InboundMessage, OutboxMessage, TelegramFailedUpdate
from tests.standins.telegram_updates import text_message_update
from tests.support.apps import make_app

SECRET_TEXT = "张三家的孩子 13800001111"


def upd(update_id: int, user: int = 4242, text: str = SECRET_TEXT) -> Update:
    return Update.model_validate({"update_id": update_id, **text_message_update(user, text)})


class OneBatchBot:
    def __init__(self, updates: list[Update], stop: asyncio.Event) -> None:
        self.batches = [updates]
        self.stop = stop

    async def delete_webhook(self, **_: Any) -> bool:
        return True  # polling starts by deleting a webhook left from webhook mode

    async def get_updates(self, *, offset: int | None, **_: Any) -> list[Update]:
        await asyncio.sleep(0)
        if not self.batches:
            self.stop.set()
            return []
        return [u for u in self.batches.pop(0) if offset is None or u.update_id >= offset]


async def poll_through_the_app(app: Any, updates: list[Update]) -> PollerHealth:
    stop = asyncio.Event()
    channel = TelegramChannel(token="123:abc", api_base="http://127.0.0.1:9", limits=RateLimits(0))
    await channel.bot.session.close()  # no network: the scripted bot answers
    channel.bot = OneBatchBot(updates, stop)  # type: ignore[assignment]
    health = PollerHealth()
    await asyncio.wait_for(
        channel.poll(
            telegram_update_handler(app),
            stop,
            health=health,
            now=app.clock.now,
            on_failed=telegram_failure_recorder(app),
        ),
        timeout=20,
    )
    return health


@pytest.fixture
def failing_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Update 902 cannot be stored (a bad value, not an outage)."""
    from bot.service import InboundService

    real = InboundService.handle

    async def handle(self: InboundService, inbound: Any) -> Any:
        if inbound.provider_id == "902":
            raise ValueError("cannot store this update")
        return await real(self, inbound)

    monkeypatch.setattr(InboundService, "handle", handle)


async def rows(db: Database) -> list[TelegramFailedUpdate]:
    async with db.transaction() as s:
        return list((await s.execute(select(TelegramFailedUpdate))).scalars())


async def test_a_failed_update_is_stored_without_its_text(
    db: Database, failing_store: None
) -> None:
    app = make_app(db.url, telegram_token="123:abc", telegram_api_base="http://127.0.0.1:9")
    try:
        health = await poll_through_the_app(app, [upd(901, text="帮助"), upd(902), upd(903)])
        assert health.offset == 904  # polling moved on
        assert health.failed_updates == []  # recorded in the table, not only in memory
        [row] = await rows(db)
        assert (row.update_id, row.chat_id, row.kind, row.error) == (
            902,
            "4242",
            "message",
            "ValueError",
        )
        assert row.failed_at == app.clock.now() and row.resolved_at is None
        async with db.transaction() as s:
            stored = set((await s.execute(select(InboundMessage.provider_id))).scalars())
            columns = await s.run_sync(
                lambda sync: [
                    c["name"]
                    for c in inspect(sync.connection()).get_columns("telegram_failed_updates")
                ]
            )
        assert stored == {"901", "903"}
        assert not {"text", "payload", "display_name", "name"} & set(columns)
        # the same update failing again (a restart re-reading it) is one row
        await telegram_failure_recorder(app)(upd(902), "DataError")
        assert len(await rows(db)) == 1
    finally:
        await app.db.dispose()


async def test_healthz_lists_open_failures_from_the_table(
    db: Database, failing_store: None
) -> None:
    app = make_app(db.url, telegram_token="123:abc", telegram_api_base="http://127.0.0.1:9")
    app.poll_started_at = app.clock.now()
    app.poller.running = True
    app.poller.last_ok_at = app.clock.now()
    try:
        await telegram_failure_recorder(app)(upd(902), "ValueError")
        web = create_web_app(app, background=False)
        transport = httpx.ASGITransport(app=web)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            body = (await c.get("/healthz")).json()
            assert body["telegram_failed_open"] == 1 and body["telegram_failed_updates"] == [902]
            async with app.db.transaction() as s:
                await resolve(s, 902, "handled", "user:ada", app.clock.now())
            body = (await c.get("/healthz")).json()
            assert body["telegram_failed_open"] == 0 and "telegram_failed_updates" not in body
    finally:
        await app.db.dispose()


async def test_retry_asks_the_sender_to_send_again_once(db: Database) -> None:
    app = make_app(db.url)
    try:
        await telegram_failure_recorder(app)(upd(902), "ValueError")
        now = app.clock.now()
        async with app.db.transaction() as s:
            await resolve(s, 902, "retry", "cli:ops", now)
        with pytest.raises(Refused, match="already resolved"):
            async with app.db.transaction() as s:
                await resolve(s, 902, "retry", "cli:ops", now)
        async with app.db.transaction() as s:
            queued = list((await s.execute(select(OutboxMessage))).scalars())
            trail = list((await s.execute(select(AuditEntry))).scalars())
        assert [(q.channel, q.address, q.message["key"]) for q in queued] == [
            ("telegram", "4242", RESEND_KEY)
        ]
        [row] = await rows(db)
        assert (row.resolution, row.resolved_by, row.resolved_at) == (
            "asked_to_resend",
            "cli:ops",
            now,
        )
        assert [(a.action, a.subject_id, a.actor) for a in trail] == [
            ("telegram_failed_asked_to_resend", "902", "cli:ops")
        ]
        with pytest.raises(Refused, match="no failed"):
            async with app.db.transaction() as s:
                await resolve(s, 77, "handled", "cli:ops", now)
    finally:
        await app.db.dispose()


async def test_an_update_from_no_chat_can_only_be_marked_handled(db: Database) -> None:
    app = make_app(db.url)
    try:
        other = Update.model_validate({"update_id": 905, "poll": None})
        await telegram_failure_recorder(app)(other, "ValueError")
        now = app.clock.now()
        with pytest.raises(Refused, match="--handled"):
            async with app.db.transaction() as s:
                await resolve(s, 905, "retry", "cli:ops", now)
        async with app.db.transaction() as s:
            await resolve(s, 905, "handled", "cli:ops", now)
        [row] = await rows(db)
        assert (row.kind, row.chat_id, row.resolution) == ("other", None, "handled")
    finally:
        await app.db.dispose()


async def test_the_cli_lists_retries_and_closes(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app(db.url)
    try:
        for update_id in (902, 903):
            await telegram_failure_recorder(app)(upd(update_id), "ValueError")
    finally:
        await app.db.dispose()
    monkeypatch.setenv("CARELINE_DATABASE_URL", db.url)

    def cli(*args: str) -> tuple[int, str, str]:
        code = main(["telegram", "failed", *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, _ = await asyncio.to_thread(cli, "--json")
    assert code == 0
    listed = json.loads(out)
    assert sorted(r["update_id"] for r in listed) == [902, 903]
    assert SECRET_TEXT not in out and "13800001111" not in out
    assert (await asyncio.to_thread(cli, "--retry", "902", "--by", "ops"))[0] == 0
    assert (await asyncio.to_thread(cli, "--handled", "903", "--by", "ops"))[0] == 0
    code, _, err = await asyncio.to_thread(cli, "--handled", "903")
    assert code == 1 and "already resolved" in err
    code, out, _ = await asyncio.to_thread(cli)
    assert code == 0 and "no failed Telegram updates" in out
    code, out, _ = await asyncio.to_thread(cli, "--all")
    assert "asked_to_resend by cli:ops" in out and "handled by cli:ops" in out
