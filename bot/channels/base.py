"""The channel contract. A channel is one small module implementing `ChannelAdapter`.

See docs/channels.md. Inbound parsing is per transport (a webhook form, a Telegram update,
the simulator); every path ends in one `dialogs.types.Inbound` handed to the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

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
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.code = code
        self.retry_after = retry_after
        self.unreachable = unreachable
        self.opted_out = opted_out
        self.may_have_sent = may_have_sent


@dataclass(frozen=True, slots=True)
class SendResult:
    provider_id: str


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
