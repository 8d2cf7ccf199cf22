"""The channel contract. A channel is one small module implementing `ChannelAdapter`.

See docs/channels.md. Inbound parsing is per transport (a webhook form, a Telegram update,
the simulator); every path ends in one `dialogs.types.Inbound` handed to the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from dialogs.render import Rendered, Style
from dialogs.types import Channel


class SendError(Exception):
    """A failed send, classified. `retryable` decides between "try later" and "failed"."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        code: str | None = None,
        retry_after: float | None = None,
        unreachable: bool = False,
        opted_out: bool = False,
        may_have_sent: bool = False,
        defer_until: datetime | None = None,
        reroute: bool = False,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.code = code
        self.retry_after = retry_after
        self.unreachable = unreachable
        self.opted_out = opted_out
        self.may_have_sent = may_have_sent
        # A per-recipient frequency limit: send this row again then (no hot retry, no pause
        # of the whole channel, not counted as an attempt).
        self.defer_until = defer_until
        # Nothing this channel may send carries the message (no approved template): the
        # dispatcher offers it to the person's next channel, or holds it for administrators.
        self.reroute = reroute


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
