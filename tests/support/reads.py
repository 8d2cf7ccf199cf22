"""Read back what an application stored and sent, as tests check it."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import Application
from storage.models import Child, OutboxMessage


async def sent_texts(app: Application, address: str) -> list[str]:
    """Every text sent to `address` so far, in order (dispatching what is queued first)."""
    await app.dispatcher.run_until_idle()
    async with app.db.transaction() as s:
        rows = await s.execute(
            select(OutboxMessage.text)
            .where(OutboxMessage.address == address, OutboxMessage.status == "sent")
            .order_by(OutboxMessage.id)
        )
        return [t or "" for t in rows.scalars()]


async def child(app: Application, code: str) -> Child:
    async with app.db.transaction() as s:
        return (await s.execute(select(Child).where(Child.code == code))).scalar_one()
