"""Messages to a person (not the sender): choose their reachable channel and queue it.

Preference: WeCom (staff linked by WeCom user id; never guardians) > Telegram (linked,
reachable, not opted out) > SMS (their phone; +86 through the mainland gateways when they are
configured) > the local console (demo and simulator only, when no provider channel is
configured).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reply_json import reply_to_json
from content.replies import Reply
from dialogs.types import Channel, Lane, Role
from storage.models import ChannelAddress, Person
from storage.repos import outbox
from storage.repos.people import address_row, addresses_of

PREFERENCE = (Channel.WECOM, Channel.TELEGRAM, Channel.SMS, Channel.CONSOLE)
LINKED_ONLY = (Channel.WECOM, Channel.TELEGRAM)  # addresses that exist only once linked


def _usable(row: ChannelAddress | None) -> bool:
    return row is not None and row.opted_out_at is None and row.unreachable_at is None


async def reachable_address(
    session: AsyncSession,
    person: Person,
    channels: Collection[str],
    now: datetime,
    *,
    reminder: bool = False,
) -> ChannelAddress | None:
    """The address to use for this person now, or None if they cannot be reached.

    A reminder or digest (`reminder`) never reaches a person who said STOP on any channel."""
    if person.do_not_contact or not person.active:
        return None
    if reminder and person.opted_out_at is not None:
        return None
    linked = {(a.channel, a.address): a for a in await addresses_of(session, person.id)}
    for channel in PREFERENCE:
        if channel not in channels:
            continue
        if channel in LINKED_ONLY:
            if channel == Channel.WECOM and person.role == Role.GUARDIAN:
                continue  # guardians are reached by SMS (WeCom is for staff)
            for (ch, _), row in linked.items():
                if ch == channel and _usable(row):
                    return row
            continue
        if not person.phone:
            continue
        row = linked.get((channel, person.phone)) or await address_row(
            session, channel, person.phone, now
        )
        if row.person_id is None:
            row.person_id = person.id  # so the dispatcher renders in the person's locale
        if _usable(row):
            return row
        if row.opted_out_at is not None:
            return None  # they said stop on SMS: do not fall back to the console
    return None


async def queue_for_person(
    session: AsyncSession,
    person: Person,
    reply: Reply,
    *,
    lane: Lane,
    now: datetime,
    channels: Collection[str],
    not_before: datetime | None = None,
    dedup_key: str | None = None,
) -> int | None:
    """Queue `reply` for `person`; None when unreachable or when `dedup_key` was queued before."""
    address = await reachable_address(
        session, person, channels, now, reminder=lane == Lane.REMINDER
    )
    if address is None:
        return None
    return await outbox.enqueue(
        session,
        channel=address.channel,
        address=address.address,
        person_id=person.id,
        message=reply_to_json(reply),
        lane=lane,
        now=now,
        not_before=not_before,
        dedup_key=dedup_key,
    )
