"""Telegram long polling survives bad updates and errors, and says when it is stalled."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram.types import Update

from bot.channels.base import RateLimits
from bot.channels.telegram import PollerHealth, TelegramChannel, TransientFailure, update_to_inbound
from tests.standins.telegram_updates import text_message_update

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def upd(update_id: int, text: str = "帮助") -> Update:
    return Update.model_validate({"update_id": update_id, **text_message_update(42, text)})


class ScriptedBot:
    """get_updates answers from a script: a list of updates, or an exception to raise."""

    def __init__(self, script: list[Any], stop: asyncio.Event) -> None:
        self.script = script
        self.stop = stop
        self.offsets: list[int | None] = []

    async def delete_webhook(self, **_: Any) -> bool:
        return True  # polling starts by deleting a webhook left from webhook mode

    async def get_updates(self, *, offset: int | None, **_: Any) -> list[Update]:
        self.offsets.append(offset)
        await asyncio.sleep(0)
        if not self.script:
            self.stop.set()
            return []
        step = self.script.pop(0)
        if isinstance(step, BaseException):
            raise step
        return [u for u in step if offset is None or u.update_id >= offset]


def channel_with(bot: ScriptedBot) -> TelegramChannel:
    ch = TelegramChannel(token="123:abc", api_base="http://127.0.0.1:9", limits=RateLimits(0))
    ch.bot = bot  # type: ignore[assignment]
    return ch


async def run_poll(script: list[Any], handle: Any) -> tuple[PollerHealth, ScriptedBot]:
    stop = asyncio.Event()
    bot = ScriptedBot(script, stop)
    health = PollerHealth()
    await asyncio.wait_for(
        channel_with(bot).poll(handle, stop, health=health, now=lambda: T0, backoff_start=0.001),
        timeout=10,
    )
    return health, bot


async def test_one_bad_update_is_recorded_and_polling_moves_on() -> None:
    handled: list[int] = []

    async def handle(update: Update) -> None:
        if update.update_id == 2:
            raise ValueError("cannot store this one")
        handled.append(update.update_id)

    health, _ = await run_poll([[upd(1), upd(2), upd(3)], [upd(4)]], handle)
    assert handled == [1, 3, 4]
    assert health.failed_updates == [2]
    assert health.offset == 5


async def test_a_database_outage_keeps_the_update_and_retries_it() -> None:
    handled: list[int] = []
    failures = iter([True, True, False])

    async def handle(update: Update) -> None:
        if update.update_id == 7 and next(failures):
            raise TransientFailure("OperationalError")
        handled.append(update.update_id)

    batch = [upd(6), upd(7), upd(8)]
    health, bot = await run_poll([batch, batch, batch], handle)
    assert handled == [6, 7, 8]  # nothing skipped, nothing twice
    assert health.failed_updates == [] and health.restarts == 2
    assert bot.offsets[:3] == [None, 7, 7]


async def test_any_error_from_the_api_restarts_polling() -> None:
    handled: list[int] = []

    async def handle(update: Update) -> None:
        handled.append(update.update_id)

    health, _ = await run_poll([RuntimeError("socket closed"), OSError("reset"), [upd(1)]], handle)
    assert handled == [1]
    assert health.restarts == 2 and health.last_error is None and not health.running


def test_stalled_when_no_poll_completed_for_a_while() -> None:
    health = PollerHealth(running=True)
    after = timedelta(minutes=2)
    assert not health.stalled(T0 + timedelta(minutes=1), T0, after)
    assert health.stalled(T0 + timedelta(minutes=3), T0, after)
    health.last_ok_at = T0 + timedelta(minutes=2, seconds=30)
    assert not health.stalled(T0 + timedelta(minutes=3), T0, after)
    health.running = False
    assert health.stalled(T0 + timedelta(minutes=3), T0, after)


def test_nul_is_removed_from_telegram_text() -> None:
    inbound = update_to_inbound(upd(1, "孩子\x00被打"), T0)
    assert inbound is not None and inbound.text == "孩子被打"


async def test_a_failed_update_goes_to_the_recorder_and_polling_moves_on() -> None:
    recorded: list[tuple[int, str]] = []

    async def handle(update: Update) -> None:
        if update.update_id == 2:
            raise ValueError("cannot store this one")

    async def on_failed(update: Update, error: str) -> None:
        recorded.append((update.update_id, error))

    stop = asyncio.Event()
    bot = ScriptedBot([[upd(1), upd(2), upd(3)]], stop)
    health = PollerHealth()
    await asyncio.wait_for(
        channel_with(bot).poll(handle, stop, health=health, now=lambda: T0, on_failed=on_failed),
        timeout=10,
    )
    assert recorded == [(2, "ValueError")]
    assert health.failed_updates == [] and health.offset == 4


async def test_a_failure_that_cannot_be_recorded_stays_in_memory() -> None:
    async def handle(update: Update) -> None:
        raise ValueError("cannot store this one")

    async def on_failed(update: Update, error: str) -> None:
        raise OSError("database away")

    stop = asyncio.Event()
    bot = ScriptedBot([[upd(5), upd(6)]], stop)
    health = PollerHealth()
    await asyncio.wait_for(
        channel_with(bot).poll(handle, stop, health=health, now=lambda: T0, on_failed=on_failed),
        timeout=10,
    )
    assert health.failed_updates == [5, 6] and health.offset == 7
