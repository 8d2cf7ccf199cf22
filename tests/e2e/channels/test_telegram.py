"""Telegram end to end: aiogram against a local Bot API stand-in, in polling and webhook mode."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import ChannelAddress, InboundMessage
from tests.e2e.helpers import count, seed_demo
from tests.standins import TelegramStandin, telegram_api
from tests.standins.telegram_state import DEFAULT_TOKEN
from tests.standins.telegram_updates import (
    callback_query_update,
    contact_update,
    text_message_update,
)
from tests.support.apps import make_settings
from tests.support.eventually import eventually
from tests.support.live import LiveCareline

pytestmark = pytest.mark.e2e
USER = 5001
SECRET = "s3cret_token-1"


@pytest.fixture(scope="module")
def telegram() -> Iterator[TelegramStandin]:
    with TelegramStandin() as standin:
        yield standin


def settings_for(db: Database, telegram: TelegramStandin, **extra: object):  # type: ignore[no-untyped-def]
    return lambda url: make_settings(
        db.url,
        public_url=url,
        telegram_token=DEFAULT_TOKEN,
        telegram_api_base=telegram.base_url,
        **extra,
    )


@pytest.fixture
async def polling(db: Database, telegram: TelegramStandin) -> Iterator[LiveCareline]:
    telegram.recorder.reset()
    await seed_demo(db)
    with LiveCareline(settings_for(db, telegram)) as server:
        yield server


@pytest.fixture
async def webhook(db: Database, telegram: TelegramStandin) -> Iterator[LiveCareline]:
    telegram.recorder.reset()
    await seed_demo(db)
    with LiveCareline(settings_for(db, telegram, telegram_webhook_secret=SECRET)) as server:
        yield server


async def test_start_share_contact_link_and_buttons(
    polling: LiveCareline, telegram: TelegramStandin
) -> None:
    rec = telegram.recorder
    rec.push_update(text_message_update(USER, "/start"))
    [ask] = await rec.wait_for_count(1, timeout=20)
    assert ask.chat_id == USER and "分享您的手机号" in ask.text
    assert ask.reply_markup and ask.reply_markup["keyboard"][0][0]["request_contact"] is True

    rec.push_update(contact_update(USER, "+86 138 0000 0002"))
    msgs = await rec.wait_for_count(2, timeout=20)
    assert msgs[1].text == "已关联：李主任。"

    rec.push_update(text_message_update(USER, "语言"))
    msgs = await rec.wait_for_count(3, timeout=20)
    buttons = msgs[2].reply_markup["inline_keyboard"]  # type: ignore[index]
    assert [row[0]["callback_data"] for row in buttons] == [
        "lang:zh_Hans",
        "lang:zh_Hant",
        "lang:en",
    ]

    rec.push_update(
        callback_query_update(USER, "lang:en", message_id=msgs[2].message_id, bot_id=123456789)
    )
    msgs = await rec.wait_for_count(4, timeout=20)
    assert msgs[3].text == "Language set to English."

    async def answered() -> int:
        return len(rec.calls("answerCallbackQuery"))

    await eventually(answered, lambda n: n == 1)


async def test_someone_elses_contact_does_not_link(
    polling: LiveCareline, db: Database, telegram: TelegramStandin
) -> None:
    rec = telegram.recorder
    rec.push_update(contact_update(USER, "+8613800000002", contact_user_id=999))
    await rec.wait_for_count(1, timeout=20)
    async with db.transaction() as s:
        addr = (
            await s.execute(select(ChannelAddress).where(ChannelAddress.channel == "telegram"))
        ).scalar_one()
    assert addr.person_id is None


async def test_blocked_bot_marks_the_chat_unreachable(
    polling: LiveCareline, db: Database, telegram: TelegramStandin
) -> None:
    telegram.recorder.script.add(telegram_api.blocked(chat_id=USER))
    telegram.recorder.push_update(text_message_update(USER, "帮助"))

    async def unreachable() -> object:
        async with db.transaction() as s:
            return (
                await s.execute(
                    select(ChannelAddress.unreachable_at).where(
                        ChannelAddress.channel == "telegram"
                    )
                )
            ).scalar()

    assert await eventually(unreachable, lambda v: v is not None)
    assert telegram.recorder.count() == 0


async def test_retry_after_is_honoured(polling: LiveCareline, telegram: TelegramStandin) -> None:
    telegram.recorder.script.add(telegram_api.retry_after(1, chat_id=USER))
    telegram.recorder.push_update(text_message_update(USER, "帮助"))
    [msg] = await telegram.recorder.wait_for_count(1, timeout=20)
    assert "请直接描述情况" in msg.text

    async def sends() -> list[int]:
        return [a.status for a in telegram.recorder.attempts() if a.method.lower() == "sendmessage"]

    assert await eventually(sends, lambda v: len(v) >= 2) == [429, 200]


async def post_update(url: str, update: dict, secret: str | None) -> httpx.Response:  # type: ignore[type-arg]
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with httpx.AsyncClient() as client:
        return await client.post(url + "/webhooks/telegram", json=update, headers=headers)


async def test_webhook_mode(webhook: LiveCareline, db: Database, telegram: TelegramStandin) -> None:
    info = telegram.recorder.webhook
    assert info.url == webhook.url + "/webhooks/telegram" and info.secret_token == SECRET
    update = {"update_id": 900001, **text_message_update(USER, "帮助")}
    assert (await post_update(webhook.url, update, "wrong")).status_code == 403
    assert (await post_update(webhook.url, update, None)).status_code == 403
    assert await count(db, InboundMessage) == 0
    for _ in range(2):  # Telegram retries: the same update_id is stored once
        assert (await post_update(webhook.url, update, SECRET)).status_code == 200
    assert await count(db, InboundMessage) == 1
    bad = await post_update(webhook.url, {"hello": "world"}, SECRET)
    assert bad.status_code == 400 and "Traceback" not in bad.text
    [reply] = await telegram.recorder.wait_for_count(1, timeout=20)
    assert reply.chat_id == USER
