"""What the mainland channels do beyond sending: carrier-blocked numbers, held messages."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime

from bot.routing import queue_for_person, reachable_address
from content.replies import Reply
from dialogs.types import Channel, Lane
from storage.db import Database
from storage.models import OutboxMessage, Person
from storage.repos import audit, people
from storage.repos import cases as cases_repo
from storage.repos import outbox as outbox_repo
from storage.repos.people import address_row, person_by_phone

log = logging.getLogger(__name__)


async def mark_carrier_blocked(
    db: Database, phone: str, code: str, now: datetime, channels: Collection[str]
) -> int:
    """The carrier blocks SMS to this number: no more SMS to it, and each director of the
    person's children is asked to call (least detail: the guardian's name and number)."""
    told = 0
    async with db.transaction() as session:
        addr = await address_row(session, Channel.SMS, phone, now)
        first = addr.unreachable_at is None
        addr.unreachable_at = addr.unreachable_at or now
        addr.unreachable_reason = f"carrier_blocked: {code}"[:200]
        if not first:
            return 0
        audit.record(
            session,
            at=now,
            actor="provider:sms",
            action="carrier_blocked",
            subject_type="channel_address",
            subject_id=addr.id,
            detail={"code": code},
        )
        person = await person_by_phone(session, phone)
        if person is None:
            return 0
        directors = await people.directors_of_guardian(session, person.id)
        for director in directors:
            queued = await queue_for_person(
                session,
                director,
                Reply("mainland.carrier_blocked", {"name": person.name, "phone": phone}),
                lane=Lane.REPLY,
                now=now,
                channels=channels,
                dedup_key=f"carrier_blocked:{phone}:{director.id}:{now.date()}",
            )
            told += queued is not None
    log.warning("sms %s…: carrier blocked (%s); %d director(s) told", phone[:6], code, told)
    return told


async def reroute(
    db: Database, row: OutboxMessage, now: datetime, channels: Collection[str]
) -> str | None:
    """A message its channel cannot carry (no approved template): the person's next channel,
    or None — then it stays failed with `template_missing`, listed for administrators."""
    if row.person_id is None:
        return None
    others = [c for c in channels if c != row.channel]
    async with db.transaction() as session:
        person = await session.get(Person, row.person_id)
        if person is None:
            return None
        address = await reachable_address(session, person, others, now)
        if address is None:
            return None
        await outbox_repo.enqueue(
            session,
            channel=address.channel,
            address=address.address,
            person_id=person.id,
            message=row.message,
            lane=row.lane,
            now=now,
            dedup_key=f"reroute:{row.id}",
            bypass_opt_out=row.bypass_opt_out,
            inbound_id=row.inbound_id,
        )
        return address.channel


async def sms_after_unanswered_cards(
    db: Database, now: datetime, channels: Collection[str], limit: int = 200
) -> int:
    """A WeCom alert card not acted on by the case's acknowledgement deadline: the same alert
    by SMS (approved template) to that staff member, once (a scheduled job)."""
    if Channel.SMS not in channels:
        return 0
    queued = 0
    async with db.transaction() as session:
        rows = await cases_repo.unanswered_cards(session, Channel.WECOM, now, limit)
        for row, person in rows:
            if not person.phone or person.do_not_contact or not person.active:
                continue
            new = await outbox_repo.enqueue(
                session,
                channel=Channel.SMS,
                address=person.phone,
                person_id=person.id,
                message=row.message,
                lane=Lane.ALERT,
                now=now,
                dedup_key=f"wecom-sla-sms:{row.id}",
            )
            queued += new is not None
    if queued:
        log.warning("%d WeCom alert(s) unanswered past the deadline: sent again by SMS", queued)
    return queued
