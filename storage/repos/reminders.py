"""Reminder storage: doses given, acknowledgements, the delivery ledger, editable schedules.

The queries the planner runs are range queries on indexed dates (`children.birth_date`,
`children.residence_permit_issued_on`) and look-ups by child id, so their cost follows the
number of reminders due, not the number of children registered.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Area,
    CalendarOverride,
    Child,
    Conversation,
    DoseGiven,
    GuardianLink,
    HolidayArrangement,
    ImmunizationEdition,
    OutboxMessage,
    Person,
    PlannerMark,
    ReminderAck,
    ReminderDelivery,
)
from storage.repos.sql import dialect_of, insert_ignore

DateRange = tuple[date, date]
PENDING, QUEUED, NOBODY, RESOLVED = "pending", "queued", "nobody", "resolved"
NO_CONSENT = "no_consent"  # closed: the child has no guardian consent on record (bot.privacy)
DELIVERY_STATUSES = (PENDING, QUEUED, NOBODY, RESOLVED, NO_CONSENT)  # every one stored


def _eligible(stmt: Select[Any]) -> Select[Any]:
    return stmt.where(Child.active.is_(True), Child.do_not_contact.is_(False))


async def children_born_in(session: AsyncSession, ranges: Sequence[DateRange]) -> list[Child]:
    """Active, contactable children born in any of the (inclusive) ranges."""
    if not ranges:
        return []
    cond = or_(*(Child.birth_date.between(lo, hi) for lo, hi in ranges))
    return list((await session.execute(_eligible(select(Child).where(cond)))).scalars())


async def children_with_doses_given_in(
    session: AsyncSession, ranges: Sequence[DateRange]
) -> list[Child]:
    """Active, contactable children with a dose recorded as given in any of the ranges."""
    if not ranges:
        return []
    cond = or_(*(DoseGiven.given_on.between(lo, hi) for lo, hi in ranges))
    ids = select(DoseGiven.child_id).where(cond).distinct()
    stmt = _eligible(select(Child).where(Child.id.in_(ids)))
    return list((await session.execute(stmt)).scalars())


async def children_registered_since(session: AsyncSession, since: datetime) -> list[Child]:
    """Active, contactable children added on or after `since` (their first catch-up plan)."""
    stmt = _eligible(select(Child).where(Child.created_at >= since))
    return list((await session.execute(stmt)).scalars())


async def children_in_regions_born_in(
    session: AsyncSession, region_codes: Collection[str], born: DateRange | None = None
) -> list[tuple[Child, str]]:
    """Children (with their area's region code) in areas of these regions."""
    if not region_codes:
        return []
    stmt = (
        select(Child, Area.region_code)
        .join(Area, Area.id == Child.area_id)
        .where(Area.region_code.in_(list(region_codes)))
    )
    if born is not None:
        stmt = stmt.where(Child.birth_date.between(*born))
    rows = await session.execute(_eligible(stmt))  # type: ignore[arg-type]
    return [(c, str(r)) for c, r in rows.all()]  # type: ignore[misc]


async def children_permit_issued_in(
    session: AsyncSession, ranges: Sequence[DateRange]
) -> list[tuple[Child, str | None]]:
    if not ranges:
        return []
    cond = or_(*(Child.residence_permit_issued_on.between(lo, hi) for lo, hi in ranges))
    stmt = select(Child, Area.region_code).join(Area, Area.id == Child.area_id).where(cond)
    rows = await session.execute(_eligible(stmt))  # type: ignore[arg-type]
    return [(c, r) for c, r in rows.all()]  # type: ignore[misc]


async def region_codes(session: AsyncSession) -> list[str]:
    rows = await session.execute(select(Area.region_code).distinct())
    return sorted({str(r) for r in rows.scalars() if r})


async def area_timezones(session: AsyncSession, area_ids: Collection[int]) -> dict[int, str]:
    if not area_ids:
        return {}
    rows = await session.execute(select(Area.id, Area.timezone).where(Area.id.in_(area_ids)))
    return {i: tz for i, tz in rows.all()}


async def doses_for(
    session: AsyncSession, child_ids: Collection[int]
) -> dict[int, dict[str, date | None]]:
    result: dict[int, dict[str, date | None]] = {i: {} for i in child_ids}
    if not child_ids:
        return result
    rows = await session.execute(
        select(DoseGiven.child_id, DoseGiven.code, DoseGiven.given_on).where(
            DoseGiven.child_id.in_(list(child_ids))
        )
    )
    for child_id, code, given_on in rows.all():
        result[child_id][code] = given_on
    return result


async def acks_for(
    session: AsyncSession, child_ids: Collection[int], kinds: Collection[str]
) -> set[tuple[int, str, str]]:
    if not child_ids:
        return set()
    rows = await session.execute(
        select(ReminderAck.child_id, ReminderAck.kind, ReminderAck.item).where(
            ReminderAck.child_id.in_(list(child_ids)), ReminderAck.kind.in_(list(kinds))
        )
    )
    return set(rows.all())


async def record_dose(
    session: AsyncSession,
    child_id: int,
    code: str,
    given_on: date | None,
    source: str,
    now: datetime,
) -> None:
    await session.execute(
        insert_ignore(session, DoseGiven.__table__, ["child_id", "code"]).values(  # type: ignore[arg-type]
            child_id=child_id, code=code, given_on=given_on, source=source, recorded_at=now
        )
    )


async def record_ack(
    session: AsyncSession, child_id: int, kind: str, item: str, source: str, now: datetime
) -> None:
    await session.execute(
        insert_ignore(session, ReminderAck.__table__, ["child_id", "kind", "item"]).values(  # type: ignore[arg-type]
            child_id=child_id, kind=kind, item=item, source=source, acked_at=now
        )
    )


async def add_deliveries(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Record due reminders in the ledger; a (child, kind, item, stage) seen before is skipped."""
    if rows:
        stmt = insert_ignore(
            session,
            ReminderDelivery.__table__,  # type: ignore[arg-type]
            ["child_id", "kind", "item", "stage"],
        )
        await session.execute(stmt, list(rows))


async def pending_deliveries(session: AsyncSession, limit: int) -> list[ReminderDelivery]:
    """Ledger rows not yet queued; locked and skipped by a second planner on PostgreSQL."""
    stmt = (
        select(ReminderDelivery)
        .where(ReminderDelivery.outbox_id.is_(None), ReminderDelivery.resolved_at.is_(None))
        .order_by(ReminderDelivery.id)
        .limit(limit)
    )
    if dialect_of(session) == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list((await session.execute(stmt)).scalars())


async def guardians_of(
    session: AsyncSession, child_ids: Collection[int]
) -> dict[int, list[Person]]:
    """Each child's guardians, primary first."""
    result: dict[int, list[Person]] = {i: [] for i in child_ids}
    if not child_ids:
        return result
    rows = await session.execute(
        select(GuardianLink.child_id, Person)
        .join(Person, Person.id == GuardianLink.guardian_id)
        .where(GuardianLink.child_id.in_(list(child_ids)))
        .order_by(GuardianLink.child_id, GuardianLink.priority, GuardianLink.id)
    )
    for child_id, person in rows.all():
        result[child_id].append(person)
    return result


async def people_by_id(session: AsyncSession, ids: Collection[int]) -> dict[int, Person]:
    if not ids:
        return {}
    rows = await session.execute(select(Person).where(Person.id.in_(list(ids))))
    return {p.id: p for p in rows.scalars()}


async def children_by_id(session: AsyncSession, ids: Collection[int]) -> dict[int, Child]:
    if not ids:
        return {}
    rows = await session.execute(select(Child).where(Child.id.in_(list(ids))))
    return {c.id: c for c in rows.scalars()}


async def is_guardian_of(session: AsyncSession, guardian_id: int, child_id: int) -> bool:
    row = await session.execute(
        select(GuardianLink.id).where(
            GuardianLink.guardian_id == guardian_id, GuardianLink.child_id == child_id
        )
    )
    return row.first() is not None


async def resolve_item(
    session: AsyncSession,
    child_id: int,
    kind: str,
    items: Iterable[str],
    now: datetime,
) -> int:
    """Close the ledger rows of an item (all stages) and cancel outbox rows left with nothing.

    Returns the number of outbox rows cancelled.
    """
    items = list(items)
    match = and_(
        ReminderDelivery.child_id == child_id,
        ReminderDelivery.kind == kind,
        ReminderDelivery.item.in_(items),
        ReminderDelivery.resolved_at.is_(None),
    )
    outbox_ids = set(
        (await session.execute(select(ReminderDelivery.outbox_id).where(match))).scalars()
    )
    await session.execute(
        update(ReminderDelivery).where(match).values(resolved_at=now, status=RESOLVED)
    )
    outbox_ids.discard(None)
    if not outbox_ids:
        return 0
    still_open = set(
        (
            await session.execute(
                select(ReminderDelivery.outbox_id).where(
                    ReminderDelivery.outbox_id.in_(outbox_ids),
                    ReminderDelivery.resolved_at.is_(None),
                )
            )
        ).scalars()
    )
    done = [i for i in outbox_ids if i not in still_open]
    if not done:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(done), OutboxMessage.status == "queued")
        .values(status="cancelled")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def edition_rows(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(ImmunizationEdition.data).order_by(ImmunizationEdition.effective_from)
    )
    return [dict(d) for d in rows.scalars()]


async def calendar_rows(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.execute(select(CalendarOverride.data).order_by(CalendarOverride.region))
    return [dict(d) for d in rows.scalars()]


async def lock_conversations(
    session: AsyncSession, pairs: Collection[tuple[str, str]], now: datetime
) -> dict[tuple[str, str], Conversation]:
    """Conversations for many (channel, address) pairs: created if missing, then locked."""
    if not pairs:
        return {}
    await session.execute(
        insert_ignore(session, Conversation.__table__, ["channel", "address"]),  # type: ignore[arg-type]
        [{"channel": c, "address": a, "state": {}, "updated_at": now} for c, a in pairs],
    )
    addresses = sorted({a for _, a in pairs})
    stmt = select(Conversation).where(Conversation.address.in_(addresses)).order_by(Conversation.id)
    if dialect_of(session) == "postgresql":
        stmt = stmt.with_for_update()
    rows = await session.execute(stmt.execution_options(populate_existing=True))
    return {(c.channel, c.address): c for c in rows.scalars() if (c.channel, c.address) in pairs}


async def last_planned(session: AsyncSession, name: str = "default") -> date | None:
    row = await session.execute(select(PlannerMark.last_as_of).where(PlannerMark.name == name))
    return row.scalar_one_or_none()


async def mark_planned(
    session: AsyncSession, as_of: date, now: datetime, name: str = "default"
) -> None:
    """Remember the latest day planned (never moves back: a demo's --as-of in the past)."""
    table = PlannerMark.__table__
    stmt = insert_ignore(session, table, ["name"])  # type: ignore[arg-type]
    await session.execute(stmt.values(name=name, last_as_of=as_of, updated_at=now))
    await session.execute(
        update(PlannerMark)
        .where(PlannerMark.name == name, PlannerMark.last_as_of < as_of)
        .values(last_as_of=as_of, updated_at=now)
    )


async def last_sent_reminder_items(
    session: AsyncSession, person_id: int
) -> frozenset[tuple[int, str, str]] | None:
    """(child, kind, item) of the last reminder message actually sent to this person; None
    when none was sent (a reminder still queued, e.g. for 08:00, does not count)."""
    last = (
        await session.execute(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.person_id == person_id,
                OutboxMessage.status == "sent",
                OutboxMessage.id.in_(
                    select(ReminderDelivery.outbox_id).where(
                        ReminderDelivery.recipient_id == person_id
                    )
                ),
            )
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if last is None:
        return None
    rows = await session.execute(
        select(ReminderDelivery.child_id, ReminderDelivery.kind, ReminderDelivery.item).where(
            ReminderDelivery.outbox_id == last
        )
    )
    return frozenset((c, k, i) for c, k, i in rows.all())


async def editions(session: AsyncSession) -> list[ImmunizationEdition]:
    """Every stored immunization schedule edition."""
    return list((await session.execute(select(ImmunizationEdition))).scalars())


async def calendar_overrides(session: AsyncSession) -> dict[str, CalendarOverride]:
    """The uploaded calendar overrides, by region."""
    rows = await session.execute(select(CalendarOverride))
    return {r.region: r for r in rows.scalars()}


async def holiday_arrangements(
    session: AsyncSession, years: Collection[int] | None = None
) -> list[HolidayArrangement]:
    """The imported holiday arrangements (all, or those of `years`)."""
    stmt = select(HolidayArrangement)
    if years is not None:
        stmt = stmt.where(HolidayArrangement.year.in_(list(years)))
    return list((await session.execute(stmt)).scalars())


async def sex_unknown_born_between(
    session: AsyncSession, first: date, last: date, shown: int
) -> tuple[int, list[int]]:
    """Active children of unknown sex born in [first, last]: how many, and the first
    `shown` ids."""
    where = (
        Child.sex.is_(None),
        Child.active.is_(True),
        Child.birth_date >= first,
        Child.birth_date <= last,
    )
    count = (await session.execute(select(func.count()).select_from(Child).where(*where))).scalar()
    if not count:
        return 0, []
    ids = await session.execute(select(Child.id).where(*where).order_by(Child.id).limit(shown))
    return int(count), list(ids.scalars())


async def calendar_override(session: AsyncSession, region: str) -> CalendarOverride | None:
    rows = await session.execute(select(CalendarOverride).where(CalendarOverride.region == region))
    return rows.scalar_one_or_none()


async def remove_calendar_override(session: AsyncSession, region: str) -> bool:
    """Delete the region's override; False when there was none."""
    result = await session.execute(
        delete(CalendarOverride).where(CalendarOverride.region == region)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
