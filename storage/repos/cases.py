"""Cases, their timeline and the staff roster.

The timeline is append-only: `add_event` is the only writer of case_events (the model
refuses updates and deletes). Work queues (`due_for_sla`, `undelivered_alerts`) lock
their rows `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several schedulers can run.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Case, CaseEvent, ChannelAddress, OutboxMessage, Person, StaffShift
from storage.repos.sql import dialect_of

ACTIVE = ("open", "claimed", "referred")
GUARDIAN_HARM_SOURCES = ACTIVE  # a closed case no longer suppresses messages


def _locked(session: AsyncSession, stmt: Any) -> Any:
    if dialect_of(session) == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt


async def create_case(session: AsyncSession, *, now: datetime, tz: tzinfo, **values: Any) -> Case:
    """Insert a case; its ref is the local date and the row id (C260302-0007): unique
    without a counter, so two processes never race for a number."""
    case = Case(
        ref=f"tmp-{uuid.uuid4().hex[:12]}",
        status="open",
        opened_at=now,
        last_activity_at=now,
        escalation_level=1,
        **values,
    )
    session.add(case)
    await session.flush()
    case.ref = f"C{now.astimezone(tz):%y%m%d}-{case.id:04d}"
    await session.flush()
    return case


def add_event(
    session: AsyncSession,
    case: Case,
    kind: str,
    *,
    at: datetime,
    actor: str,
    detail: dict[str, Any] | None = None,
    outbox_id: int | None = None,
    inbound_id: int | None = None,
) -> CaseEvent:
    event = CaseEvent(
        case_id=case.id,
        at=at,
        kind=kind,
        actor=actor,
        detail=detail or {},
        outbox_id=outbox_id,
        inbound_id=inbound_id,
    )
    session.add(event)
    if actor != "system":  # the merge window follows people's activity, not the jobs'
        case.last_activity_at = at
    return event


async def case_by_ref(session: AsyncSession, ref: str) -> Case | None:
    stmt = select(Case).where(Case.ref == ref.strip().upper())
    if dialect_of(session) == "postgresql":
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def mergeable_case(
    session: AsyncSession,
    *,
    channel: str,
    address: str,
    child_id: int | None,
    since: datetime,
) -> Case | None:
    """The reporter's active case with activity since `since` (same child, or no child)."""
    stmt = (
        select(Case)
        .where(
            Case.reporter_channel == channel,
            Case.reporter_address == address,
            Case.status.in_(ACTIVE),
            Case.last_activity_at >= since,
        )
        .order_by(Case.last_activity_at.desc())
    )
    if child_id is not None:
        stmt = stmt.where(or_(Case.child_id.is_(None), Case.child_id == child_id))
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


def reported_by(channel: str, address: str, person_id: int | None) -> ColumnElement[bool]:
    """Cases this reporter reported: by address, or as the same person. The "or" is a union
    of two index lookups: as one OR, SQLite (after ANALYZE, with most reporter_person_id
    NULL) scanned the whole table."""
    same = and_(Case.reporter_channel == channel, Case.reporter_address == address)
    if person_id is None:
        return same
    ids = union(
        select(Case.id).where(same), select(Case.id).where(Case.reporter_person_id == person_id)
    )
    return Case.id.in_(ids)


