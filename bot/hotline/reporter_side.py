"""The reporter's side of a case: what their idle free text does after a report.

- "已报警" from the reporter of an active case records the police report on it.
- "取消" inside the relay window ends it.
- Free text the dialog would not understand (never a command, never inside a flow) joins the
  case it answers: inside the relay window (after a staff reply) it is relayed to the case
  owner, inside the merge window (after their own report) it is added as details; the
  reporter gets one acknowledgement. Small talk and a bare number ("你好", "谢谢", "12") are
  never added as details: the dialog answers them (the menu, the idle line). Relayed text
  takes the reply lane, the alert lane only when it screens as urgent. Text about another of
  the reporter's children is not relayed: it opens or merges that child's own case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.effects import StepScope
from bot.hotline.cases import another_concern, resolve_child
from bot.hotline.runtime import Hotline
from bot.routing import queue_for_person
from content.normalize import command_form
from content.replies import Reply
from dialogs.effects import OpenCase
from dialogs.screening.decision import Decision
from dialogs.screening.replies import MANDATED_REPORTERS, REVIEW_NOTED
from dialogs.types import IDLE, Lane, Outcome
from storage.models import Case, Person
from storage.repos import cases as repo

if TYPE_CHECKING:
    from bot.host import Host


def not_understood(app: Host, scope: StepScope, outcome: Outcome) -> bool:
    """The dialog's step did not understand the text (`Outcome.understood`: no command, no
    menu pick, no flow's answer), or it is small talk (the menu answers "谢谢" when idle;
    inside a relay it goes to staff)."""
    if app.service.engine.keywords.is_word("small_talk", scope.inbound.text):
        return True
    return not outcome.understood


def chatter(app: Host, text: str) -> bool:
    """Small talk (the idle replies' list), a bare number or a command word ("更多" with no
    list open, "english"): never a detail of a case; the dialog answers it."""
    keywords = app.service.engine.keywords
    return (
        keywords.is_word("small_talk", text)
        or command_form(text).isdigit()
        or keywords.flow_for(text) is not None
        or keywords.language_named(text) is not None
    )


async def latest_reported_case(scope: StepScope) -> Case | None:
    """The newest active case this sender reported (by address, or as the same person)."""
    return await repo.latest_active_reported(
        scope.session,
        scope.address.channel,
        scope.address.address,
        scope.person.id if scope.person else None,
    )


async def police_reported(app: Host, scope: StepScope) -> Reply | None:
    """ "已报警" from someone who reported a case that is still active: recorded on that case
    (whatever the reporter was doing; it is never screened as a new concern, although it
    names the police). A mandated reporter is told the case's reference (their duty is
    recorded); a guardian or an unknown number only that it was noted. None: not that, or
    no such case."""
    text = scope.inbound.text.strip()
    if not app.service.engine.keywords.is_word("police_reported", text):
        return None
    case = await latest_reported_case(scope)
    if case is None:
        return None
    repo.add_event(
        scope.session, case, "police_reported", at=scope.now, actor=scope.actor,
        detail={"by": "reporter", "text": text}, inbound_id=scope.inbound_id,
    )  # fmt: skip
    case.last_activity_at = scope.now
    person = scope.person
    if person is not None and person.role in MANDATED_REPORTERS:
        return Reply("safety.duty.recorded", {"ref": case.ref})
    return Reply("safety.police_noted")


async def idle_text(
    app: Host,
    hl: Hotline,
    scope: StepScope,
    decision: Decision,
    effect: OpenCase | None,
    replies: tuple[Reply, ...],
    *,
    understood: bool,
) -> Outcome | None:
    """What idle text does to the sender's own case (None: nothing; the dialog's answer
    stands). `understood`: the dialog's step understood the text (a relay's, as idle)."""
    keywords = app.service.engine.keywords
    text = scope.inbound.text.strip()
    person = scope.person
    cancel = keywords.is_word("cancel", text)
    if understood and not cancel:
        return None  # a command, a menu pick, a flow's answer: the dialog handles it
    # looked up only for free text and "cancel" (not for every command): one query less
    relay = await repo.relay_case(
        scope.session, scope.address.channel, scope.address.address,
        person.id if person else None, scope.now,
    )  # fmt: skip
    if relay is not None and cancel:
        relay.relay_until = scope.now
        repo.add_event(scope.session, relay, "relay_ended", at=scope.now, actor=scope.actor)
        return Outcome(IDLE, (Reply("hotline.relay.ended"),))
    if cancel and understood:
        return None  # "cancel" with no relay open: the dialog handles it
    kind = "reporter_message"
    case = relay
    if case is None:
        if chatter(app, text):
            return None  # "你好", "谢谢", "12": no detail of the case; the dialog answers it
        kind = "details"
        case = await repo.mergeable_case(
            scope.session, channel=scope.address.channel, address=scope.address.address,
            child_id=None, since=scope.now - hl.config.merge_window,
        )  # fmt: skip
    if case is None:
        return None
    if kind == "details" and effect is not None and another_concern(case, effect):
        return None  # another kind of harm: a concern of its own, never a detail of this case
    child = await resolve_child(
        scope.session, person, OpenCase("unclassified", "medium", text, (), source="review")
    )
    if child is not None and case.child_id is not None and child.id != case.child_id:
        # about another child: that child's own case, never this one's relay
        own = effect or OpenCase(
            "unclassified", "medium", text, (), source="review", child_code=child.code
        )
        return Outcome(IDLE, replies or (Reply(REVIEW_NOTED),), (own,))
    if effect is None or kind == "details":
        repo.add_event(
            scope.session, case, kind, at=scope.now, actor=scope.actor,
            detail={"text": text}, inbound_id=scope.inbound_id,
        )  # fmt: skip
        case.last_activity_at = scope.now
    await _forward(hl, scope, case, text, kind, urgent=decision.escalate)
    ack = "hotline.relay.forwarded" if kind == "reporter_message" else "hotline.details.added"
    if kind == "details" and effect is not None:
        # a follow-up that screens as a concern itself: merged into the case (its effect);
        # the reporter hears that it was added, after the safety replies when it alerts
        said = (*replies, Reply(ack)) if decision.escalate else (Reply(ack),)
        return Outcome(IDLE, said, (effect,))
    return Outcome(IDLE, replies or (Reply(ack),), (effect,) if effect else ())


async def _forward(
    hl: Hotline, scope: StepScope, case: Case, text: str, kind: str, *, urgent: bool
) -> None:
    """To the case owner (for a relay with no owner yet, whoever is on duty)."""
    recipients: list[Person] = []
    if case.owner_id is not None:
        owner = await scope.session.get(Person, case.owner_id)
        recipients = [owner] if owner is not None else []
    if not recipients and kind == "reporter_message":
        recipients = await repo.on_duty(scope.session, 1, scope.now)
    key = "hotline.reporter_message" if kind == "reporter_message" else "hotline.details_for_owner"
    message = Reply(key, {"ref": case.ref, "text": text})
    lane = Lane.ALERT if urgent else Lane.REPLY
    for person in recipients:
        if person.id == case.suspected_guardian_id:
            continue
        await queue_for_person(
            scope.session, person, message, lane=lane, now=scope.now, channels=hl.channels
        )
