"""Opening a case, or adding to the reporter's open one: the `OpenCase` effect handler.

A concern joins the reporter's active case when that case saw activity within the merge
window (default 2 h) and is about the same child (or no child is known): the urgent flow's
report and a screen hit in the same conversation become one case. A merge that raises the
severity shortens the acknowledgement deadline and alerts the staff again.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.effects import StepScope
from bot.hotline.alerts import alert_staff, refresh_queued_alerts
from bot.hotline.guardians import HARM_CATEGORIES, accused_relations, guardian_for
from bot.hotline.runtime import Hotline
from bot.screening.store import shipped_categories
from content.normalize import command_form, fold
from dialogs.effects import OpenCase
from dialogs.screening.lexicon import severity_rank
from dialogs.screening.replies import PRESENT_DANGER, duty_applies
from dialogs.types import Role
from storage.models import Case, Child, Person
from storage.repos import cases as repo
from storage.repos.people import children_of_director, children_of_guardian

log = logging.getLogger(__name__)
REVIEW = "review"


async def _children_of(session: AsyncSession, person: Person | None) -> list[Child]:
    if person is None:
        return []
    if person.role == Role.DIRECTOR:
        return await children_of_director(session, person.id)
    if person.role == Role.GUARDIAN:
        return await children_of_guardian(session, person.id)
    return []


def _mentions(child: Child, text: str) -> bool:
    folded = fold(text)
    code = re.search(rf"(?<![a-z0-9]){re.escape(child.code.lower())}(?![0-9])", folded)
    return (
        bool(code)
        or child.name in text
        or (len(child.display_name) >= 2 and child.display_name in text)
    )


async def resolve_child(
    session: AsyncSession, person: Person | None, effect: OpenCase
) -> Child | None:
    """The reporter's own child the concern is about, when it can be told for sure."""
    children = await _children_of(session, person)
    if effect.child_code:
        form = command_form(effect.child_code)
        named = [c for c in children if form in (command_form(c.code), command_form(c.name))]
        if len(named) == 1:
            return named[0]
    mentioned = [c for c in children if _mentions(c, effect.text)]
    if len(mentioned) == 1:
        return mentioned[0]
    if person is not None and person.role == Role.GUARDIAN and len(children) == 1:
        return children[0]
    return None


# Categories that name no kind of harm: a case of one of them is "someone is in danger",
# which the next message usually explains (the urgent flow's first words, "快来人").
VAGUE = frozenset({"unclassified", PRESENT_DANGER})


def another_concern(case: Case, effect: OpenCase) -> bool:
    """The effect is a concern of another kind than the case (another group of the
    categories): its own case and alert, never merged into this one.

    - A vague effect ("快来人", unclassified) or a review never is: it adds to the case.
    - A critical one always is (a missing daughter after a report of a neighbour's boy
      beaten, even from the learned model alone): a critical concern is never hidden in
      another case.
    - Otherwise it is when the lexicon's terms name it, and the case has a kind of its own:
      a learned model's category alone is not enough (it read "就在东村三组，孩子大概8岁",
      a follow-up's detail, as a pregnancy), and "someone is in danger" is explained, not
      contradicted, by the next message."""
    if effect.source == REVIEW or effect.category in VAGUE:
        return False
    if not shipped_categories().distinct(case.category, effect.category):
        return False
    if effect.severity == "critical":
        return True
    return bool(effect.matched) and case.category not in VAGUE


async def open_case(hl: Hotline, scope: StepScope, effect: OpenCase) -> Case:
    return (await open_case_told(hl, scope, effect))[0]


