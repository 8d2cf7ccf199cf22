"""Build the mainland channels from settings (called by bot.app.build_channels)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.channels.aliyun_sms import AliyunSms
from bot.channels.base import ChannelAdapter, RateLimits
from bot.channels.mainland_sms import MainlandSmsChannel, SmsProvider
from bot.channels.tencent_sms import TencentSms
from bot.clock import Clock
from bot.config import Settings
from bot.mainland.registry import Registry
from dialogs.types import Channel
from storage.db import Database

log = logging.getLogger(__name__)


class LateHook:
    """A hook the capability fills in at install time (it needs the whole application)."""

    def __init__(self) -> None:
        self.target: Callable[[str, str], Awaitable[None]] | None = None

    async def __call__(self, phone: str, code: str) -> None:
        if self.target is not None:
            await self.target(phone, code)


def sms_providers(settings: Settings) -> list[SmsProvider]:
    providers: list[SmsProvider] = []
    if settings.aliyun_sms_enabled:
        assert settings.aliyun_sms_access_key_id and settings.aliyun_sms_access_key_secret
        providers.append(
            AliyunSms(
                access_key_id=settings.aliyun_sms_access_key_id,
                access_key_secret=settings.aliyun_sms_access_key_secret,
                api_base=settings.aliyun_sms_api_base,
            )
        )
    if settings.tencent_sms_enabled:
        assert settings.tencent_sms_secret_id and settings.tencent_sms_secret_key
        providers.append(
            TencentSms(
                secret_id=settings.tencent_sms_secret_id,
                secret_key=settings.tencent_sms_secret_key,
                sdk_app_id=settings.tencent_sms_sdk_app_id or "",
                api_base=settings.tencent_sms_api_base,
            )
        )
    return providers


def add_mainland_channels(
    channels: dict[str, ChannelAdapter], settings: Settings, db: Database, clock: Clock
) -> None:
    """With a mainland SMS provider configured, `sms` is the template channel (+86 numbers
    through Alibaba then Tencent, other numbers through Twilio when it is configured)."""
    providers = sms_providers(settings)
    if providers:
        twilio = channels.get(Channel.SMS)
        channels[Channel.SMS] = MainlandSmsChannel(
            providers=providers,
            templates=Registry(db).approved,
            clock=clock,
            limits=RateLimits(settings.mainland_sms_rate),
            abroad=twilio,
            on_blocked=LateHook(),
        )
        abroad = "Twilio" if twilio is not None else "none"
        log.info(
            "mainland SMS: %s for +86 (templates only); other numbers: %s",
            " → ".join(p.name for p in providers),
            abroad,
        )
    if settings.wecom_enabled:
        from bot.channels.wecom import build_wecom_channel

        channels[Channel.WECOM] = build_wecom_channel(settings, db, clock)
        callback = "on" if settings.wecom_token else "off (no CARELINE_WECOM_TOKEN)"
        log.info("WeCom: corp %s, agent %s, callbacks %s", settings.wecom_corp_id,
                 settings.wecom_agent_id, callback)  # fmt: skip