async def relay_case(
    session: AsyncSession, channel: str, address: str, person_id: int | None, now: datetime
) -> Case | None:
    """The case whose staff reply this reporter may be answering (window still open)."""
    who = reported_by(channel, address, person_id)
    stmt = (
        select(Case)
        .where(
            who,
            Case.status.in_(ACTIVE),
            Case.relay_until > now,
        )
        .order_by(Case.relay_until.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def timeline(session: AsyncSession, case_id: int) -> list[CaseEvent]:
    rows = await session.execute(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    )
    return list(rows.scalars())


async def active_cases(session: AsyncSession, limit: int = 20) -> list[Case]:
    rows = await session.execute(
        select(Case).where(Case.status.in_(ACTIVE)).order_by(Case.opened_at).limit(limit)
    )
    return list(rows.scalars())


async def on_duty(session: AsyncSession, level: int, now: datetime) -> list[Person]:
    """Active people with a shift of `level` covering `now`, each once."""
    rows = await session.execute(
        select(Person)
        .join(StaffShift, StaffShift.person_id == Person.id)
        .where(
            StaffShift.level == level,
            StaffShift.starts_at <= now,
            or_(StaffShift.ends_at.is_(None), StaffShift.ends_at > now),
            Person.active.is_(True),
        )
        .order_by(Person.id)
    )
    return list(dict.fromkeys(rows.scalars()))


async def add_shift(
    session: AsyncSession,
    person_id: int,
    *,
    level: int,
    starts_at: datetime,
    ends_at: datetime | None = None,
) -> StaffShift:
    shift = StaffShift(person_id=person_id, level=level, starts_at=starts_at, ends_at=ends_at)
    session.add(shift)
    await session.flush()
    return shift


async def due_for_sla(session: AsyncSession, now: datetime, limit: int = 100) -> list[Case]:
    """Unacknowledged open cases whose acknowledgement is overdue, locked for this worker."""
    check = func.coalesce(Case.next_check_at, Case.ack_due_at)
    stmt = (
        select(Case)
        .where(Case.status == "open", Case.acknowledged_at.is_(None), check <= now)
        .order_by(check)
        .limit(limit)
    )
    return list((await session.execute(_locked(session, stmt))).scalars())


async def undelivered_alerts(
    session: AsyncSession, limit: int = 200
) -> list[tuple[CaseEvent, OutboxMessage]]:
    """Alert events whose outbox row was sent but whose `delivered` event is not recorded."""
    return await _unmarked_events(session, "alerted", ("sent",), "delivered", limit)


async def undelivered_replies(
    session: AsyncSession, limit: int = 200
) -> list[tuple[CaseEvent, OutboxMessage]]:
    """Staff replies to a reporter whose outbox row failed or was suppressed, not yet marked
    `reply_undelivered` (so that staff are told once)."""
    return await _unmarked_events(
        session, "reply", ("failed", "suppressed"), "reply_undelivered", limit
    )


async def _unmarked_events(
    session: AsyncSession, kind: str, statuses: tuple[str, ...], marker: str, limit: int
) -> list[tuple[CaseEvent, OutboxMessage]]:
    """Events of `kind` whose outbox row has one of `statuses` and no `marker` event yet for
    that row, oldest first; locked (skipping rows another worker holds) on PostgreSQL."""
    marked = aliased(CaseEvent)
    stmt = (
        select(CaseEvent, OutboxMessage)
        .join(OutboxMessage, OutboxMessage.id == CaseEvent.outbox_id)
        .where(
            CaseEvent.kind == kind,
            OutboxMessage.status.in_(statuses),
            ~exists().where(and_(marked.outbox_id == CaseEvent.outbox_id, marked.kind == marker)),
        )
        .order_by(CaseEvent.id)
        .limit(limit)
    )
    if dialect_of(session) == "postgresql":
        stmt = stmt.with_for_update(of=CaseEvent, skip_locked=True)
    return [(e, o) for e, o in (await session.execute(stmt)).all()]


async def suppressed_guardian_ids(session: AsyncSession, child_ids: Collection[int]) -> set[int]:
    """Guardians suspected of harming one of these children in an active case: send them
    no reminder and no message about the case."""
    if not child_ids:
        return set()
    rows = await session.execute(
        select(Case.suspected_guardian_id).where(
            Case.child_id.in_(list(child_ids)),
            Case.status.in_(GUARDIAN_HARM_SOURCES),
            Case.suspected_guardian_id.is_not(None),
        )
    )
    return {int(r) for r in rows.scalars() if r is not None}


async def is_suppressed_guardian(session: AsyncSession, person_id: int) -> bool:
    row = await session.execute(
        select(Case.id)
        .where(Case.suspected_guardian_id == person_id, Case.status.in_(ACTIVE))
        .limit(1)
    )
    return row.scalar_one_or_none() is not None


def kinds(events: Sequence[CaseEvent]) -> list[str]:
    return [e.kind for e in events]


REPLY_LANE, REMINDER_LANE = 1, 2  # dialogs.types.Lane; storage stays free of the core


async def cancel_queued_for_suspect(session: AsyncSession, person_id: int) -> int:
    """Do-not-contact: every reminder, digest or reply still queued for this person, on any of
    their channels, is cancelled (a safety reply to their own message is kept)."""
    addresses = select(ChannelAddress.address).where(ChannelAddress.person_id == person_id)
    phone = select(Person.phone).where(Person.id == person_id, Person.phone.is_not(None))
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == "queued",
            OutboxMessage.lane.in_((REPLY_LANE, REMINDER_LANE)),
            OutboxMessage.bypass_opt_out.is_(False),
            or_(
                OutboxMessage.person_id == person_id,
                OutboxMessage.address.in_(addresses),
                OutboxMessage.address.in_(phone),
            ),
        )
        .values(status="cancelled", error_code="do_not_contact")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def first_event(session: AsyncSession, case_id: int, kind: str) -> CaseEvent | None:
    """The case's first event of one kind (`created`: the one it was opened on)."""
    rows = await session.execute(
        select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == kind).limit(1)
    )
    return rows.scalar_one_or_none()


