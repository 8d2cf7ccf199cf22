"""The per-message statements of an inbound message processed in one transaction (issue 13):
SQLAlchemy Core, built once per dialect with bound parameters, run on the session's
connection (no ORM load, no statement built or cache key walked per message).

- `store_arrived`: the inbound row, inserted already marked processed (it commits with the
  processing or not at all: a failure rolls the whole transaction back and the two-step path
  stores it unprocessed), with the person its address is linked to; or inserted unprocessed
  (answered first, the two-step path);
- `claim_stored`: a row stored earlier (answered first, or retried), marked processed if no
  one processed it yet, in one statement (PostgreSQL: the row stays locked to the end of the
  transaction, as SELECT ... FOR UPDATE would keep it);
- `touch_address`: the address row, created on first contact, `last_inbound_at` set, and
  linked to the active person with that phone (SMS and console) when it was not linked yet:
  one statement that returns the row, handed to the session as a loaded object (effects
  change it: a locale, an opt-out);
- `take_conversation` / `save_conversation`: the conversation created if missing and locked
  (PostgreSQL: the conflicting row stays locked to the end of the transaction), with the
  replies queued to the address in the last hour counted in the same statement when the
  reply cap asks (`RepliesAsked`; exact when taken after `touch_address`, whose row lock
  makes a concurrent message from the address commit first), then its new state written
  back when it changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, func, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.sql.expression import Executable

from storage import hot_sql
from storage.models import ChannelAddress, Conversation, InboundMessage, OutboxMessage, Person


@dataclass(slots=True)
class Arrived:
    inbound_id: int
    person_id: int | None  # the person the address was linked to before this message


@dataclass(slots=True)
class Claimed:
    arrived: Arrived
    screened: bool  # the retry job screened its text on its own already


@dataclass(slots=True)
class TakenConversation:
    id: int
    state: dict[str, Any]
    expires_at: datetime | None
    # `RepliesAsked`: the messages queued to the address on that lane since then (before
    # this message), counted in the same statement; None when not asked
    replies_queued: int | None = None


@dataclass(frozen=True, slots=True)
class RepliesAsked:
    """Count, with the conversation, what was queued to the address on `lane` after `since`
    (not counting messages that bypass an opt-out): the reply cap's count (bot/loops.py)."""

    lane: int
    since: datetime


def _table(entity: Any) -> Table:
    table: Table = entity.__table__
    return table


def _bind(table: Table, column: str, name: str | None = None) -> Any:
    """A bound parameter typed as the column; named `p_<name>` (a column's own name is
    reserved in an INSERT's or UPDATE's values)."""
    return bindparam(f"p_{name or column}", type_=table.c[column].type)


def _params(**values: Any) -> dict[str, Any]:
    return {f"p_{key}": value for key, value in values.items()}


@dataclass(frozen=True, slots=True)
class _Statements:
    store: Executable
    claim: Executable
    set_person: Executable
    address: Executable  # no link (Telegram, WeCom ...)
    address_linked: Executable  # SMS and console: linked to the active person with the phone
    conversation: Executable
    conversation_counted: Executable  # and the replies queued to the address (RepliesAsked)
    save_conversation: Executable


@cache
def _statements(dialect: str) -> _Statements:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inbound, addresses = _table(InboundMessage), _table(ChannelAddress)
    people, conversations = _table(Person), _table(Conversation)

    linked = (
        select(addresses.c.person_id)
        .where(
            addresses.c.channel == _bind(inbound, "channel"),
            addresses.c.address == _bind(inbound, "address"),
        )
        .scalar_subquery()
    )
    store = (
        insert(inbound)
        .values(
            channel=_bind(inbound, "channel"),
            provider_id=_bind(inbound, "provider_id"),
            address=_bind(inbound, "address"),
            text=_bind(inbound, "text"),
            payload=_bind(inbound, "payload"),
            media=_bind(inbound, "media"),
            received_at=_bind(inbound, "received_at"),
            processed_at=_bind(inbound, "processed_at"),
            attempts=0,
            person_id=linked,
        )
        .on_conflict_do_nothing(index_elements=["channel", "provider_id"])
        .returning(inbound.c.id, inbound.c.person_id)
    )
    claim = (
        update(inbound)
        .where(inbound.c.id == _bind(inbound, "id"), inbound.c.processed_at.is_(None))
        .values(processed_at=_bind(inbound, "processed_at"))
        .returning(inbound.c.id, inbound.c.person_id, inbound.c.screened_at)
    )
    set_person = (
        update(inbound)
        .where(inbound.c.id == _bind(inbound, "id"))
        .values(person_id=_bind(inbound, "person_id"))
    )

    values = dict(
        channel=_bind(addresses, "channel"),
        address=_bind(addresses, "address"),
        created_at=_bind(addresses, "created_at", "now"),
        last_inbound_at=_bind(addresses, "last_inbound_at", "now"),
    )
    plain = insert(addresses).values(**values)
    address = plain.on_conflict_do_update(
        index_elements=["channel", "address"],
        set_={"last_inbound_at": plain.excluded.last_inbound_at},
    ).returning(*addresses.c)
    by_phone = (
        select(people.c.id)
        .where(people.c.phone == _bind(addresses, "address"), people.c.active.is_(true()))
        .scalar_subquery()
    )
    with_link = insert(addresses).values(**values, person_id=by_phone)
    address_linked = with_link.on_conflict_do_update(
        index_elements=["channel", "address"],
        set_={
            "last_inbound_at": with_link.excluded.last_inbound_at,
            "person_id": func.coalesce(addresses.c.person_id, with_link.excluded.person_id),
        },
    ).returning(*addresses.c)

    # The update changes nothing, but on PostgreSQL it locks the row like SELECT ... FOR
    # UPDATE (SQLite: the write transaction is the lock).
    taken = (
        insert(conversations)
        .values(
            channel=_bind(conversations, "channel"),
            address=_bind(conversations, "address"),
            state={},
            updated_at=_bind(conversations, "updated_at", "now"),
        )
        .on_conflict_do_update(
            index_elements=["channel", "address"],
            set_={"updated_at": conversations.c.updated_at},
        )
    )
    columns = (conversations.c.id, conversations.c.state, conversations.c.expires_at)
    conversation = taken.returning(*columns)
    outbox = _table(OutboxMessage)
    queued = (
        select(func.count())
        .select_from(outbox)
        .where(
            outbox.c.channel == _bind(conversations, "channel"),
            outbox.c.address == _bind(conversations, "address"),
            outbox.c.lane == _bind(outbox, "lane"),
            outbox.c.bypass_opt_out.is_(False),
            outbox.c.created_at > _bind(outbox, "created_at", "since"),
        )
        .scalar_subquery()
    )
    conversation_counted = taken.returning(*columns, queued)
    save_conversation = (
        update(conversations)
        .where(conversations.c.id == _bind(conversations, "id"))
        .values(
            state=_bind(conversations, "state"),
            updated_at=_bind(conversations, "updated_at"),
            expires_at=_bind(conversations, "expires_at"),
        )
    )
    return _Statements(
        store,
        claim,
        set_person,
        address,
        address_linked,
        conversation,
        conversation_counted,
        save_conversation,
    )


