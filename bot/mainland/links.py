"""Link a WeCom user id to a roster person (console roster column `wecom_userid`, CLI)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.types import Channel
from storage.models import ChannelAddress, Person
from storage.repos import audit
from storage.repos.people import address_row, addresses_of


async def link_wecom(
    session: AsyncSession,
    userid: str,
    person: Person,
    now: datetime,
    actor: str = "system",
    *,
    audited: bool = True,
) -> ChannelAddress:
    """The person's one WeCom address is `userid` (an older link of theirs is removed).

    Audited when it changes something; `audited=False` when the caller audits (roster import).
    """
    for old in await addresses_of(session, person.id):
        if old.channel == Channel.WECOM and old.address != userid:
            old.person_id = None
    addr = await address_row(session, Channel.WECOM, userid, now)
    changed = addr.person_id != person.id
    addr.person_id = person.id
    addr.unreachable_at = None
    if not changed or not audited:
        return addr
    audit.record(
        session,
        at=now,
        actor=actor,
        action="wecom_link",
        subject_type="person",
        subject_id=person.id,
        detail={"wecom_userid": userid},
    )
    return addr
