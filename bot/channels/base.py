"""The channel contract. A channel is one small module implementing `ChannelAdapter`.

See docs/channels.md. Inbound parsing is per transport (a webhook form, a Telegram update,
the simulator); every path ends in one `dialogs.types.Inbound` handed to the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from content.errors import ChannelError
from dialogs.render import Rendered, Style
from dialogs.types import Channel


class SendFailure(StrEnum):
    """What a failed send means, decided by the adapter; the dispatcher acts on it alone."""

    RETRY = "retry"  # passes (network, 5xx, 429): try again with backoff, then failed
    DEFER = "defer"  # a per-recipient frequency limit: send again at `defer_until`
    PERMANENT = "permanent"  # this message will never go: failed, with the code
    OPTED_OUT = "opted_out"  # the recipient unsubscribed at the provider: failed, address opted out
    UNREACHABLE = "unreachable"  # blocked us, no such chat/number: failed, address unreachable
    REROUTE = "reroute"  # this channel cannot carry it (no template): offered to the next channel


class SendError(ChannelError):
    """A failed send of one `kind` (docs/errors.md). `may_have_sent`: the request may have
    reached the provider (a timeout, a 5xx), so a retry can duplicate it; the dispatcher
    records that on the outbox row."""

    def __init__(
        self,
        message: str,
        kind: SendFailure,
        *,
        code: str | None = None,
        retry_after: float | None = None,
        may_have_sent: bool = False,
        defer_until: datetime | None = None,
    ) -> None:
        super().__init__(message)
        if (kind is SendFailure.DEFER) != (defer_until is not None):
            raise ValueError("defer_until is given with, and only with, SendFailure.DEFER")
        self.kind = kind
        self.code = code
        # Pause the whole channel this long (a 429); also the retry's backoff.
        self.retry_after = retry_after
        self.may_have_sent = may_have_sent
        # DEFER: send this row again then (no hot retry, no pause of the whole channel, not
        # counted as an attempt).
        self.defer_until = defer_until

    @classmethod
    def uncertain(cls, message: str, code: str) -> SendError:
        """Retryable, and the request may have reached the provider (a timeout, a dropped
        connection, a 5xx): recorded as possibly sent."""
        return cls(message, SendFailure.RETRY, code=code, may_have_sent=True)


@dataclass(frozen=True, slots=True)
class SendResult:
    provider_id: str
    template_version_id: int | None = None  # the registry version a template gateway used


@dataclass(frozen=True, slots=True)
class RateLimits:
    per_second: float  # whole channel; 0 = no limit
    per_address_per_second: float = 0.0  # one chat/number; 0 = no limit


class ChannelAdapter(Protocol):
    name: Channel
    style: Style  # "buttons" or "numbered"
    limits: RateLimits

    async def send(self, address: str, message: Rendered) -> SendResult:
        """Send one message; raise SendError (classified) on failure."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class TemplateMessage:
    """What a template gateway needs: the catalog key and its parameters as strings (rendered
    in the recipient's locale), besides the free text that a text channel would send."""

    key: str
    params: Mapping[str, str]
    text: str
    locale: str
    ref: str  # our correlation id (the outbox row): Alibaba OutId, Tencent SessionContext


@runtime_checkable
class TemplateChannelAdapter(ChannelAdapter, Protocol):
    """A channel of the template kind (mainland SMS): the dispatcher calls `send_template`."""

    async def send_template(self, address: str, message: TemplateMessage) -> SendResult: ...


@runtime_checkable
class MergingChannelAdapter(TemplateChannelAdapter, Protocol):
    """A template channel that can carry several messages of a kind as one (WeCom: a burst of
    hotline alerts to one member becomes one card, so its per-member limit never drops or
    holds back an alert). The dispatcher merges the rows of one address claimed together."""

    max_merge: int  # at most this many messages in one

    def mergeable(self, key: str, params: Mapping[str, object]) -> bool: ...

    async def send_merged(
        self, address: str, messages: Sequence[TemplateMessage]
    ) -> SendResult: ...
