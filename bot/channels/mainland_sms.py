"""Mainland SMS: one `sms` channel of the template kind over Alibaba Cloud then Tencent Cloud.

- A key is sent only with an approved template of a configured provider (the registry);
  never as free text. No approved template anywhere: `SendFailure.REROUTE`, so the
  dispatcher offers the message to the person's next channel or holds it.
- Provider 1 refusing for reasons that are not the recipient's (quota, balance, outage,
  a template problem at that provider) → provider 2. A recipient's frequency limit defers
  the row to the next window; a blacklisted number is "carrier blocked" (no more SMS, the
  child's director is asked to call); a bad number is unreachable.
- Numbers outside +86 go to the text channel given as `abroad` (Twilio), if any.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.channels.base import (
    ChannelAdapter,
    RateLimits,
    SendError,
    SendFailure,
    SendResult,
    TemplateMessage,
)
from bot.clock import Clock
from content.errors import ChannelError
from content.sms_templates import TemplateParamError, TemplateSpec, provider_params
from dialogs.render import Rendered, Style
from dialogs.types import Channel

log = logging.getLogger(__name__)
CHINA = ZoneInfo("Asia/Shanghai")  # the providers' calendar windows are UTC+8


class ErrorClass(StrEnum):
    RETRY = "retry"  # transient: outage, 5xx, network → retry (and fail over now)
    DEFER = "defer"  # per-recipient frequency limit → the next window, never hot-retry
    ACCOUNT = "account"  # quota, balance, credentials, IP allowlist → fail over, page ops
    PERMANENT = "permanent"  # template/signature/parameter problem at this provider
    BAD_NUMBER = "bad_number"  # not a valid mobile number
    BLOCKED = "blocked"  # carrier blacklist / do-not-disturb: carrier blocked


FAILOVER = frozenset({ErrorClass.RETRY, ErrorClass.ACCOUNT, ErrorClass.PERMANENT})


class ProviderError(ChannelError):
    def __init__(
        self, provider: str, code: str, message: str, kind: ErrorClass, window: str | None = None
    ) -> None:
        super().__init__(f"{provider}: {code} {message}".strip())
        self.provider = provider
        self.code = code
        self.kind = kind
        self.window = window  # for DEFER: "30s" | "minute" | "hour" | "day"


def next_window(now: datetime, window: str | None) -> datetime:
    """The start of the provider's next counting window (calendar windows in UTC+8)."""
    local = now.astimezone(CHINA)
    if window == "30s":
        return now + timedelta(seconds=30)
    if window == "minute":
        start = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    elif window == "day":
        start = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    else:  # "hour", and an unknown window: the next hour
        start = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return start.astimezone(now.tzinfo)


class SmsProvider(Protocol):
    name: str

    async def send(
        self, phone: str, spec: TemplateSpec, params: dict[str, str] | list[str], ref: str
    ) -> str:
        """Send one template SMS; the provider's id (BizId / SerialNo). Raise ProviderError."""
        ...

    async def close(self) -> None: ...


TemplateSource = Callable[[str], Awaitable[Mapping[str, TemplateSpec]]]
BlockedHook = Callable[[str, str], Awaitable[None]]


# Delivery-report codes meaning the carrier blocks this number (Alibaba err_code, Tencent
# errmsg): the number is "carrier blocked", no more SMS, the child's director calls.
BLOCKED_REPORT_CODES = frozenset({"W-BLACK", "PhoneNumberInBlacklist", "MK:0012", "DB:0141"})


@dataclass(frozen=True, slots=True)
class Report:
    """One delivery report from either provider."""

    provider_id: str  # as on the outbox row: "<provider>:<BizId|SerialNo>"
    phone: str
    success: bool
    code: str | None
    dedup_key: str
    out_id: str | None  # our outbox row id (OutId / SessionContext)
    at: datetime

    @property
    def blocked(self) -> bool:
        return (self.code or "") in BLOCKED_REPORT_CODES


def is_mainland(address: str) -> bool:
    return address.startswith("+86")


@dataclass
class MainlandSmsChannel:
    providers: Sequence[SmsProvider]
    templates: TemplateSource  # key -> {provider: approved spec}
    clock: Clock
    limits: RateLimits
    abroad: ChannelAdapter | None = None  # Twilio, for numbers outside the mainland
    on_blocked: BlockedHook | None = None
    name: Channel = Channel.SMS
    style: Style = "numbered"

    async def send(self, address: str, message: Rendered) -> SendResult:
        """Free text: only abroad. A mainland number gets templates only."""
        if not is_mainland(address) and self.abroad is not None:
            return await self.abroad.send(address, message)
        raise SendError(
            "mainland SMS carries approved templates only",
            SendFailure.REROUTE,
            code="template_missing",
        )

    async def send_template(self, address: str, message: TemplateMessage) -> SendResult:
        if not is_mainland(address):
            if self.abroad is None:
                raise SendError(
                    f"no SMS channel for {address[:4]}… numbers",
                    SendFailure.PERMANENT,
                    code="no_route",
                )
            return await self.abroad.send(address, Rendered(message.text))
        specs = await self.templates(message.key)
        errors: list[ProviderError] = []
        for provider in self.providers:
            spec = specs.get(provider.name)
            if spec is None or not spec.approved:
                continue
            try:
                params = provider_params(spec, message.params)
            except TemplateParamError as exc:
                log.error("sms %s/%s: %s", provider.name, message.key, exc)
                errors.append(
                    ProviderError(provider.name, exc.code, str(exc), ErrorClass.PERMANENT)
                )
                continue
            try:
                provider_id = await provider.send(address, spec, params, message.ref)
            except ProviderError as exc:
                log.warning("sms via %s: %s (%s)", provider.name, exc.code, exc.kind)
                if exc.kind in FAILOVER:
                    errors.append(exc)
                    continue
                raise await self._recipient_error(address, exc) from exc
            return SendResult(
                provider_id=f"{provider.name}:{provider_id}", template_version_id=spec.version_id
            )
        if not errors:
            raise SendError(
                f"no approved template for {message.key!r}",
                SendFailure.REROUTE,
                code="template_missing",
            )
        last = errors[-1]
        transient = any(e.kind == ErrorClass.RETRY for e in errors)
        raise SendError(
            "; ".join(str(e) for e in errors)[:500],
            SendFailure.RETRY if transient else SendFailure.PERMANENT,
            code=last.code[:32],
            may_have_sent=transient,
        )

    async def _recipient_error(self, address: str, exc: ProviderError) -> SendError:
        if exc.kind == ErrorClass.DEFER:
            return SendError(
                str(exc),
                SendFailure.DEFER,
                code=exc.code[:32],
                defer_until=next_window(self.clock.now(), exc.window),
            )
        if exc.kind == ErrorClass.BLOCKED:
            if self.on_blocked is not None:
                await self.on_blocked(address, exc.code)
            return SendError(str(exc), SendFailure.UNREACHABLE, code="carrier_blocked")
        return SendError(str(exc), SendFailure.UNREACHABLE, code=exc.code[:32])

    async def close(self) -> None:
        for provider in self.providers:
            await provider.close()
        if self.abroad is not None:
            await self.abroad.close()
