"""A Careline application wired to the mainland stand-ins (Alibaba, Tencent, WeCom)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import delete, func, select

from bot.app import Application, build_app
from bot.clock import FakeClock
from bot.mainland.registry import seed_demo_registry
from bot.web.server import create_web_app
from storage.models import InboundMessage, OutboxMessage, SmsTemplate
from storage.repos import mainland as registry_repo
from tests.standins.mainland_sms import AliyunSmsStandin, Sent, TencentSmsStandin
from tests.support.apps import make_settings

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in China
PUBLIC = "http://careline.test"
ALI_TOKEN = "ali-callback-token-0123456789"
TC_TOKEN = "tc-callback-token-0123456789"
SIGN = "护苗示例"


def sms_settings(ali: AliyunSmsStandin | None, tc: TencentSmsStandin | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if ali is not None:
        values |= {
            "aliyun_sms_access_key_id": "LTAI-test",
            "aliyun_sms_access_key_secret": "secret-test",
            "aliyun_sms_sign_name": SIGN,
            "aliyun_sms_api_base": ali.base_url,
            "aliyun_sms_callback_token": ALI_TOKEN,
        }
    if tc is not None:
        values |= {
            "tencent_sms_secret_id": "AKID-test",
            "tencent_sms_secret_key": "key-test",
            "tencent_sms_sdk_app_id": "1400000001",
            "tencent_sms_sign_name": SIGN,
            "tencent_sms_api_base": tc.base_url,
            "tencent_sms_callback_token": TC_TOKEN,
        }
    return values


@dataclass
class World:
    app: Application
    clock: FakeClock
    http: httpx.AsyncClient
    ali: AliyunSmsStandin
    tc: TencentSmsStandin
    extra: dict[str, Any] = field(default_factory=dict)

    async def run(self) -> None:
        """Dispatch everything due now (the stand-ins answer over real HTTP)."""
        await self.app.dispatcher.run_until_idle(max_rounds=20)

    async def post(self, path: str, body: Any) -> httpx.Response:
        return await self.http.post(path, json=body)

    def sent(self, phone: str | None = None) -> list[Sent]:
        out = self.ali.state.sent + self.tc.state.sent
        if phone is None:
            return out
        national = phone.removeprefix("+86")
        return [s for s in out if s.phone in (phone, national)]

    async def rows(self, **where: Any) -> list[OutboxMessage]:
        async with self.app.db.transaction() as s:
            stmt = select(OutboxMessage).order_by(OutboxMessage.id)
            for k, v in where.items():
                stmt = stmt.where(getattr(OutboxMessage, k) == v)
            return list((await s.execute(stmt)).scalars())

    async def inbound_count(self) -> int:
        async with self.app.db.transaction() as s:
            return int(
                (await s.execute(select(func.count()).select_from(InboundMessage))).scalar_one()
            )

    async def drop_templates(self, key: str) -> None:
        async with self.app.db.transaction() as s:
            await s.execute(delete(SmsTemplate).where(SmsTemplate.key == key))


async def register_templates(
    app: Application, *standins: AliyunSmsStandin | TencentSmsStandin
) -> None:
    """The demo registry in Careline, and the same templates approved at the stand-ins."""
    await seed_demo_registry(
        app.db, app.catalog, app.clock.now(), sign_names={"aliyun": SIGN, "tencent": SIGN}
    )
    async with app.db.transaction() as s:
        rows = await registry_repo.all_templates(s)
    for standin in standins:
        for row in rows:
            if row.provider == standin.state.provider:
                standin.state.templates[row.template_code] = (row.sign_name, row.text, "1")


@asynccontextmanager
async def mainland_world(db_url: str, **overrides: Any) -> AsyncIterator[World]:
    clock = FakeClock(NOW)
    with AliyunSmsStandin() as ali, TencentSmsStandin() as tc:
        console = overrides.pop("console", True)
        settings = make_settings(db_url, public_url=PUBLIC, **(sms_settings(ali, tc) | overrides))
        app = build_app(settings, clock=clock, console=console)
        await register_templates(app, ali, tc)
        web = create_web_app(app, background=False)
        transport = httpx.ASGITransport(app=web)
        try:
            async with httpx.AsyncClient(transport=transport, base_url=PUBLIC) as http:
                yield World(app, clock, http, ali, tc)
        finally:
            await app.stop()
