"""Switching Telegram from webhook mode to polling: the webhook the first start set is
deleted before polling, so getUpdates is not answered 409 forever (issue 14)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage.db import Database
from tests.e2e.channels.test_telegram import SECRET, USER, settings_for
from tests.e2e.helpers import seed_demo
from tests.standins import TelegramStandin
from tests.standins.telegram_updates import text_message_update
from tests.support.live import LiveCareline

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def telegram() -> Iterator[TelegramStandin]:
    with TelegramStandin() as standin:
        yield standin


async def test_a_start_in_polling_mode_after_webhook_mode_answers(
    db: Database, telegram: TelegramStandin
) -> None:
    rec = telegram.recorder
    rec.reset()
    await seed_demo(db)
    with LiveCareline(settings_for(db, telegram, telegram_webhook_secret=SECRET)):
        assert rec.webhook.url.endswith("/webhooks/telegram")
    assert rec.webhook.url  # stopping leaves the webhook: the next start decides

    with LiveCareline(settings_for(db, telegram)):
        rec.push_update(text_message_update(USER, "/start"))
        [ask] = await rec.wait_for_count(1, timeout=20)
        assert ask.chat_id == USER and "分享您的手机号" in ask.text
        assert not rec.webhook.url
        assert rec.calls("deleteWebhook")
        assert all(
            c.params.get("drop_pending_updates") != "true" for c in rec.calls("deleteWebhook")
        )
