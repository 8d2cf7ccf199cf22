"""The persistent outbox: enqueue in the caller's transaction; claim, then record outcomes.

Claiming is safe with many dispatchers: on PostgreSQL the due rows are selected
`FOR UPDATE SKIP LOCKED`; on SQLite the write transaction (BEGIN IMMEDIATE) serializes
claimers. A claimed row carries a lease; a row whose lease ran out (its dispatcher died)
is queued again, so a crash can at most resend the messages that were in flight.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Insert, Select, Table, Update, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage import hot_sql
from storage.models import InboundMessage, OutboxMessage
from storage.repos.sql import connection_of, dialect_of, insert_ignore

QUEUED, SENDING, SENT, FAILED, SUPPRESSED, CANCELLED = (
    "queued",
    "sending",
    "sent",
    "failed",
    "suppressed",
    "cancelled",
)


async def enqueue(
    session: AsyncSession,
    *,
    channel: str,
    address: str,
    message: dict[str, Any],
    lane: int,
    now: datetime,
    not_before: datetime | None = None,
    person_id: int | None = None,
    dedup_key: str | None = None,
    bypass_opt_out: bool = False,
    inbound_id: int | None = None,
) -> int | None:
    """Queue one message. With a dedup key, a second enqueue of the same key is a no-op (None)."""
    values = dict(
        channel=channel,
        address=address,
        person_id=person_id,
        lane=lane,
        message=message,
        status=QUEUED,
        not_before=not_before or now,
        attempts=0,
        dedup_key=dedup_key,
        bypass_opt_out=bypass_opt_out,
        inbound_id=inbound_id,
        created_at=now,
    )
    hot = hot_sql.statement(session, _enqueuing, "dedup" if dedup_key is not None else "plain")
    rows = await hot_sql.run(session, hot, {f"p_{k}": v for k, v in values.items()})
    return int(rows[0][0]) if rows else None


@dataclass(frozen=True, slots=True)
class _Enqueuing:
    plain: Insert
    dedup: Insert  # ON CONFLICT (dedup_key) DO NOTHING


@cache
def _enqueuing(dialect: str) -> _Enqueuing:
    return _Enqueuing(
        _enqueue_statement(dialect, dedup=False), _enqueue_statement(dialect, dedup=True)
    )


def _enqueue_statement(dialect: str, *, dedup: bool) -> Insert:
    """`enqueue`'s INSERT, built once (it runs for every reply): bound parameters `p_<column>`."""
    table: Table = OutboxMessage.__table__  # type: ignore[assignment]
    columns = (
        "channel", "address", "person_id", "lane", "message", "status", "not_before",
        "attempts", "dedup_key", "bypass_opt_out", "inbound_id", "created_at",
    )  # fmt: skip
    values = {c: bindparam(f"p_{c}", type_=table.c[c].type) for c in columns}
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(**values)
    if dedup:
        stmt = stmt.on_conflict_do_nothing(index_elements=["dedup_key"])
    return stmt.returning(table.c.id)


async def enqueue_many(
    session: AsyncSession, messages: Sequence[Mapping[str, Any]], now: datetime, chunk: int = 500
) -> dict[str, int]:
    """Queue messages that each have a dedup key (and channel, address, person_id, message,
    lane, not_before), a multi-row INSERT ... ON CONFLICT DO NOTHING per `chunk`.
    Returns dedup key -> new row id; a key queued before is absent (as `enqueue`'s None)."""
    table = OutboxMessage.__table__
    queued: dict[str, int] = {}
    for start in range(0, len(messages), chunk):
        values = [
            dict(
                status=QUEUED,
                attempts=0,
                bypass_opt_out=False,
                inbound_id=None,
                created_at=now,
                **m,
            )
            for m in messages[start : start + chunk]
        ]
        stmt = insert_ignore(session, table, ["dedup_key"]).values(values)  # type: ignore[arg-type]
        result = await session.execute(stmt.returning(table.c.id, table.c.dedup_key))
        queued.update({key: int(row_id) for row_id, key in result})
    return queued


