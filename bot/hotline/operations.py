"""What staff do to a case, shared by the message commands (`bot.hotline.staff`) and the
web console: claim, note, reply to the reporter, refer, close. Each runs in the caller's
transaction and answers with a catalog key (and its parameters) saying what happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.hotline.guardians import LINK_RELATIONS, guardian_for
from bot.hotline.runtime import Hotline
from bot.reply_json import reply_to_json
from bot.routing import queue_for_person
from bot.screening.store import shipped_categories as categories
from content.catalog import Text
from content.replies import Reply
from dialogs.flows.hotline_staff import STAFF_ROLES
from dialogs.types import Lane
from storage.models import Case, Person
from storage.repos import audit, outbox, people
from storage.repos import cases as repo

OVERRIDE_ROLES = frozenset({"supervisor", "admin"})


@dataclass(frozen=True)
class Actor:
    """Who acts: their roster person (the case owner), the audit/timeline name, and whether
    they may act on someone else's case (supervisors and administrators)."""

    person: Person
    name: str  # "person:4" (by message) or "user:alice" (console)
    override: bool = False
    inbound_id: int | None = None

    @classmethod
    def of(cls, person: Person, name: str, inbound_id: int | None = None) -> Actor:
        return cls(person, name, person.role in OVERRIDE_ROLES, inbound_id)


@dataclass(frozen=True)
class Result:
    ok: bool
    key: str
    params: dict[str, Any] = field(default_factory=dict)


def acknowledge(case: Case, person: Person, now: datetime) -> None:
    """Any action stops the SLA clock; the first actor becomes the owner of an open case."""
    if case.acknowledged_at is None:
        case.acknowledged_at = now
    if case.owner_id is None:
        case.owner_id = person.id
        if case.status == "open":
            case.status = "claimed"


async def refusal(session: AsyncSession, case: Case, who: Actor) -> Result | None:
    """Why `who` may not act on the case (closed, or held by someone else); None: they may."""
    if case.status == "closed":
        return Result(False, "hotline.staff.closed", {"ref": case.ref})
    if case.owner_id in (None, who.person.id) or who.override:
        return None
    owner = await session.get(Person, case.owner_id)
    return Result(
        False, "hotline.staff.taken", {"ref": case.ref, "owner": owner.name if owner else "?"}
    )


async def claim(
    session: AsyncSession, case: Case, who: Actor, now: datetime, hl: Hotline | None = None
) -> Result:
    refused = await refusal(session, case, who)
    if refused is not None:
        return refused
    done = Result(True, "hotline.staff.claimed", {"ref": case.ref})
    if case.owner_id == who.person.id:
        return done
    previous = case.owner_id
    case.owner_id = who.person.id
    case.status = "claimed" if case.status == "open" else case.status
    case.acknowledged_at = case.acknowledged_at or now
    repo.add_event(
        session, case, "claimed", at=now, actor=who.name,
        detail={"from": previous} if previous is not None else None,
    )  # fmt: skip
    if previous is not None and hl is not None:  # a takeover: the previous owner is told
        await _tell_person(
            hl, session, previous, Reply("hotline.staff.taken_over", {"ref": case.ref,
            "by": who.person.name}), now,
        )  # fmt: skip
    return done


async def _tell_person(
    hl: Hotline, session: AsyncSession, person_id: int, message: Reply, now: datetime
) -> None:
    person = await session.get(Person, person_id)
    if person is not None:
        await queue_for_person(
            session, person, message, lane=Lane.REPLY, now=now, channels=hl.channels
        )


async def unclaim(session: AsyncSession, case: Case, who: Actor, now: datetime) -> Result:
    """Give the case back to the queue (its owner, or a supervisor/administrator)."""
    refused = await refusal(session, case, who)
    if refused is not None:
        return refused
    if case.owner_id is None:
        return Result(False, "hotline.staff.not_held", {"ref": case.ref})
    repo.add_event(
        session, case, "unclaimed", at=now, actor=who.name, detail={"from": case.owner_id}
    )
    case.owner_id = None
    if case.status == "claimed":
        case.status = "open"
    return Result(True, "hotline.staff.unclaimed", {"ref": case.ref})