def _hot(session: AsyncSession, name: str) -> hot_sql.HotStatement:
    return hot_sql.statement(session, _statements, name)


async def store_arrived(
    session: AsyncSession,
    *,
    channel: str,
    provider_id: str,
    address: str,
    text: str,
    payload: str | None,
    received_at: datetime,
    media: list[dict[str, Any]] | None,
    processed_at: datetime | None,
) -> Arrived | None:
    """Insert the message, marked processed at `processed_at` (only inside the transaction
    that processes it; None: stored to be processed later, `claim_stored`), with the person
    its address is linked to; None when this (channel, provider id) was stored before (a
    provider's retry)."""
    rows = await hot_sql.run(
        session,
        _hot(session, "store"),
        _params(
            channel=channel,
            provider_id=provider_id,
            address=address,
            text=text,
            payload=payload,
            media=media,
            received_at=received_at,
            processed_at=processed_at,
        ),
    )
    return Arrived(int(rows[0][0]), rows[0][1]) if rows else None


async def claim_stored(
    session: AsyncSession, inbound_id: int, processed_at: datetime
) -> Claimed | None:
    """Mark a stored row processed at `processed_at`; None when it was processed already
    (by another worker, process or retry). Only inside the transaction that processes it."""
    rows = await hot_sql.run(
        session, _hot(session, "claim"), _params(id=inbound_id, processed_at=processed_at)
    )
    if not rows:
        return None
    row = rows[0]
    return Claimed(Arrived(int(row[0]), row[1]), screened=row[2] is not None)


async def set_person(session: AsyncSession, inbound_id: int, person_id: int | None) -> None:
    await hot_sql.run(
        session, _hot(session, "set_person"), _params(id=inbound_id, person_id=person_id)
    )


async def touch_address(
    session: AsyncSession, channel: str, address: str, now: datetime, *, link_by_phone: bool
) -> ChannelAddress:
    """The address row of an inbound message (see the module's docstring), as a persistent
    object of the session: what is changed on it is flushed with the transaction."""
    hot = _hot(session, "address_linked" if link_by_phone else "address")
    (returned,) = await hot_sql.run(
        session, hot, _params(channel=channel, address=address, now=now)
    )
    values = dict(zip(hot.keys, returned, strict=True))
    sync = session.sync_session
    loaded = sync.identity_map.get(sync.identity_key(ChannelAddress, values["id"]))
    if isinstance(loaded, ChannelAddress):  # loaded before in this transaction: refreshed
        for key, value in values.items():
            setattr(loaded, key, value)
        return loaded
    row = ChannelAddress(**values)
    make_transient_to_detached(row)  # as if loaded: no history, nothing to flush
    session.add(row)
    return row


async def take_conversation(
    session: AsyncSession,
    channel: str,
    address: str,
    now: datetime,
    *,
    replies: RepliesAsked | None = None,
) -> TakenConversation:
    """Create if missing and lock, in one statement (with `replies` counted in it)."""
    params = _params(channel=channel, address=address, now=now)
    if replies is None:
        (row,) = await hot_sql.run(session, _hot(session, "conversation"), params)
        return TakenConversation(int(row[0]), row[1] or {}, row[2])
    params.update(_params(lane=replies.lane, since=replies.since))
    (row,) = await hot_sql.run(session, _hot(session, "conversation_counted"), params)
    return TakenConversation(int(row[0]), row[1] or {}, row[2], int(row[3]))


async def save_conversation(
    session: AsyncSession,
    conv: TakenConversation,
    state: dict[str, Any],
    now: datetime,
    expires_at: datetime | None,
) -> None:
    """Write the new state; nothing when neither it nor its expiry changed (a stranger's
    help request, a command outside any flow): `updated_at` is when the state last changed."""
    if state == conv.state and expires_at == conv.expires_at:
        return
    await hot_sql.run(
        session,
        _hot(session, "save_conversation"),
        _params(id=conv.id, state=state, updated_at=now, expires_at=expires_at),
    )
    conv.state, conv.expires_at = state, expires_at