async def requeue_expired_leases(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(_claiming().requeue, {"now": now})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


CLAIM_ORDER = (OutboxMessage.lane, OutboxMessage.not_before, OutboxMessage.id)


@dataclass(frozen=True, slots=True)
class _Claiming:
    """The claim's statements, built once (a dispatcher claims many times a second):
    bound parameters, the lists expanding."""

    requeue: Update
    due: Select[int]  # the due ids, any lane
    take: Update
    rows: Select[OutboxMessage]


@cache
def _claiming() -> _Claiming:
    c = OutboxMessage.__table__.c
    now = bindparam("now", type_=c.not_before.type)
    ids = OutboxMessage.id.in_(bindparam("ids", expanding=True))
    return _Claiming(
        requeue=update(OutboxMessage)
        .where(OutboxMessage.status == SENDING, OutboxMessage.lease_until < now)
        .values(status=QUEUED, claimed_by=None, lease_until=None),
        due=select(OutboxMessage.id)
        .where(
            OutboxMessage.status == QUEUED,
            OutboxMessage.not_before <= now,
            OutboxMessage.channel.in_(bindparam("channels", expanding=True)),
        )
        .order_by(*CLAIM_ORDER)
        .limit(bindparam("limit")),
        take=update(OutboxMessage)
        .where(ids)
        .values(
            status=SENDING,
            claimed_by=bindparam("worker"),
            lease_until=bindparam("until", type_=c.lease_until.type),
            attempts=OutboxMessage.attempts + 1,
        ),
        rows=select(OutboxMessage)
        .where(ids)
        .order_by(*CLAIM_ORDER)
        .execution_options(populate_existing=True),
    )


@cache
def _due(in_lanes: bool, locked: bool) -> Select[int]:
    """The due ids: only some lanes (`lanes`), and on PostgreSQL FOR UPDATE SKIP LOCKED."""
    due = _claiming().due
    if in_lanes:
        due = due.where(OutboxMessage.lane.in_(bindparam("lanes", expanding=True)))
    return due.with_for_update(skip_locked=True) if locked else due


async def claim(
    session: AsyncSession,
    *,
    worker: str,
    now: datetime,
    limit: int,
    lease: timedelta,
    channels: Sequence[str],
    lanes: Sequence[int] | None = None,
) -> list[OutboxMessage]:
    """Claim up to `limit` due rows, highest-priority lane first (only `lanes` when given)."""
    st = _claiming()
    due = _due(lanes is not None, dialect_of(session) == "postgresql")
    params: dict[str, Any] = {"now": now, "channels": list(channels), "limit": limit}
    if lanes is not None:
        params["lanes"] = list(lanes)
    ids = list((await session.execute(due, params)).scalars())
    if not ids:
        return []
    await session.execute(st.take, {"ids": ids, "worker": worker, "until": now + lease})
    rows = await session.execute(st.rows, {"ids": ids})
    return list(rows.scalars())


async def renew_leases(
    session: AsyncSession, ids: Sequence[int], worker: str, until: datetime
) -> int:
    """Extend the lease of rows this dispatcher still holds (a send in flight, or waiting
    its turn behind one), so that no other dispatcher takes them over and sends them again."""
    if not ids:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(list(ids)),
            OutboxMessage.claimed_by == worker,
            OutboxMessage.status == SENDING,
        )
        .values(lease_until=until)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def finish(session: AsyncSession, row_id: int, worker: str, **values: Any) -> bool:
    """Record a claimed row's outcome, unless its lease was lost to another dispatcher.

    `claimed_by` stays: it records which dispatcher handled the row last.
    """
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.claimed_by == worker)
        .values(lease_until=None, **values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def finish_many(
    session: AsyncSession, worker: str, outcomes: Sequence[tuple[int, Mapping[str, Any]]]
) -> None:
    """`finish` for a batch of (row id, values): one executemany per shape of values."""
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row_id, values in outcomes:
        shapes.setdefault(tuple(sorted(values)), []).append(
            {"b_id": row_id, "b_worker": worker, **{f"b_{k}": v for k, v in values.items()}}
        )
    for keys, params in shapes.items():
        await session.execute(_finish_statement(keys), params)


@cache
def _finish_statement(keys: tuple[str, ...]) -> Update:
    """`finish_many`'s UPDATE for one shape of values, built once per shape."""
    table: Table = OutboxMessage.__table__  # type: ignore[assignment]
    return (
        table.update()
        .where(table.c.id == bindparam("b_id"), table.c.claimed_by == bindparam("b_worker"))
        .values(lease_until=None, **{k: bindparam(f"b_{k}") for k in keys})
    )


async def by_provider_id(
    session: AsyncSession, channel: str, provider_id: str
) -> OutboxMessage | None:
    return (
        await session.execute(
            select(OutboxMessage).where(
                OutboxMessage.channel == channel, OutboxMessage.provider_id == provider_id
            )
        )
    ).scalar_one_or_none()


async def held_for_template(session: AsyncSession, limit: int = 50) -> list[OutboxMessage]:
    """Messages held because their SMS template is missing (not those sent another way),
    newest first."""
    rows = await session.execute(
        select(OutboxMessage)
        .where(
            OutboxMessage.error_code == "template_missing",
            OutboxMessage.last_error.like("%held"),
        )
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(rows.scalars())


async def replies_to_same_text(
    session: AsyncSession,
    *,
    channel: str,
    address: str,
    text: str,
    since: datetime,
    other_than: int,
) -> list[Any]:
    """The messages queued in reply to earlier inbound messages with the same text from the
    same address, received since `since` (the reply-loop guard)."""
    rows = await session.execute(
        select(OutboxMessage.message)
        .join(InboundMessage, OutboxMessage.inbound_id == InboundMessage.id)
        .where(
            InboundMessage.channel == channel,
            InboundMessage.address == address,
            InboundMessage.text == text,
            InboundMessage.received_at >= since,
            InboundMessage.id != other_than,
        )
    )
    return list(rows.scalars())


async def replies_since(
    session: AsyncSession, *, channel: str, address: str, lane: int, since: datetime
) -> int:
    """Messages queued to the address on the lane after `since`, not counting those that
    bypass an opt-out."""
    conn = await connection_of(session)
    params = {"p_channel": channel, "p_address": address, "p_lane": lane, "p_since": since}
    return int((await conn.execute(_replies_since_statement(), params)).scalar_one())


@cache
def _replies_since_statement() -> Select[Any]:
    """`replies_since`'s count, built once (the reply-loop guard asks it for most replies)."""
    table = OutboxMessage.__table__
    return (
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.channel == bindparam("p_channel", type_=table.c.channel.type),
            OutboxMessage.address == bindparam("p_address", type_=table.c.address.type),
            OutboxMessage.lane == bindparam("p_lane", type_=table.c.lane.type),
            OutboxMessage.bypass_opt_out.is_(False),
            OutboxMessage.created_at > bindparam("p_since", type_=table.c.created_at.type),
        )
    )


async def latest_to(
    session: AsyncSession, channel: str, address: str, limit: int
) -> list[OutboxMessage]:
    """The last `limit` messages queued to the address on the channel, newest first."""
    rows = await session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.channel == channel, OutboxMessage.address == address)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(rows.scalars())


async def by_ids(session: AsyncSession, ids: Collection[int]) -> dict[int, OutboxMessage]:
    rows = await session.execute(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
    return {r.id: r for r in rows.scalars()}
