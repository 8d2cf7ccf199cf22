"""A child director and a hotline worker on WeCom (企业微信): encrypted, signed callbacks in,
`message/send` out through the WeCom stand-in; a hotline alert is a card whose 认领 button
claims the case and updates the card. Fallback to the SMS templates where WeCom fails."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.app import Application, build_app
from bot.clock import FakeClock
from bot.demo import load_demo
from bot.mainland.links import link_wecom
from bot.web.server import create_web_app
from storage.db import Database
from storage.models import Case, Person
from tests.e2e.mainland.world import NOW, PUBLIC, register_templates, sms_settings
from tests.standins.mainland_sms import AliyunSmsStandin, Sent, TencentSmsStandin
from tests.standins.wecom_api import WeComStandin
from tests.support.apps import make_settings

pytestmark = pytest.mark.e2e
DIRECTOR, HOTLINE = "+8613800000002", "+8613800000004"
LI, CHEN = "lizhuren", "chenrexian"


@dataclass
class Staff:
    app: Application
    clock: FakeClock
    http: httpx.AsyncClient
    wecom: WeComStandin
    ali: AliyunSmsStandin
    msg_ids: int = 1000

    async def run(self) -> None:
        await self.app.dispatcher.run_until_idle(max_rounds=50)

    async def says(
        self, user: str, text: str, *, forge: bool = False, age: int = 0
    ) -> httpx.Response:
        self.msg_ids += 1
        created = int(self.clock.now().timestamp())
        xml = self.wecom.text_xml(user, text, self.msg_ids, created)
        return await self.push(xml, forge=forge, age=age)

    async def push(self, inner: str, *, forge: bool = False, age: int = 0) -> httpx.Response:
        query, body = self.wecom.signed(inner, int(self.clock.now().timestamp()) - age, forge=forge)
        return await self.http.post("/webhooks/wecom", params=query, content=body)

    def texts(self, user: str) -> list[str]:
        out = []
        for m in self.wecom.state.to(user):
            if m["msgtype"] == "text":
                out.append(m["text"]["content"])
            else:
                out.append(m["template_card"]["sub_title_text"])
        return out

    def cards(self, user: str) -> list[dict[str, Any]]:
        return [m for m in self.wecom.state.to(user) if m["msgtype"] == "template_card"]

    def sms(self, phone: str) -> list[Sent]:
        return [s for s in self.ali.state.sent if s.phone == phone.removeprefix("+86")]


@asynccontextmanager
async def staff_world(db_url: str, users: set[str] | None = None) -> AsyncIterator[Staff]:
    clock = FakeClock(NOW)
    with WeComStandin(users or {LI, CHEN}, now=lambda: clock.now().timestamp()) as wecom, \
            AliyunSmsStandin() as ali, TencentSmsStandin() as tc:  # fmt: skip
        settings = make_settings(
            db_url, public_url=PUBLIC, **(sms_settings(ali, tc) | wecom.settings())
        )
        app = build_app(settings, clock=clock, console=False)
        await register_templates(app, ali, tc)
        async with app.db.transaction() as s:
            await load_demo(s, NOW, NOW.date())
            for userid, phone in ((LI, DIRECTOR), (CHEN, HOTLINE)):
                person = (await s.execute(select(Person).where(Person.phone == phone))).scalar_one()
                await link_wecom(s, userid, person, NOW)
        transport = httpx.ASGITransport(app=create_web_app(app, background=False))
        try:
            async with httpx.AsyncClient(transport=transport, base_url=PUBLIC) as http:
                yield Staff(app, clock, http, wecom, ali)
        finally:
            await app.stop()


async def test_director_reports_a_danger_and_the_hotline_claims_it_with_the_card(
    db: Database,
) -> None:
    async with staff_world(db.url) as w:
        resp = await w.says(LI, "走访 A04 差 电话 昨天 失学 备注 父亲联系不上")
        assert resp.status_code == 200 and resp.text == ""
        await w.run()
        [card] = w.cards(CHEN)
        assert card["template_card"]["card_type"] == "button_interaction"
        [button] = card["template_card"]["button_list"]
        ref = button["key"].removeprefix("claim:")
        assert button["text"] == "认领" and re.fullmatch(r"C\d{6}-\d{4,}", ref)
        assert "乐乐" not in str(card) and DIRECTOR not in str(card)  # least detail
        assert any("已记录" in t or "走访" in t for t in w.texts(LI)), w.texts(LI)

        event = w.wecom.card_event_xml(
            CHEN, button["key"], card["template_card"]["task_id"], "rc-1", int(NOW.timestamp())
        )
        for _ in range(3):  # WeCom retries a push it thinks was missed
            assert (await w.push(event)).status_code == 200
        await w.run()
        async with w.app.db.transaction() as s:
            case = (await s.execute(select(Case).where(Case.ref == ref))).scalar_one()
            owner = await s.get(Person, case.owner_id)
        assert owner is not None and owner.name == "陈热线"
        assert w.wecom.state.card_updates == [
            {"userids": [CHEN], "agentid": 1000002, "response_code": "rc-1",
             "button": {"replace_name": "已由 陈热线 认领"}}
        ]  # fmt: skip
        assert any(ref in t and "认领" in t for t in w.texts(CHEN)[1:])


async def test_director_due_list_and_numbered_choices_over_wecom(db: Database) -> None:
    async with staff_world(db.url) as w:
        await w.says(LI, "待访")
        await w.run()
        due = w.texts(LI)[-1]
        assert "A0" in due and "\n1 " in due  # choices as a numbered list
        await w.says(LI, "1")
        await w.run()
        assert len(w.texts(LI)) == 2


async def test_url_verification_answers_the_decrypted_echostr(db: Database) -> None:
    async with staff_world(db.url) as w:
        ok = await w.http.get(
            "/webhooks/wecom",
            params=w.wecom.verify_query("1616140317555161061", int(NOW.timestamp())),
        )
        assert ok.status_code == 200 and ok.text == "1616140317555161061"
        bad = w.wecom.verify_query("x", int(NOW.timestamp())) | {"msg_signature": "0" * 40}
        assert (await w.http.get("/webhooks/wecom", params=bad)).status_code == 403


@pytest.mark.parametrize(("forge", "age"), [(True, 0), (False, 3600), (False, -3600)])
async def test_forged_or_stale_pushes_are_refused_and_nothing_stored(
    db: Database, forge: bool, age: int
) -> None:
    async with staff_world(db.url) as w:
        resp = await w.says(LI, "帮助", forge=forge, age=age)
        assert resp.status_code == 403 and "Traceback" not in resp.text
        await w.run()
        assert w.wecom.state.messages == []


async def test_a_repeated_push_is_one_message(db: Database) -> None:
    async with staff_world(db.url) as w:
        xml = w.wecom.text_xml(LI, "帮助", 77, int(NOW.timestamp()))
        for _ in range(3):
            assert (await w.push(xml)).status_code == 200
        await w.run()
        assert len(w.texts(LI)) == 1


async def test_an_unlinked_wecom_user_is_an_unknown_sender(db: Database) -> None:
    async with staff_world(db.url, users={LI, CHEN, "stranger"}) as w:
        await w.says("stranger", "待访")  # a director's command
        await w.run()
        replies = "\n".join(w.texts("stranger"))
        assert "未登记" in replies and "A0" not in replies and "走访" not in replies, replies


async def test_the_token_is_shared_and_refetched_once_when_wecom_expires_it(db: Database) -> None:
    async with staff_world(db.url) as w:
        await w.says(LI, "帮助")
        await w.run()
        await w.says(LI, "帮助")
        await w.run()
        assert w.wecom.state.gettoken_calls == 1 and len(w.texts(LI)) == 2
        # another process on the same database uses the same token
        other = build_app(w.app.settings, clock=w.clock, console=False)
        try:
            client = other.channels["wecom"].client  # type: ignore[attr-defined]
            assert await client.token() == next(iter(w.wecom.state.valid_tokens))
        finally:
            await other.stop()
        w.wecom.state.expire_tokens()
        await w.says(LI, "帮助")
        await w.run()
        assert w.wecom.state.gettoken_calls == 2 and len(w.texts(LI)) == 3


async def test_a_burst_to_one_member_is_paced_never_dropped(db: Database) -> None:
    """WeCom drops silently past 30 a minute per member: the outbox paces, nothing is lost."""
    async with staff_world(db.url) as w:
        for i in range(45):
            await w.says(LI, "帮助" if i % 2 else "待访")
        await w.run()
        assert w.wecom.state.dropped == []
        assert len(w.wecom.state.to(LI)) >= 45


async def test_director_outside_the_apps_range_falls_back_to_sms_templates(db: Database) -> None:
    async with staff_world(db.url, users={CHEN}) as w:  # 李主任 not in the app's visible range
        await w.says(LI, "帮助")
        await w.run()
        assert w.texts(LI) == []
        # the reply went to the person's next channel: SMS, as an approved template
        sent = w.sms(DIRECTOR)
        assert len(sent) == 1, sent
        assert sent[0].template.startswith("SMS_DEMO")


async def test_an_unanswered_card_goes_again_by_sms_after_the_deadline(db: Database) -> None:
    from bot.mainland.hooks import sms_after_unanswered_cards

    async with staff_world(db.url) as w:
        await w.says(LI, "走访 A04 差 电话 昨天 失学 备注 父亲联系不上")
        await w.run()
        assert len(w.cards(CHEN)) == 1 and w.sms(HOTLINE) == []
        channels = w.app.channels
        assert await sms_after_unanswered_cards(w.app.db, w.clock.now(), channels) == 0
        w.clock.advance(hours=2)  # past the acknowledgement deadline
        assert await sms_after_unanswered_cards(w.app.db, w.clock.now(), channels) == 1
        assert await sms_after_unanswered_cards(w.app.db, w.clock.now(), channels) == 0  # once
        await w.run()
        [sent] = w.sms(HOTLINE)
        assert any("C26" in v for v in sent.params.values())
