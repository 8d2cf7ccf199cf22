"""People, their channel addresses, and the children a director looks after."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select, union
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelAddress, Child, ConsoleUser, GuardianLink, Person
from storage.repos import audit
from storage.repos.sql import dialect_of, insert_ignore


async def person_by_phone(session: AsyncSession, phone: str) -> Person | None:
    return (await session.execute(select(Person).where(Person.phone == phone))).scalar_one_or_none()


async def address_row(
    session: AsyncSession, channel: str, address: str, now: datetime
) -> ChannelAddress:
    """The address row for (channel, address), created on first contact."""
    await session.execute(
        insert_ignore(session, ChannelAddress.__table__, ["channel", "address"]).values(  # type: ignore[arg-type]
            channel=channel, address=address, created_at=now
        )
    )
    row = (
        await session.execute(
            select(ChannelAddress).where(
                ChannelAddress.channel == channel, ChannelAddress.address == address
            )
        )
    ).scalar_one()
    return row


async def addresses_of(session: AsyncSession, person_id: int) -> list[ChannelAddress]:
    rows = await session.execute(
        select(ChannelAddress).where(ChannelAddress.person_id == person_id)
    )
    return list(rows.scalars())


async def addresses_for(
    session: AsyncSession,
    person_ids: Collection[int],
    pairs: Collection[tuple[str, str]],
    chunk: int = 4000,
) -> list[ChannelAddress]:
    """The address rows of many people (`person_id` in `person_ids`) and of (channel,
    address) `pairs`, in one query per `chunk` of each (index look-ups), in id order."""
    people, wanted = set(person_ids), set(pairs)
    ids = sorted(people)
    by_channel = sorted({c for c, _ in wanted})
    values = sorted({a for _, a in wanted})
    found: dict[int, ChannelAddress] = {}
    for start in range(0, max(len(ids), len(values)), chunk):
        some_ids, some_values = ids[start : start + chunk], values[start : start + chunk]
        parts: list[Select[Any]] = []
        if some_ids:
            parts.append(select(ChannelAddress).where(ChannelAddress.person_id.in_(some_ids)))
        if some_values:
            parts.append(
                select(ChannelAddress).where(
                    ChannelAddress.channel.in_(by_channel), ChannelAddress.address.in_(some_values)
                )
            )
        # A union of two index look-ups: as one OR, SQLite (after ANALYZE) scanned the table.
        either = union(*parts) if len(parts) > 1 else parts[0]
        rows = await session.scalars(select(ChannelAddress).from_statement(either))
        for row in rows:
            if row.person_id in people or (row.channel, row.address) in wanted:
                found[row.id] = row
    return [found[i] for i in sorted(found)]


async def add_addresses(
    session: AsyncSession, rows: Sequence[Mapping[str, Any]], now: datetime, chunk: int = 500
) -> list[ChannelAddress]:
    """Create address rows (channel, address, person_id) in multi-row INSERT ... ON CONFLICT
    DO NOTHING statements of `chunk`, in (channel, address) order (two transactions at once
    wait on each other, never deadlock). Returns the rows inserted: a pair that exists
    already, or that another transaction created meanwhile, is absent."""
    insert = postgresql.insert if dialect_of(session) == "postgresql" else sqlite.insert
    ordered = sorted(rows, key=lambda r: (r["channel"], r["address"]))
    created: list[ChannelAddress] = []
    for start in range(0, len(ordered), chunk):
        values = [dict(r, created_at=now) for r in ordered[start : start + chunk]]
        stmt = (
            insert(ChannelAddress)
            .values(values)
            .on_conflict_do_nothing(index_elements=["channel", "address"])
        )
        created += await session.scalars(stmt.returning(ChannelAddress))
    return created


async def children_of_director(session: AsyncSession, director_id: int) -> list[Child]:
    rows = await session.execute(
        select(Child)
        .where(Child.director_id == director_id, Child.active.is_(True))
        .order_by(Child.code)
    )
    return list(rows.scalars())


async def recipient_rows(
    session: AsyncSession, pairs: set[tuple[str, str]]
) -> dict[tuple[str, str], tuple[ChannelAddress | None, Person | None]]:
    """Address rows and their people for a batch of (channel, address) pairs, in two queries."""
    if not pairs:
        return {}
    addresses = {p[1] for p in pairs}
    rows = (
        await session.execute(select(ChannelAddress).where(ChannelAddress.address.in_(addresses)))
    ).scalars()
    by_pair = {(r.channel, r.address): r for r in rows if (r.channel, r.address) in pairs}
    person_ids = {r.person_id for r in by_pair.values() if r.person_id is not None}
    people: dict[int, Person] = {}
    if person_ids:
        found = await session.execute(select(Person).where(Person.id.in_(person_ids)))
        people = {p.id: p for p in found.scalars()}
    result: dict[tuple[str, str], tuple[ChannelAddress | None, Person | None]] = {}
    for pair in pairs:
        row = by_pair.get(pair)
        person = people.get(row.person_id) if row is not None and row.person_id else None
        result[pair] = (row, person)
    return result


def opt_out(
    session: AsyncSession,
    address: ChannelAddress,
    *,
    person: Person | None,
    at: datetime,
    actor: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """The one place an opt-out is recorded: the address (and the person, when known: reminders
    and digests stop on every channel) is marked, first time kept, and the audit log says who."""
    address.opted_out_at = address.opted_out_at or at
    if person is not None:
        person.opted_out_at = person.opted_out_at or at
    audit.record(
        session,
        at=at,
        actor=actor,
        action="opt_out",
        subject_type="channel_address",
        subject_id=address.id,
        detail=detail,
    )


async def staff_named(
    session: AsyncSession, phone: str, name: str, roles: Collection[str]
) -> list[Person]:
    """Active people in the roles with this phone or exactly this name."""
    rows = await session.execute(
        select(Person).where(
            or_(Person.phone == phone, Person.name == name),
            Person.role.in_(tuple(roles)),
            Person.active.is_(True),
        )
    )
    return list(rows.scalars())


async def names_of(session: AsyncSession, ids: Collection[int]) -> dict[int, str]:
    rows = await session.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))
    return {pid: name for pid, name in rows.all()}


async def active_in_roles(session: AsyncSession, roles: Collection[str]) -> list[Person]:
    """Active people in any of the roles, by name."""
    rows = await session.execute(
        select(Person).where(Person.role.in_(roles), Person.active.is_(True)).order_by(Person.name)
    )
    return list(rows.scalars())


async def reachable_by_phone(session: AsyncSession) -> list[Person]:
    """Active people with a phone, by role and id."""
    rows = await session.execute(
        select(Person)
        .where(Person.phone.is_not(None), Person.active.is_(True))
        .order_by(Person.role, Person.id)
    )
    return list(rows.scalars())


async def children_of_guardian(
    session: AsyncSession, guardian_id: int, *, active_only: bool = True
) -> list[Child]:
    """The guardian's children, by code."""
    stmt = (
        select(Child)
        .join(GuardianLink, GuardianLink.child_id == Child.id)
        .where(GuardianLink.guardian_id == guardian_id)
        .order_by(Child.code)
    )
    if active_only:
        stmt = stmt.where(Child.active.is_(True))
    return list((await session.execute(stmt)).scalars())


