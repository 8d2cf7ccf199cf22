"""A complete visit report end to end over real HTTP: signed Twilio webhooks in, replies
out at the Twilio stand-in; Telegram updates to the webhook (secret header) in, messages
and buttons out at the Telegram stand-in. The app is served by uvicorn."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import count
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.clock import FakeClock
from storage.db import Database
from storage.models import Child, Visit
from tests.standins import TelegramStandin, TwilioStandin
from tests.standins.telegram_updates import (
    callback_query_update,
    contact_update,
    text_message_update,
)
from tests.standins.twilio_api import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

from .served import ServedApp

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
EAST, WEST, TWILIO_FROM = "+8613800000002", "+8613800000003", "+15005550006"
SECRET = "visits-e2e-secret"
CHAT = 4242
_sids = count(1)


@dataclass
class Stack:
    served: ServedApp
    http: httpx.AsyncClient
    twilio: TwilioStandin
    telegram: TelegramStandin


@pytest.fixture
async def stack(db: Database) -> AsyncIterator[Stack]:
    with TwilioStandin() as twilio, TelegramStandin() as telegram:
        served = ServedApp()
        await served.start(
            db.url,
            FakeClock(NOW),
            twilio_account_sid=DEFAULT_ACCOUNT_SID,
            twilio_auth_token=DEFAULT_AUTH_TOKEN,
            twilio_from=TWILIO_FROM,
            twilio_api_base=twilio.base_url,
            telegram_token=telegram.recorder.token,
            telegram_api_base=telegram.base_url,
            telegram_webhook_secret=SECRET,
        )
        async with httpx.AsyncClient(base_url=served.base_url, timeout=30) as http:
            assert (await http.get("/healthz")).status_code == 200
            await served.run(served.load_demo())
            try:
                yield Stack(served, http, twilio, telegram)
            finally:
                await served.stop()


async def sms(stack: Stack, body: str, phone: str = EAST) -> str:
    """Post one signed inbound SMS; return the text the stand-in received in reply."""
    url = stack.served.base_url + "/webhooks/twilio"
    params = {"MessageSid": f"SM{next(_sids):032d}", "From": phone, "To": TWILIO_FROM,
              "Body": body, "AccountSid": DEFAULT_ACCOUNT_SID, "NumMedia": "0"}  # fmt: skip
    signature = RequestValidator(DEFAULT_AUTH_TOKEN).compute_signature(url, params)
    before = len(stack.twilio.recorder.messages(to=phone))
    response = await stack.http.post(
        "/webhooks/twilio", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 200, response.text
    await stack.served.dispatch()
    replies = stack.twilio.recorder.messages(to=phone)[before:]
    assert len(replies) == 1, [m.body for m in replies]
    return replies[0].body


async def stored_visit(stack: Stack, code: str) -> tuple[Visit, Child]:
    async def load() -> tuple[Visit, Child]:
        async with stack.served._app().db.transaction() as s:
            child = (await s.execute(select(Child).where(Child.code == code))).scalar_one()
            visit = (await s.execute(select(Visit).where(Visit.child_id == child.id))).scalar_one()
            return visit, child

    return await stack.served.run(load())


GUIDED_SMS = [
    ("走访", "1/15 走访哪个孩子？"),
    ("A02", "2/15 A02 张小红：走访方式？"),
    ("1", "3/15 哪天走访的？"),
    ("昨天", "4/15 监护情况评估？"),
    ("2", "5/15 居住条件？"),
    ("1", "6/15 谁在照护孩子？"),
    ("祖辈", "7/15 上学情况？"),
    ("1", "8/15 健康情况？"),
    ("1", "9/15 参加居民医保了吗？"),
    ("1", "10/15 疫苗按时接种了吗？"),
    ("1", "11/15 心理或行为问题？"),
    ("1", "12/15 家中安全隐患？"),
    ("1", "13/15 孩子或家庭的需求？"),
    ("跳过", "14/15 孩子有户口（户籍登记）吗？"),
    ("1", "15/15 备注"),
    ("奶奶照顾得好", "核对：A02 张小红，下次走访2026-04-01。"),
    ("1", "已保存A02 张小红的走访。下次走访：2026年4月1日。"),
]


async def test_guided_report_through_the_signed_twilio_webhook(stack: Stack) -> None:
    for body, expected in GUIDED_SMS:
        reply = await sms(stack, body)
        assert reply.startswith(expected), (body, reply)
    visit, child = await stored_visit(stack, "A02")
    assert (visit.visit_date, visit.assessment, visit.next_due) == (
        date(2026, 3, 1), "average", date(2026, 4, 1)
    )  # fmt: skip
    assert child.next_visit_due == date(2026, 4, 1)
    assert visit.checklist["needs"] == "skip" and visit.notes == "奶奶照顾得好"


async def test_a_forged_webhook_stores_nothing(stack: Stack) -> None:
    params = {"MessageSid": "SMforged", "From": EAST, "To": TWILIO_FROM, "Body": "走访 A01 良好"}
    response = await stack.http.post(
        "/webhooks/twilio", data=params, headers={"X-Twilio-Signature": "bad"}
    )
    assert response.status_code == 403
    await stack.served.dispatch()
    assert stack.twilio.recorder.messages(to=EAST) == []


async def test_quick_form_by_sms_twice_saves_once(stack: Stack) -> None:
    first = await sms(stack, "走访 A01 良好 在校 无")
    second = await sms(stack, "走访 A01 良好 在校 无")
    assert (
        first == second == "已保存A01 张小明的走访。下次走访：2026年6月2日。24小时内发“改”可修改。"
    )
    visit, _ = await stored_visit(stack, "A01")  # scalar_one: exactly one
    assert visit.next_due == date(2026, 6, 2)


async def telegram(stack: Stack, update: dict[str, Any]) -> Any:
    """Post one update to the webhook with the secret header; return the bot's reply."""
    before = len(stack.telegram.recorder.messages(chat_id=CHAT))
    update = {"update_id": next(_sids), **update}
    response = await stack.http.post(
        "/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status_code == 200, response.text
    await stack.served.dispatch()
    replies = stack.telegram.recorder.messages(chat_id=CHAT)[before:]
    assert len(replies) == 1, [m.text for m in replies]
    return replies[0]


async def press(stack: Stack, message: Any, label: str) -> Any:
    buttons = [b for row in message.reply_markup["inline_keyboard"] for b in row]
    [button] = [b for b in buttons if label in b["text"]]
    assert len(button["callback_data"].encode()) <= 64
    return await telegram(
        stack,
        callback_query_update(
            CHAT,
            button["callback_data"],
            message_id=message.message_id,
            bot_id=stack.telegram.recorder.bot_id,
        ),
    )


BUTTONS = ["B01", "入户走访", "今天", "监护良好", "居住条件好", "父母照护", "在校", "健康",
           "已参保", "疫苗按时", "心理行为正常", "家中安全", "暂无需求", "有户口",
           "无备注"]  # fmt: skip


async def test_guided_report_through_the_telegram_webhook_with_buttons(stack: Stack) -> None:
    assert (await stack.http.post("/webhooks/telegram", json={"update_id": 1})).status_code == 403
    await telegram(stack, text_message_update(CHAT, "/start"))
    linked = await telegram(stack, contact_update(CHAT, WEST))
    assert "王主任" in linked.text
    message = await telegram(stack, text_message_update(CHAT, "走访"))
    for label in BUTTONS:
        message = await press(stack, message, label)
    assert message.text.startswith("核对：B01 黄文，下次走访2026-06-02。")
    saved = await press(stack, message, "保存")
    assert saved.text.startswith("已保存B01 黄文的走访。下次走访：2026年6月2日。")
    visit, child = await stored_visit(stack, "B01")
    assert (visit.kind, visit.assessment, child.next_visit_due) == (
        "home", "good", date(2026, 6, 2)
    )  # fmt: skip
