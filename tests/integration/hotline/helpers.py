"""Shared steps for the hotline integration tests: a demo app, messages, case reads."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from sqlalchemy import select

from bot.app import Application
from dialogs.types import Channel, Inbound
from storage.models import Case, CaseEvent, OutboxMessage, Person
from storage.repos.cases import add_shift
from tests.support.reads import sent_texts

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
DIRECTOR = "+8613800000002"
HOTLINE = "+8613800000004"
SUPERVISOR = "+8613800000001"
GUARDIAN_LIU = "+8613800000012"
UNKNOWN = "+8613999999999"
SECOND = "+8613800000099"  # a second hotline person, on duty too (add_second_hotline)
_ids = count(1)


async def say(app: Application, text: str, phone: str = DIRECTOR) -> None:
    await app.service.handle(
        Inbound(
            channel=Channel.CONSOLE,
            address=phone,
            provider_id=f"m{next(_ids)}",
            received_at=app.clock.now(),
            text=text,
        )
    )


async def open_case(app: Application, text: str = "A04被打了一顿") -> str:
    """A director's report that opens a case; its ref."""
    await say(app, text)
    return (await cases(app))[-1].ref


async def outbox_rows(app: Application, phone: str) -> list[OutboxMessage]:
    async with app.db.transaction() as s:
        rows = await s.execute(
            select(OutboxMessage).where(OutboxMessage.address == phone).order_by(OutboxMessage.id)
        )
        return list(rows.scalars())


async def texts(app: Application, phone: str) -> list[str]:
    """Everything sent to `phone` so far (dispatching what is queued first)."""
    return await sent_texts(app, phone)


async def cases(app: Application) -> list[Case]:
    async with app.db.transaction() as s:
        return list((await s.execute(select(Case).order_by(Case.id))).scalars())


async def events(app: Application, case_id: int) -> list[CaseEvent]:
    async with app.db.transaction() as s:
        rows = await s.execute(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        )
        return list(rows.scalars())


async def kinds(app: Application, case_id: int) -> list[str]:
    return [e.kind for e in await events(app, case_id)]


async def person_id(app: Application, phone: str) -> int:
    async with app.db.transaction() as s:
        return int((await s.execute(select(Person.id).where(Person.phone == phone))).scalar_one())


async def add_second_hotline(app: Application) -> None:
    """吴热线 (SECOND), a second hotline person on duty from NOW, beside the demo's 陈热线."""
    async with app.db.transaction() as session:
        other = Person(name="吴热线", role="hotline", phone=SECOND, created_at=NOW)
        session.add(other)
        await session.flush()
        await add_shift(session, other.id, level=1, starts_at=NOW)
