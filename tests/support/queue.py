"""Fill the outbox with numbered messages (dispatcher tests, e2e processes, bench runs)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reply_json import reply_to_json
from content.replies import Reply
from dialogs.types import Channel, Lane
from storage.repos import outbox


async def enqueue_numbered(
    session: AsyncSession,
    n: int,
    *,
    channel: Channel,
    lane: Lane,
    now: datetime,
    address: Callable[[int], str],
) -> None:
    """`n` rows, the i-th a `choice.invalid` reply with count i, sent to `address(i)`."""
    for i in range(n):
        await outbox.enqueue(
            session,
            channel=channel,
            address=address(i),
            message=reply_to_json(Reply("choice.invalid", {"count": i})),
            lane=lane,
            now=now,
        )