async def reassign(
    hl: Hotline, session: AsyncSession, case: Case, who: Actor, to: Person | None, now: datetime
) -> Result:
    """Hand the case to another staff member, who is told; so is the previous owner."""
    refused = await refusal(session, case, who)
    if refused is not None:
        return refused
    if to is None or not to.active or to.role not in STAFF_ROLES:
        return Result(False, "hotline.staff.bad_assignee", {"ref": case.ref})
    previous = case.owner_id
    acknowledge(case, who.person, now)
    case.owner_id = to.id
    if case.status == "open":
        case.status = "claimed"
    repo.add_event(
        session, case, "reassigned", at=now, actor=who.name,
        detail={"from": previous, "to": to.id},
    )  # fmt: skip
    await _tell_person(
        hl, session, to.id, Reply("hotline.staff.assigned_to_you", {"ref": case.ref,
        "by": who.person.name}), now,
    )  # fmt: skip
    if previous is not None and previous not in (to.id, who.person.id):
        await _tell_person(
            hl, session, previous, Reply("hotline.staff.taken_over", {"ref": case.ref,
            "by": to.name}), now,
        )  # fmt: skip
    return Result(True, "hotline.staff.reassigned", {"ref": case.ref, "to": to.name})


async def reopen(
    session: AsyncSession, case: Case, who: Actor, reason: str, now: datetime
) -> Result:
    if case.status != "closed":
        return Result(False, "hotline.staff.not_closed", {"ref": case.ref})
    case.status = "claimed" if case.owner_id is not None else "open"
    case.closed_at = None
    repo.add_event(session, case, "reopened", at=now, actor=who.name, detail={"text": reason})
    return Result(True, "hotline.staff.reopened", {"ref": case.ref})


async def note(session: AsyncSession, case: Case, who: Actor, text: str, now: datetime) -> Result:
    acknowledge(case, who.person, now)
    repo.add_event(
        session, case, "note", at=now, actor=who.name, detail={"text": text},
        inbound_id=who.inbound_id,
    )  # fmt: skip
    return Result(True, "hotline.staff.noted", {"ref": case.ref})


async def send_to_reporter(
    hl: Hotline, session: AsyncSession, case: Case, reply: Reply, now: datetime
) -> int | None:
    """A message to the case's reporter on their channel; never to a suspected guardian."""
    if case.reporter_person_id is not None:
        if case.reporter_person_id == case.suspected_guardian_id:
            return None
        reporter = await session.get(Person, case.reporter_person_id)
        if reporter is None:
            return None
        return await queue_for_person(
            session, reporter, reply, lane=Lane.REPLY, now=now, channels=hl.channels
        )
    address = await people.find_address(session, case.reporter_channel, case.reporter_address)
    if address is not None and (
        address.opted_out_at is not None or address.unreachable_at is not None
    ):
        return None  # it would be suppressed: staff are told it was not sent, never "sent"
    return await outbox.enqueue(
        session, channel=case.reporter_channel, address=case.reporter_address,
        message=reply_to_json(reply), lane=Lane.REPLY, now=now,
    )  # fmt: skip


async def reply(
    hl: Hotline, session: AsyncSession, case: Case, who: Actor, text: str, now: datetime
) -> Result:
    refused = await refusal(session, case, who)
    if refused is not None:
        return refused
    acknowledge(case, who.person, now)
    message = Reply("hotline.reply_to_reporter", {"ref": case.ref, "text": text})
    outbox_id = await send_to_reporter(hl, session, case, message, now)
    if outbox_id is None:
        return Result(False, "hotline.staff.reporter_unreachable", {"ref": case.ref})
    case.relay_until = now + hl.config.relay_window
    repo.add_event(
        session, case, "reply", at=now, actor=who.name,
        detail={"text": text, "by": who.person.id},
        outbox_id=outbox_id, inbound_id=who.inbound_id,
    )  # fmt: skip
    return Result(True, "hotline.staff.reply_sent", {"ref": case.ref})


