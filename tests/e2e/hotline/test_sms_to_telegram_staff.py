"""End to end: a concern sent by SMS (signed Twilio webhook, real uvicorn server) reaches the
on-duty staff member's Telegram (stand-in), who claims, answers, refers and closes it by
message; the reporter's SMS answer comes back into the case. Nothing leaves 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.app import Application, build_app
from bot.demo import load_demo
from bot.hotline.jobs import record_deliveries
from bot.web.server import create_web_app
from storage.db import upgrade_sync
from storage.models import Case, CaseEvent, ChannelAddress, Person
from tests.standins import TelegramStandin, TwilioStandin
from tests.standins.telegram_state import DEFAULT_TOKEN
from tests.standins.telegram_updates import text_message_update
from tests.standins.twilio_api import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from tests.support.apps import make_settings
from tests.support.databases import sqlite_url

DIRECTOR = "+8613800000002"
HOTLINE = "+8613800000004"
STAFF_CHAT = 7004
SECRET = "e2e-secret"
TIMEOUT = 20.0
_sids = count(1)


def listening_socket() -> socket.socket:
    """Bound and listening before the server starts: early requests wait in the backlog."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


@dataclass
class World:
    app: Application
    base: str
    http: httpx.AsyncClient
    twilio: TwilioStandin
    telegram: TelegramStandin

    async def sms(self, text: str, sender: str = DIRECTOR) -> None:
        url = f"{self.base}/webhooks/twilio"
        form = {"MessageSid": f"SM{next(_sids):032d}", "From": sender, "To": "+15550001111",
                "Body": text, "AccountSid": DEFAULT_ACCOUNT_SID}  # fmt: skip
        signature = RequestValidator(DEFAULT_AUTH_TOKEN).compute_signature(url, form)
        resp = await self.http.post(url, data=form, headers={"X-Twilio-Signature": signature})
        assert resp.status_code == 200, resp.text

    async def staff_says(self, text: str) -> None:
        resp = await self.http.post(
            f"{self.base}/webhooks/telegram",
            json={"update_id": next(_sids), **text_message_update(STAFF_CHAT, text)},
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        assert resp.status_code == 200, resp.text

    async def telegram_text(self, pred: Callable[[str], bool]) -> str:
        rec = self.telegram.recorder

        def found() -> list[str]:
            return [m.text for m in rec.records() if m.chat_id == STAFF_CHAT and pred(m.text)]

        assert await rec.wait_until(lambda: bool(found()), TIMEOUT), [m.text for m in rec.records()]
        return found()[-1]

    async def sms_text(self, to: str, pred: Callable[[str], bool]) -> str:
        rec = self.twilio.recorder

        def found() -> list[str]:
            return [m.body for m in rec.messages(to) if pred(m.body)]

        assert await rec.wait_until(lambda: bool(found()), TIMEOUT), [m.body for m in rec.records()]
        return found()[-1]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    url = sqlite_url(tmp_path)
    await asyncio.to_thread(upgrade_sync, url)
    sock = listening_socket()
    port = int(sock.getsockname()[1])
    base = f"http://127.0.0.1:{port}"
    with TwilioStandin() as twilio, TelegramStandin() as telegram:
        settings = make_settings(
            url, public_url=base, twilio_account_sid=DEFAULT_ACCOUNT_SID,
            twilio_auth_token=DEFAULT_AUTH_TOKEN, twilio_from="+15550001111",
            twilio_api_base=twilio.base_url, telegram_token=DEFAULT_TOKEN,
            telegram_api_base=telegram.base_url, telegram_webhook_secret=SECRET,
        )  # fmt: skip
        app = build_app(settings, console=False)
        now = app.clock.now()
        async with app.db.transaction() as s:
            await load_demo(s, now, now.date())
            staff = (await s.execute(select(Person).where(Person.phone == HOTLINE))).scalar_one()
            s.add(ChannelAddress(channel="telegram", address=str(STAFF_CHAT),
                                 person_id=staff.id, created_at=now))  # fmt: skip
        config = uvicorn.Config(create_web_app(app), log_level="warning")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            yield World(app, base, http, twilio, telegram)
        server.should_exit = True
        await task
        sock.close()


async def test_sms_concern_is_claimed_answered_referred_closed_on_telegram(world: World) -> None:
    await world.sms("A04的爸爸昨晚又把他打了一顿，身上都是伤")
    alert = await world.telegram_text(lambda t: "热线警报" in t)
    ref = re.search(r"C\d{6}-\d{4,}", alert)
    assert ref is not None
    ref_ = ref.group(0)
    assert "乐乐" not in alert and DIRECTOR not in alert and "李主任" not in alert
    assert "已转给值班工作人员" in await world.sms_text(DIRECTOR, lambda t: "工作人员" in t)
    # a mandated reporter is told to report to 公安 now, and to say when they have
    duty = await world.sms_text(DIRECTOR, lambda t: "报告无责" in t)
    assert "110" in duty and "已报警" in duty
    await world.sms("已报警")
    assert ref_ in await world.sms_text(DIRECTOR, lambda t: "已记录" in t)

    await world.staff_says(f"认领 {ref_}")
    await world.telegram_text(lambda t: t == f"案件 {ref_} 已由您认领。")
    await world.staff_says(f"回复 {ref_} 孩子现在安全吗？")
    await world.sms_text(DIRECTOR, lambda t: "孩子现在安全吗" in t)
    await world.sms("安全了，在邻居家")
    await world.telegram_text(lambda t: "安全了，在邻居家" in t and ref_ in t)
    await world.staff_says(f"转介 {ref_} 公安")
    await world.telegram_text(lambda t: "已记录转介" in t)
    await world.staff_says(f"结案 {ref_} 派出所已出警，孩子暂住亲属家")
    await world.telegram_text(lambda t: t == f"案件 {ref_} 已结案。")

    await record_deliveries(world.app)
    async with world.app.db.transaction() as s:
        case = (await s.execute(select(Case).where(Case.ref == ref_))).scalar_one()
        kinds = list(
            (
                await s.execute(
                    select(CaseEvent.kind)
                    .where(CaseEvent.case_id == case.id)
                    .order_by(CaseEvent.id)
                )
            ).scalars()
        )
    assert (case.status, case.reporter_channel) == ("closed", "sms")
    for kind in ("created", "duty_told", "alerted", "police_reported", "claimed", "reply",
                 "reporter_message", "referral", "closed", "delivered"):  # fmt: skip
        assert kind in kinds
    assert kinds[0] == "created" and kinds.index("claimed") < kinds.index("reply")