async def open_case_told(hl: Hotline, scope: StepScope, effect: OpenCase) -> tuple[Case, bool]:
    """The case opened or merged, and whether the reporter's duty was first recorded now."""
    session, now, person = scope.session, scope.now, scope.person
    child = await resolve_child(session, person, effect)
    case = await repo.mergeable_case(
        session,
        channel=scope.address.channel,
        address=scope.address.address,
        child_id=child.id if child else None,
        since=now - hl.config.merge_window,
    )
    if case is not None and another_concern(case, effect):
        case = None  # another kind of harm (a missing child after a self-harm report): its own
    detail = {
        "source": effect.source,
        "text": effect.text,
        "matched": list(effect.matched),
        "category": effect.category,
        "severity": effect.severity,
    }
    review = effect.source == REVIEW
    if case is None:
        case = await repo.create_case(
            session,
            now=now,
            tz=hl.tz,
            category=effect.category,
            severity=effect.severity,
            source=effect.source,
            reporter_person_id=person.id if person else None,
            reporter_role=person.role if person else "unknown",
            reporter_channel=scope.address.channel,
            reporter_address=scope.address.address,
            ack_due_at=(
                hl.config.review_due(now, hl.tz)
                if review
                else now + hl.config.sla_for(effect.severity)
            ),
            needs_review=review,
        )
        repo.add_event(
            session, case, "created", at=now, actor=scope.actor, detail=detail,
            inbound_id=scope.inbound_id,
        )  # fmt: skip
        _fill(case, effect, child)
        await _suspect(session, case, effect, person)
        told = await _duty(session, case, effect, person, now)
        if not review:  # the review lane pages nobody: it waits in the queue, apart
            await alert_staff(hl, session, case, reason="created", now=now)
        log.info("case %s opened (%s, %s)", case.ref, case.category, case.severity)
        return case, told
    raised = _raises(case, effect)
    answers_before = (case.in_danger, case.callback_ok)
    repo.add_event(
        session, case, "merged", at=now, actor=scope.actor, detail=detail,
        inbound_id=scope.inbound_id,
    )  # fmt: skip
    _fill(case, effect, child)
    await _suspect(session, case, effect, person)
    told = await _duty(session, case, effect, person, now)
    if case.needs_review and not review:
        # the screen is sure now: out of the review lane, onto the alert lane with its SLA
        case.needs_review = False
        case.severity, case.category = effect.severity, _category(case, effect)
        if case.acknowledged_at is None:
            case.ack_due_at = now + hl.config.sla_for(effect.severity)
        await alert_staff(hl, session, case, reason="created", now=now)
        return case, told
    if review:
        if case.category == "unclassified" and effect.category != "unclassified":
            case.category = effect.category
        return case, told
    if raised:
        case.severity, case.category = effect.severity, _category(case, effect)
        if case.acknowledged_at is None:
            due = now + hl.config.sla_for(effect.severity)
            case.ack_due_at = min(case.ack_due_at or due, due)
            if case.next_check_at is not None:
                case.next_check_at = min(case.next_check_at, due)
        if not await refresh_queued_alerts(session, case):
            await alert_staff(hl, session, case, reason="severity_raised", now=now)
    elif (case.in_danger, case.callback_ok) != answers_before:
        # the urgent flow's answers (in danger now, may we call back) reach staff
        if not await refresh_queued_alerts(session, case):
            await alert_staff(hl, session, case, reason="updated", now=now)
    elif case.category == "unclassified" and effect.category != "unclassified":
        case.category = effect.category
    return case, told


async def _duty(
    session: AsyncSession, case: Case, effect: OpenCase, person: Person | None, now: datetime
) -> bool:
    """A mandated reporter was told to report to 公安 (the same rule as the reply): recorded
    once per case. True when recorded now."""
    if person is None or not duty_applies(
        person.role, effect.category, effect.severity, shipped_categories()
    ):
        return False
    if await repo.has_event(session, case.id, "duty_told"):
        return False
    repo.add_event(
        session, case, "duty_told", at=now, actor="system",
        detail={"role": person.role, "category": effect.category},
    )  # fmt: skip
    return True


def _raises(case: Case, effect: OpenCase) -> bool:
    return severity_rank(effect.severity) > severity_rank(case.severity)


def _category(case: Case, effect: OpenCase) -> str:
    return case.category if effect.category == "unclassified" else effect.category


def _fill(case: Case, effect: OpenCase, child: Child | None) -> None:
    if child is not None and case.child_id is None:
        case.child_id, case.child_code = child.id, child.code
    elif effect.child_code and not case.child_code:
        case.child_code = effect.child_code[:100]
    if effect.location and not case.location:
        case.location = effect.location[:200]
    if effect.in_danger is not None and not case.in_danger:
        case.in_danger = effect.in_danger
    if effect.callback_ok is not None:
        case.callback_ok = effect.callback_ok


async def _suspect(
    session: AsyncSession, case: Case, effect: OpenCase, person: Person | None
) -> None:
    if case.suspected_guardian_id is not None or case.child_id is None:
        return
    if effect.category not in HARM_CATEGORIES:
        return
    accused = accused_relations(effect.text, effect.matched)
    suspect = await guardian_for(session, case.child_id, accused)
    if suspect is None or (person is not None and suspect == person.id):
        return
    case.suspected_guardian_id = suspect
    cancelled = await repo.cancel_queued_for_suspect(session, suspect)
    repo.add_event(
        session, case, "guardian_suspected", at=case.last_activity_at, actor="system",
        detail={"guardian_id": suspect, "by": "screen", "cancelled": cancelled},
    )  # fmt: skip
