"""The local console channel: the simulator page and `careline chat`.

Sending only marks the outbox row sent: the simulator reads its conversation back from
the outbox, so the console exercises exactly the path real channels take.
"""

from __future__ import annotations

import uuid

from bot.channels.base import RateLimits, SendResult
from dialogs.render import Rendered, Style
from dialogs.types import Channel


class ConsoleChannel:
    name = Channel.CONSOLE
    style: Style = "numbered"

    def __init__(self, limits: RateLimits | None = None) -> None:
        self.limits = limits or RateLimits(0.0)

    async def send(self, address: str, message: Rendered) -> SendResult:
        return SendResult(provider_id="console-" + uuid.uuid4().hex[:16])

    async def close(self) -> None:
        return None
