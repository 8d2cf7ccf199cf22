"""Staff actions on cases (effects of dialogs/flows/hotline_staff.py), in the step's
transaction. Every read of a case by staff is written to the audit log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.effects import StepScope
from bot.hotline.guardians import LINK_RELATIONS, guardian_for
from bot.hotline.runtime import Hotline
from bot.outbox import reply_to_json
from bot.routing import queue_for_person
from dialogs.flows import hotline_staff as cmd
from dialogs.types import Lane, Reply
from storage.models import Case, Person
from storage.repos import audit, outbox
from storage.repos import cases as repo

OVERRIDE_ROLES = frozenset({"supervisor", "admin"})


def _say(scope: StepScope, key: str, **params: Any) -> None:
    scope.extra_replies.append(Reply(key, params))


async def _case(scope: StepScope, ref: str) -> tuple[Case, Person] | None:
    person = scope.person
    if person is None or person.role not in cmd.STAFF_ROLES:
        _say(scope, "flow.not_for_role")
        return None
    case = await repo.case_by_ref(scope.session, ref)
    if case is None:
        _say(scope, "hotline.staff.not_found", ref=ref)
        return None
    audit.record(
        scope.session, at=scope.now, actor=scope.actor, action="case_read",
        subject_type="case", subject_id=case.id,
    )  # fmt: skip
    return case, person


def _acknowledge(case: Case, person: Person, now: datetime) -> None:
    if case.acknowledged_at is None:
        case.acknowledged_at = now
    if case.owner_id is None:
        case.owner_id = person.id
        if case.status == "open":
            case.status = "claimed"


async def _may_act(scope: StepScope, case: Case, person: Person) -> bool:
    if case.status == "closed":
        _say(scope, "hotline.staff.closed", ref=case.ref)
        return False
    if case.owner_id in (None, person.id) or person.role in OVERRIDE_ROLES:
        return True
    owner = await scope.session.get(Person, case.owner_id)
    _say(scope, "hotline.staff.taken", ref=case.ref, owner=owner.name if owner else "?")
    return False


async def claim(hl: Hotline, scope: StepScope, effect: cmd.ClaimCase) -> None:
    found = await _case(scope, effect.ref)
    if found is None:
        return
    case, person = found
    if not await _may_act(scope, case, person):
        return
    if case.owner_id == person.id:
        _say(scope, "hotline.staff.claimed", ref=case.ref)
        return
    case.owner_id = person.id
    case.status = "claimed" if case.status == "open" else case.status
    case.acknowledged_at = case.acknowledged_at or scope.now
    repo.add_event(scope.session, case, "claimed", at=scope.now, actor=scope.actor)
    _say(scope, "hotline.staff.claimed", ref=case.ref)


async def note(hl: Hotline, scope: StepScope, effect: cmd.NoteCase) -> None:
    found = await _case(scope, effect.ref)
    if found is None:
        return
    case, person = found
    _acknowledge(case, person, scope.now)
    repo.add_event(
        scope.session, case, "note", at=scope.now, actor=scope.actor,
        detail={"text": effect.text}, inbound_id=scope.inbound_id,
    )  # fmt: skip
    _say(scope, "hotline.staff.noted", ref=case.ref)


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
    return await outbox.enqueue(
        session, channel=case.reporter_channel, address=case.reporter_address,
        message=reply_to_json(reply), lane=Lane.REPLY, now=now,
    )  # fmt: skip


async def reply(hl: Hotline, scope: StepScope, effect: cmd.ReplyToReporter) -> None:
    found = await _case(scope, effect.ref)
    if found is None:
        return
    case, person = found
    if not await _may_act(scope, case, person):
        return
    _acknowledge(case, person, scope.now)
    message = Reply("hotline.reply_to_reporter", {"ref": case.ref, "text": effect.text})
    outbox_id = await send_to_reporter(hl, scope.session, case, message, scope.now)
    if outbox_id is None:
        _say(scope, "hotline.staff.reporter_unreachable", ref=case.ref)
        return
    case.relay_until = scope.now + hl.config.relay_window
    repo.add_event(
        scope.session, case, "reply", at=scope.now, actor=scope.actor,
        detail={"text": effect.text}, outbox_id=outbox_id, inbound_id=scope.inbound_id,
    )  # fmt: skip
    _say(scope, "hotline.staff.reply_sent", ref=case.ref)


async def refer(hl: Hotline, scope: StepScope, effect: cmd.ReferCase) -> None:
    found = await _case(scope, effect.ref)
    if found is None:
        return
    case, person = found
    if not await _may_act(scope, case, person):
        return
    _acknowledge(case, person, scope.now)
    case.status = "referred"
    repo.add_event(
        scope.session, case, "referral", at=scope.now, actor=scope.actor,
        detail={"agency": effect.agency},
    )  # fmt: skip
    _say(scope, "hotline.staff.referred", ref=case.ref, agency=effect.agency)


async def close(hl: Hotline, scope: StepScope, effect: cmd.CloseCase) -> None:
    found = await _case(scope, effect.ref)
    if found is None:
        return
    case, person = found
    if not await _may_act(scope, case, person):
        return
    _acknowledge(case, person, scope.now)
    case.status, case.closed_at, case.outcome = "closed", scope.now, effect.outcome
    case.relay_until = None
    repo.add_event(
        scope.session, case, "closed", at=scope.now, actor=scope.actor,
        detail={"outcome": effect.outcome},
    )  # fmt: skip
    _say(scope, "hotline.staff.closed_ok", ref=case.ref)


async def suspect(hl: Hotline, scope: StepScope, effect: cmd.SetSuspect) -> None:
    found = await _case(scope, effect.ref)
    if found is None:
        return
    case, _ = found
    if effect.relation is None:
        case.suspected_guardian_id = None
    else:
        guardian = (
            await guardian_for(scope.session, case.child_id, {effect.relation})
            if case.child_id is not None and effect.relation in LINK_RELATIONS
            else None
        )
        if guardian is None:
            _say(scope, "hotline.staff.suspect_unknown", ref=case.ref)
            return
        case.suspected_guardian_id = guardian
    repo.add_event(
        scope.session, case, "guardian_suspected", at=scope.now, actor=scope.actor,
        detail={"guardian_id": case.suspected_guardian_id, "by": "staff"},
    )  # fmt: skip
    _say(scope, "hotline.staff.suspect_set", ref=case.ref)


async def list_cases(hl: Hotline, scope: StepScope, effect: cmd.ListCases) -> None:
    if scope.person is None or scope.person.role not in cmd.STAFF_ROLES:
        _say(scope, "flow.not_for_role")
        return
    cases = await repo.active_cases(scope.session)
    audit.record(
        scope.session, at=scope.now, actor=scope.actor, action="case_list",
        subject_type="case", detail={"count": len(cases)},
    )  # fmt: skip
    lines = "\n".join(f"{c.ref} {c.severity} {c.category} {c.status}" for c in cases)
    _say(scope, "hotline.staff.list", count=len(cases), lines=lines or "-")


async def show(hl: Hotline, scope: StepScope, effect: cmd.ShowCase) -> None:
    found = await _case(scope, effect.ref)
    if found is None:
        return
    case, _ = found
    events = await repo.timeline(scope.session, case.id)
    lines = "\n".join(
        f"{e.at.astimezone(hl.tz):%m-%d %H:%M} {e.kind}"
        + (f": {e.detail['text']}" if "text" in e.detail else "")
        for e in events
    )
    _say(
        scope, "hotline.staff.show", ref=case.ref, status=case.status, severity=case.severity,
        category=case.category, reporter=case.reporter_role, lines=lines,
    )  # fmt: skip


Handler = Callable[[Hotline, StepScope, Any], Awaitable[None]]
HANDLERS: dict[type, Handler] = {
    cmd.ClaimCase: claim,
    cmd.NoteCase: note,
    cmd.ReplyToReporter: reply,
    cmd.ReferCase: refer,
    cmd.CloseCase: close,
    cmd.SetSuspect: suspect,
    cmd.ListCases: list_cases,
    cmd.ShowCase: show,
}
