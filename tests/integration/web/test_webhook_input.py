"""Signed webhooks with hostile content answer 4xx, never 500, and status callbacks never
move a delivery status backwards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.app import Application
from bot.clock import FakeClock
from bot.reply_json import reply_to_json
from bot.web.server import create_web_app
from content.replies import Reply
from dialogs.types import Channel, Lane
from storage.db import Database
from storage.models import InboundMessage, OutboxMessage
from storage.repos import outbox
from tests.support.apps import make_app

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
BASE, TOKEN = "http://careline.test", "tok-123"


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:
    application = make_app(
        db.url, FakeClock(NOW), public_url=BASE, twilio_account_sid="AC1",
        twilio_auth_token=TOKEN, twilio_from="+15005550006",
    )  # fmt: skip
    yield application
    await application.db.dispose()


async def post(app: Application, path: str, form: dict[str, str]) -> httpx.Response:
    signature = RequestValidator(TOKEN).compute_signature(BASE + path, form)
    transport = httpx.ASGITransport(app=create_web_app(app, background=False))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        return await client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def sms(**fields: str) -> dict[str, str]:
    return {"MessageSid": "SM" + "a" * 32, "From": "+8613800000002", "Body": "帮助", **fields}


@pytest.mark.parametrize(
    ("form", "status"),
    [
        (sms(NumMedia="two"), 400),
        (sms(NumMedia="-1"), 400),
        (sms(MessageSid="SM" + "a" * 100), 400),
        (sms(MessageSid="SM\x00abc"), 400),
        (sms(From="+86" + "1" * 80), 400),
        (sms(From="+86138\x00"), 400),
        (sms(Body="帮\x00助"), 200),  # stored without the NUL
        (sms(NumMedia="1", Body=""), 200),
    ],
)
async def test_signed_hostile_forms_get_a_4xx_not_a_500(
    app: Application, form: dict[str, str], status: int
) -> None:
    response = await post(app, "/webhooks/twilio", form)
    assert response.status_code == status, response.text
    if status == 200:
        async with app.db.transaction() as s:
            texts = list((await s.execute(select(InboundMessage.text))).scalars())
        assert all("\x00" not in t for t in texts) and len(texts) == 1


@pytest.mark.parametrize(
    "form",
    [
        {"MessageSid": "SM" + "b" * 100, "MessageStatus": "delivered"},
        {"MessageSid": "SM\x00", "MessageStatus": "delivered"},
    ],
)
async def test_hostile_status_callbacks_get_a_400(app: Application, form: dict[str, str]) -> None:
    assert (await post(app, "/webhooks/twilio/status", form)).status_code == 400


async def test_status_never_moves_backwards(app: Application) -> None:
    async with app.db.transaction() as s:
        row_id = await outbox.enqueue(
            s, channel=Channel.SMS, address="+8613800000002", lane=Lane.REPLY, now=NOW,
            message=reply_to_json(Reply("cancel.done")),
        )  # fmt: skip
        row = await s.get(OutboxMessage, row_id)
        assert row is not None
        row.provider_id, row.status = "SM42", "sent"
    seen = []
    for status in ("sent", "delivered", "sent", "queued", "delivered"):
        form = {"MessageSid": "SM42", "MessageStatus": status}
        assert (await post(app, "/webhooks/twilio/status", form)).status_code == 204
        async with app.db.transaction() as s:
            seen.append((await s.get(OutboxMessage, row_id)).delivery_status)  # type: ignore[union-attr]
    assert seen == ["sent", "delivered", "delivered", "delivered", "delivered"]
