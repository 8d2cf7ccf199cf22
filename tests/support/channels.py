"""A scriptable in-memory channel for dispatcher tests (e2e tests use the real clients
against local stand-in servers instead)."""

from __future__ import annotations

import asyncio
from collections import deque

from bot.channels.base import RateLimits, SendError, SendResult
from dialogs.render import Rendered
from dialogs.types import Channel


class RecordingChannel:
    style = "numbered"

    def __init__(self, name: Channel = Channel.SMS, limits: RateLimits | None = None) -> None:
        self.name = name
        self.limits = limits or RateLimits(0)
        self.sent: list[tuple[str, str]] = []
        self.script: deque[SendError] = deque()
        self.counter = 0

    async def send(self, address: str, message: Rendered) -> SendResult:
        await asyncio.sleep(0)
        if self.script:
            raise self.script.popleft()
        self.counter += 1
        self.sent.append((address, message.text))
        return SendResult(provider_id=f"rec-{self.counter}")

    async def close(self) -> None:
        return None
