"""A tiny roster for reminder tests: one village, a director, guardians and children."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import count

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import Application
from bot.clock import FakeClock
from bot.core_data import load_schedule
from bot.reply_json import reply_from_json
from dialogs.render import render
from dialogs.types import Channel, Inbound
from storage.models import (
    Area,
    ChannelAddress,
    Child,
    DoseGiven,
    GuardianLink,
    OutboxMessage,
    Person,
    ReminderDelivery,
)

_ids = count(1)
ON_TIME_DAYS = 21  # `child(records=None)`: doses due this long before now were given on time


@dataclass
class Roster:
    session: AsyncSession
    now: datetime
    area: Area | None = None
    director: Person | None = None
    phones: int = 0
    children: list[Child] = field(default_factory=list)

    async def setup(self, region: str = "530100", tz: str = "Asia/Shanghai") -> Roster:
        self.area = Area(
            code=f"T-{region}", name="村", level="village", region_code=region, timezone=tz
        )
        self.session.add(self.area)
        await self.session.flush()
        self.director = await self.person("director")
        return self

    async def person(self, role: str = "guardian", **kw: object) -> Person:
        self.phones += 1
        assert self.area is not None
        values: dict[str, object] = {
            "name": f"{role}{self.phones}",
            "role": role,
            "phone": f"+86139{self.phones:08d}",
            "area_id": self.area.id,
            "created_at": self.now,
            "locale": "zh_Hans",
        }
        person = Person(**(values | kw))
        self.session.add(person)
        await self.session.flush()
        return person

    async def child(
        self,
        birth: date,
        guardians: list[Person],
        sex: str = "m",
        records: Mapping[str, date | None] | None = None,
        **kw: object,
    ) -> Child:
        """A child whose doses due more than 3 weeks ago were given on time (`records`
        replaces that record; `{}` for none), so only what falls due now is reminded."""
        assert self.area is not None and self.director is not None
        n = len(self.children) + 1
        values: dict[str, object] = {
            "code": f"C{n}",
            "name": f"孩子{n}",
            "display_name": f"小{n}",
            "sex": sex,
            "birth_date": birth,
            "area_id": self.area.id,
            "director_id": self.director.id,
            "created_at": self.now,
            "consent_at": self.now,  # guardian consent on record (consent_at=None: none)
            "consent_method": "in_person",
        }
        child = Child(**(values | kw))
        self.session.add(child)
        await self.session.flush()
        for priority, guardian in enumerate(guardians, start=1):
            self.session.add(
                GuardianLink(
                    child_id=child.id, guardian_id=guardian.id, relation="parent", priority=priority
                )
            )
        if records is None:
            today = self.now.date()
            edition = load_schedule().in_force(today)
            records = {
                e.code: e.due_date(birth)
                for e in edition.entries
                if e.due_date(birth) < today - timedelta(days=ON_TIME_DAYS)
                and (e.group is None or e.vaccine in ("JE-L", "HepA-L"))
                and e.applies_to(sex)
            }
        for code, given_on in records.items():
            self.session.add(
                DoseGiven(
                    child_id=child.id,
                    code=code,
                    given_on=given_on,
                    source="import",
                    recorded_at=self.now,
                )
            )
        await self.session.flush()
        self.children.append(child)
        return child

    async def opt_out(self, person: Person, *, unreachable: bool = False) -> None:
        """They said stop (or, `unreachable`, the provider said the number is dead)."""
        assert person.phone
        self.session.add(
            ChannelAddress(
                channel="console",
                address=person.phone,
                person_id=person.id,
                opted_out_at=None if unreachable else self.now,
                unreachable_at=self.now if unreachable else None,
                created_at=self.now,
            )
        )
        await self.session.flush()


async def outbox_rows(app: Application) -> list[OutboxMessage]:
    async with app.db.transaction() as s:
        rows = await s.execute(select(OutboxMessage).order_by(OutboxMessage.id))
        return list(rows.scalars())


async def ledger(app: Application) -> list[ReminderDelivery]:
    async with app.db.transaction() as s:
        rows = await s.execute(select(ReminderDelivery).order_by(ReminderDelivery.id))
        return list(rows.scalars())


async def count(app: Application, model: type) -> int:
    async with app.db.transaction() as s:
        return int((await s.execute(select(func.count()).select_from(model))).scalar_one())


def fake(app: Application) -> FakeClock:
    assert isinstance(app.clock, FakeClock)
    return app.clock


async def say(app: Application, person: Person, text: str) -> None:
    """`person` writes `text` on the console channel, now."""
    assert person.phone
    await app.service.handle(
        Inbound(Channel.CONSOLE, person.phone, f"r{next(_ids)}", app.clock.now(), text)
    )


def text_of(app: Application, message: dict[str, object]) -> str:
    """An outbox row's message as the numbered SMS text."""
    return render(reply_from_json(message), app.catalog, "zh_Hans", "numbered").text