async def has_event(session: AsyncSession, case_id: int, kind: str) -> bool:
    rows = await session.execute(
        select(CaseEvent.id).where(CaseEvent.case_id == case_id, CaseEvent.kind == kind)
    )
    return rows.first() is not None


async def unanswered_cards(
    session: AsyncSession, channel: str, now: datetime, limit: int
) -> list[tuple[OutboxMessage, Person]]:
    """Alerts sent on `channel` for open cases still unacknowledged past their deadline,
    with the staff member each went to."""
    rows = await session.execute(
        select(OutboxMessage, Person)
        .join(CaseEvent, CaseEvent.outbox_id == OutboxMessage.id)
        .join(Case, Case.id == CaseEvent.case_id)
        .join(Person, Person.id == OutboxMessage.person_id)
        .where(
            CaseEvent.kind == "alerted",
            OutboxMessage.channel == channel,
            Case.acknowledged_at.is_(None),
            Case.status == "open",
            Case.ack_due_at.is_not(None),
            Case.ack_due_at <= now,
        )
        .limit(limit)
    )
    return [(o, p) for o, p in rows.all()]


async def shifts_after(
    session: AsyncSession, since: datetime, level: int | None = None
) -> list[tuple[StaffShift, Person]]:
    """Shifts still running or to come after `since`, earliest first."""
    stmt = (
        select(StaffShift, Person)
        .join(Person, Person.id == StaffShift.person_id)
        .where(or_(StaffShift.ends_at.is_(None), StaffShift.ends_at > since))
        .order_by(StaffShift.starts_at, StaffShift.id)
    )
    if level is not None:
        stmt = stmt.where(StaffShift.level == level)
    return [(s, p) for s, p in (await session.execute(stmt)).all()]


async def everyone_above(session: AsyncSession) -> list[Person]:
    """Every active supervisor and administrator, by id."""
    rows = await session.execute(
        select(Person)
        .where(Person.role.in_(("supervisor", "admin")), Person.active.is_(True))
        .order_by(Person.id)
    )
    return list(rows.scalars())


async def latest_active_reported(
    session: AsyncSession, channel: str, address: str, person_id: int | None
) -> Case | None:
    """The newest active case this sender reported (by address, or as the same person)."""
    stmt = (
        select(Case)
        .where(reported_by(channel, address, person_id), Case.status.in_(ACTIVE))
        .order_by(Case.opened_at.desc(), Case.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def refresh_queued_alerts(session: AsyncSession, case_id: int, message: Any) -> int:
    """Give the case's alerts not sent yet this message; how many."""
    alerted = select(CaseEvent.outbox_id).where(
        CaseEvent.case_id == case_id, CaseEvent.kind == "alerted", CaseEvent.outbox_id.is_not(None)
    )
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(alerted), OutboxMessage.status == "queued")
        .values(message=message)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def has_shift(session: AsyncSession, person_id: int) -> bool:
    rows = await session.execute(select(StaffShift.id).where(StaffShift.person_id == person_id))
    return rows.first() is not None
