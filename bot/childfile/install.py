"""Wiring of the child's-file capability for directors: the handlers of `SendChildSummary`
and `AddChildNote`. Both act only on the sender's own active children, and are audited:
the summary as a read of the child (`{"view": "sms_summary"}`), the note as `child_note.add`."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.effects import StepScope
from bot.reminders.sources import current_schedule
from content.catalog import Text
from content.replies import Reply
from dialogs import effects as fx
from dialogs.types import Role
from reminders.immunization import due_doses
from storage.models import Child, ChildNote
from storage.repos import audit
from storage.repos.child_records import ChildRecords
from storage.repos.visits import latest_visit_of_child

if TYPE_CHECKING:
    from bot.host import Host


async def _own_child(scope: StepScope, child_id: int, action: str) -> Child | None:
    person = scope.person
    child = await scope.session.get(Child, child_id)
    if (
        person is not None
        and person.role == Role.DIRECTOR
        and child is not None
        and child.active
        and child.director_id == person.id
    ):
        return child
    audit.record(
        scope.session, at=scope.now, actor=scope.actor, action=action, subject_type="child",
        subject_id=child_id, detail={"reason": "not_assigned"},
    )  # fmt: skip
    scope.extra_replies.append(Reply("childfile.refused"))
    return None


async def summary_reply(scope: StepScope, child: Child, today: date) -> Reply:
    """The least detail that helps a director: the child's code, last visit and its review,
    the next due date, open problems, vaccine doses due now or late, and consent."""
    session = scope.session
    records = ChildRecords(session)
    last = await latest_visit_of_child(session, child.id)
    problems = await records.open_problems(child.id)
    given = {d.code: d.given_on for d in await records.doses(child.id)}
    schedule = await current_schedule(session)
    plan = due_doses(child.birth_date, child.sex, given, today, schedule)
    doses = sum(1 for p in plan if p.status in ("due", "overdue"))
    if last is None:
        visit: object = Text("childfile.never_visited")
    elif last.review_status:
        visit = Text(
            "childfile.last_visit_reviewed",
            {"date": last.visit_date, "review": Text("review.status." + last.review_status)},
        )
    else:
        visit = Text("childfile.last_visit", {"date": last.visit_date})
    due: object = (
        Text("childfile.next_due", {"date": child.next_visit_due})
        if child.next_visit_due
        else Text("childfile.no_due")
    )
    consent = Text("childfile.consent.yes" if child.consent_at else "childfile.consent.no")
    return Reply(
        "childfile.summary",
        {
            "code": child.code,
            "visit": visit,
            "due": due,
            "problems": int(problems),
            "doses": doses,
            "consent": consent,
        },
    )


async def send_summary(app: Host, scope: StepScope, effect: fx.SendChildSummary) -> None:
    child = await _own_child(scope, effect.child_id, "child_summary_refused")
    if child is None:
        return
    today = scope.now.astimezone(ZoneInfo(app.settings.timezone)).date()
    scope.extra_replies.append(await summary_reply(scope, child, today))
    audit.record(
        scope.session, at=scope.now, actor=scope.actor, action="read", subject_type="child",
        subject_id=child.id, detail={"view": "sms_summary"},
    )  # fmt: skip


async def add_note(scope: StepScope, effect: fx.AddChildNote) -> None:
    child = await _own_child(scope, effect.child_id, "child_note_refused")
    if child is None:
        return
    note = ChildNote(
        child_id=child.id, kind="log", text=effect.text, author=scope.actor, created_at=scope.now
    )
    scope.session.add(note)
    await scope.session.flush()
    audit.record(
        scope.session, at=scope.now, actor=scope.actor, action="child_note.add",
        subject_type="child", subject_id=child.id, detail={"note_id": note.id, "kind": "log"},
    )  # fmt: skip
    scope.extra_replies.append(Reply("childnote.saved", {"code": child.code}))


def install(app: Host) -> None:
    app.service.effects.register(fx.SendChildSummary, partial(send_summary, app))
    app.service.effects.register(fx.AddChildNote, add_note)