async def refer(
    session: AsyncSession, case: Case, who: Actor, agency: str, now: datetime
) -> Result:
    refused = await refusal(session, case, who)
    if refused is not None:
        return refused
    acknowledge(case, who.person, now)
    case.status = "referred"
    repo.add_event(session, case, "referral", at=now, actor=who.name, detail={"agency": agency})
    label = Text(f"console.agency.{agency}")  # 公安, 民政 …: never the id
    return Result(True, "hotline.staff.referred", {"ref": case.ref, "agency": label})


NO_POLICE_PREFIXES = ("未报警", "未報警", "no police:", "no police")


def no_police_reason_in(outcome: str) -> str | None:
    """The written reason in "未报警 <reason>" (a statutory case closed without the police)."""
    text = outcome.strip()
    for prefix in NO_POLICE_PREFIXES:
        if text.lower().startswith(prefix):
            return text[len(prefix) :].strip(" :：,，") or None
    return None


async def police_recorded(session: AsyncSession, case: Case) -> bool:
    """A police referral by staff, or the reporter's "已报警", is on the timeline."""
    return any(
        e.kind == "police_reported" or (e.kind == "referral" and e.detail.get("agency") == "police")
        for e in await repo.timeline(session, case.id)
    )


async def close(
    session: AsyncSession,
    case: Case,
    who: Actor,
    outcome: str,
    now: datetime,
    *,
    no_police_reason: str | None = None,
) -> Result:
    """Close; a case in a statutory category needs a recorded police referral first, or a
    written reason why not (`no_police_reason`, or an outcome "未报警 <reason>")."""
    refused = await refusal(session, case, who)
    if refused is not None:
        return refused
    if categories().is_statutory(case.category) and not await police_recorded(session, case):
        reason = (no_police_reason or "").strip() or no_police_reason_in(outcome)
        if not reason:
            return Result(False, "hotline.staff.close_needs_police", {"ref": case.ref})
        repo.add_event(
            session, case, "no_police_reason", at=now, actor=who.name, detail={"text": reason}
        )
    acknowledge(case, who.person, now)
    case.status, case.closed_at, case.outcome = "closed", now, outcome
    case.relay_until = None
    repo.add_event(session, case, "closed", at=now, actor=who.name, detail={"outcome": outcome})
    return Result(True, "hotline.staff.closed_ok", {"ref": case.ref})


async def set_suspect(
    session: AsyncSession,
    case: Case,
    who: Actor,
    relation: str | None,
    reason: str,
    now: datetime,
) -> Result:
    """Set (relation) or clear (None) the guardian suspected of the harm, with a reason; the
    change is on the timeline and in the audit log, and a new suspect's queue is cancelled."""
    if not reason.strip():
        return Result(False, "hotline.staff.suspect_needs_reason", {"ref": case.ref})
    if relation is None:
        case.suspected_guardian_id = None
    else:
        guardian = (
            await guardian_for(session, case.child_id, {relation})
            if case.child_id is not None and relation in LINK_RELATIONS
            else None
        )
        if guardian is None:
            return Result(False, "hotline.staff.suspect_unknown", {"ref": case.ref})
        case.suspected_guardian_id = guardian
    suspect_id = case.suspected_guardian_id
    cancelled = await repo.cancel_queued_for_suspect(session, suspect_id) if suspect_id else 0
    detail = {"guardian_id": suspect_id, "by": "staff", "reason": reason, "cancelled": cancelled}
    repo.add_event(session, case, "guardian_suspected", at=now, actor=who.name, detail=detail)
    audit.record(
        session, at=now, actor=who.name,
        action="suspect_set" if suspect_id else "suspect_cleared",
        subject_type="case", subject_id=case.id, detail={"reason": reason},
    )  # fmt: skip
    return Result(True, "hotline.staff.suspect_set", {"ref": case.ref})
