"""Who is told about a child's reminders.

The primary guardian (guardian_links.priority 1) on a reachable channel; else the next
guardian; else the child's director, as a "please tell the family" task. Guardians who
opted out, are unreachable, marked do-not-contact, inactive, or suppressed by a provider
(e.g. named as suspect in an open case) are skipped. Children marked do-not-contact
never reach this point (the finders leave them out).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reminders.runtime import reminder_runtime
from bot.routing import AddressBook
from storage.models import Child, Person
from storage.repos import reminders as repo

if TYPE_CHECKING:
    from bot.host import Host


@dataclass(frozen=True)
class Recipient:
    person: Person
    channel: str
    address: str
    timezone: str
    is_director: bool = False


async def choose_recipients(
    app: Host, session: AsyncSession, children: Mapping[int, Child], now: datetime
) -> dict[int, Recipient]:
    """child id -> who gets that child's reminders now (absent: nobody can be told)."""
    ids = [c.id for c in children.values() if c.active and not c.do_not_contact]
    guardians = await repo.guardians_of(session, ids)
    suppressed = await reminder_runtime(app).suppressed_guardians(session, ids)
    director_ids = {c.director_id for c in children.values() if c.director_id is not None}
    directors = await repo.people_by_id(session, director_ids)
    area_ids = {c.area_id for c in children.values()}
    area_ids |= {p.area_id for ps in guardians.values() for p in ps if p.area_id is not None}
    zones = await repo.area_timezones(session, area_ids)
    fallback_tz = app.settings.timezone
    # Everyone who may be asked, read in one query; the choices below are made in memory in
    # the order one at a time would make them, then the missing address rows are created
    # in one insert (again if another planner created one meanwhile).
    book = AddressBook(app.channels, now, reminder=True)
    asked = [p for ps in guardians.values() for p in ps if _may_remind(p, suppressed)]
    await book.load(session, [*asked, *directors.values()])

    def choose() -> dict[int, Recipient]:
        chosen: dict[int, Recipient] = {}
        reach: dict[int, Recipient | None] = {}  # person id -> recipient, computed once

        def reachable(person: Person, child: Child, director: bool) -> Recipient | None:
            if person.id not in reach:
                address = book.address(person)
                area = person.area_id if person.area_id is not None else child.area_id
                tz = zones.get(area) or zones.get(child.area_id) or fallback_tz
                reach[person.id] = (
                    Recipient(person, address.channel, address.address, tz, director)
                    if address is not None
                    else None
                )
            found = reach[person.id]
            if found is not None and found.is_director != director:
                return Recipient(
                    found.person, found.channel, found.address, found.timezone, director
                )
            return found

        for child_id in ids:
            child = children[child_id]
            for guardian in guardians[child_id]:
                if not _may_remind(guardian, suppressed):
                    continue
                recipient = reachable(guardian, child, False)
                if recipient is not None:
                    chosen[child_id] = recipient
                    break
            else:
                director = directors.get(child.director_id) if child.director_id else None
                if director is not None:
                    recipient = reachable(director, child, True)
                    if recipient is not None:
                        chosen[child_id] = recipient
        return chosen

    while True:
        chosen = choose()
        if await book.save(session):
            return chosen
        book.reset()


def _may_remind(guardian: Person, suppressed: Collection[int]) -> bool:
    return guardian.id not in suppressed and guardian.role == "guardian"
