"""Recording guardian consent on a child's record: in person (the director, or staff in the
console on the director's word), or by the guardian's reply to a consent message. Every
change is audited (`consent.record`, `consent.withdraw`, `consent.request`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.effects import StepScope
from bot.routing import queue_for_person
from content.replies import Reply
from dialogs import effects as fx
from dialogs.types import Lane, Role
from storage.models import Child, Person
from storage.repos import audit, people

if TYPE_CHECKING:
    from bot.host import Host


def record(
    session: AsyncSession,
    child: Child,
    *,
    method: str,
    guardian_id: int | None,
    actor: str,
    now: datetime,
) -> None:
    child.consent_at, child.consent_method = now, method
    child.consent_guardian_id, child.consent_recorded_by = guardian_id, actor
    audit.record(
        session, at=now, actor=actor, action="consent.record", subject_type="child",
        subject_id=child.id, detail={"method": method, "guardian_id": guardian_id},
    )  # fmt: skip


def withdraw(
    session: AsyncSession, child: Child, *, actor: str, now: datetime, reason: str
) -> None:
    child.consent_at = child.consent_method = child.consent_guardian_id = None
    child.consent_recorded_by = None
    audit.record(
        session, at=now, actor=actor, action="consent.withdraw", subject_type="child",
        subject_id=child.id, detail={"reason": reason},
    )  # fmt: skip


async def primary_guardian(session: AsyncSession, child: Child) -> Person | None:
    return await people.primary_guardian(session, child.id)


async def request(
    app: Host, session: AsyncSession, child: Child, *, actor: str, now: datetime
) -> bool:
    """Send the consent message to the child's primary guardian; False if nobody can get it."""
    guardian = await primary_guardian(session, child)
    queued = None
    if guardian is not None:
        queued = await queue_for_person(
            session, guardian, Reply("consent.request", {"code": child.code}), lane=Lane.REPLY,
            now=now, channels=app.channels,
        )  # fmt: skip
    if queued is not None:
        child.consent_requested_at = now
    audit.record(
        session, at=now, actor=actor, action="consent.request", subject_type="child",
        subject_id=child.id,
        detail={"guardian_id": guardian.id if guardian else None, "queued": queued is not None},
    )  # fmt: skip
    return queued is not None


async def director_records(scope: StepScope, effect: fx.RecordConsent) -> None:
    person = scope.person
    child = await scope.session.get(Child, effect.child_id)
    if (
        person is None
        or person.role != Role.DIRECTOR
        or child is None
        or child.director_id != person.id
    ):
        scope.extra_replies.append(Reply("childfile.refused"))
        return
    guardian = await primary_guardian(scope.session, child)
    record(
        scope.session, child, method="in_person", guardian_id=guardian.id if guardian else None,
        actor=scope.actor, now=scope.now,
    )  # fmt: skip
    scope.extra_replies.append(Reply("consent.recorded", {"code": child.code}))


async def guardian_replies(scope: StepScope, effect: fx.ConsentReply) -> None:
    person = scope.person
    if person is None or person.role != Role.GUARDIAN:
        scope.extra_replies.append(Reply("consent.nothing_asked"))
        return
    children = await people.awaiting_consent(scope.session, person.id)
    if not children:
        scope.extra_replies.append(Reply("consent.nothing_asked"))
        return
    for child in children:
        record(
            scope.session, child, method="reply", guardian_id=person.id, actor=scope.actor,
            now=scope.now,
        )  # fmt: skip
    scope.extra_replies.append(Reply("consent.thanks"))