async def awaiting_consent(session: AsyncSession, guardian_id: int) -> list[Child]:
    """The guardian's children whose consent was asked for and not yet given, by id."""
    rows = await session.execute(
        select(Child)
        .join(GuardianLink, GuardianLink.child_id == Child.id)
        .where(
            GuardianLink.guardian_id == guardian_id,
            Child.consent_requested_at.is_not(None),
            Child.consent_at.is_(None),
        )
        .order_by(Child.id)
    )
    return list(rows.scalars())


async def primary_guardian(session: AsyncSession, child_id: int) -> Person | None:
    """The child's first guardian by priority who is active and may be contacted."""
    rows = await session.execute(
        select(Person)
        .join(GuardianLink, GuardianLink.guardian_id == Person.id)
        .where(
            GuardianLink.child_id == child_id,
            Person.active.is_(True),
            Person.do_not_contact.is_(False),
        )
        .order_by(GuardianLink.priority, Person.id)
        .limit(1)
    )
    return rows.scalar_one_or_none()


async def directors_of_guardian(session: AsyncSession, guardian_id: int) -> list[Person]:
    """The directors of the guardian's children."""
    rows = await session.execute(
        select(Person)
        .join(Child, Child.director_id == Person.id)
        .join(GuardianLink, GuardianLink.child_id == Child.id)
        .where(GuardianLink.guardian_id == guardian_id)
        .distinct()
    )
    return list(rows.scalars())


async def find_address(session: AsyncSession, channel: str, address: str) -> ChannelAddress | None:
    """The address row, if this (channel, address) was ever seen."""
    rows = await session.execute(
        select(ChannelAddress).where(
            ChannelAddress.channel == channel, ChannelAddress.address == address
        )
    )
    return rows.scalar_one_or_none()


async def links_of_child(session: AsyncSession, child_id: int) -> list[GuardianLink]:
    rows = await session.execute(select(GuardianLink).where(GuardianLink.child_id == child_id))
    return list(rows.scalars())


async def actor_names(session: AsyncSession, actors: set[str]) -> dict[str, str]:
    """Names for ``person:<id>`` and ``user:<username>`` actors (others are left out)."""
    out: dict[str, str] = {}
    person_ids = {int(a[7:]) for a in actors if a.startswith("person:") and a[7:].isdigit()}
    usernames = {a[5:] for a in actors if a.startswith("user:")}
    users: list[ConsoleUser] = []
    if usernames:
        found = await session.execute(
            select(ConsoleUser).where(ConsoleUser.username.in_(usernames))
        )
        users = list(found.scalars())
        person_ids |= {u.person_id for u in users if u.person_id is not None}
    people: dict[int, str] = {}
    if person_ids:
        rows = await session.execute(select(Person).where(Person.id.in_(person_ids)))
        people = {p.id: p.name for p in rows.scalars()}
    for pid, name in people.items():
        out[f"person:{pid}"] = name
    for u in users:
        named = people.get(u.person_id) if u.person_id is not None else None
        out[f"user:{u.username}"] = named or u.username
    return out
