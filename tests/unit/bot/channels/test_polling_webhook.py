"""Polling deletes a webhook first (left from webhook mode), and again after a 409 (a webhook
set meanwhile), keeping pending updates; it never loops on 409."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from aiogram.exceptions import TelegramConflictError
from aiogram.methods import GetUpdates
from aiogram.types import Update

from bot.channels.base import RateLimits
from bot.channels.telegram import PollerHealth, TelegramChannel
from tests.standins.telegram_updates import text_message_update

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


class WebhookBot:
    """getUpdates is a 409 while a webhook is set; `set_again` re-sets it after a delete."""

    def __init__(self, stop: asyncio.Event, set_again: int = 0) -> None:
        self.stop, self.webhook, self.set_again = stop, True, set_again
        self.deletes: list[dict[str, Any]] = []
        self.updates = [Update.model_validate({"update_id": 1, **text_message_update(42, "帮助")})]

    async def delete_webhook(self, **kw: Any) -> bool:
        self.deletes.append(kw)
        self.webhook = self.set_again > 0  # someone set it again right after
        self.set_again -= 1
        return True

    async def get_updates(self, *, offset: int | None, **_: Any) -> list[Update]:
        await asyncio.sleep(0)
        if self.webhook:
            raise TelegramConflictError(GetUpdates(), "Conflict: webhook is active")
        if offset is not None and offset > 1:
            self.stop.set()
            return []
        return self.updates


async def poll(bot: WebhookBot) -> tuple[PollerHealth, list[int]]:
    ch = TelegramChannel(token="123:abc", api_base="http://127.0.0.1:9", limits=RateLimits(0))
    await ch.bot.session.close()
    ch.bot = bot  # type: ignore[assignment]
    handled: list[int] = []

    async def handle(update: Update) -> None:
        handled.append(update.update_id)

    health = PollerHealth()
    await asyncio.wait_for(
        ch.poll(handle, bot.stop, health=health, now=lambda: T0, backoff_start=0.001), timeout=10
    )
    return health, handled


async def test_polling_deletes_the_webhook_before_the_first_get_updates() -> None:
    bot = WebhookBot(asyncio.Event())
    health, handled = await poll(bot)
    assert handled == [1] and health.restarts == 0
    assert bot.deletes == [{"drop_pending_updates": False}]


async def test_a_webhook_set_meanwhile_is_deleted_again_after_the_409() -> None:
    bot = WebhookBot(asyncio.Event(), set_again=1)
    health, handled = await poll(bot)
    assert handled == [1]
    assert health.restarts == 1 and len(bot.deletes) == 2
