"""Wiring of the visits capability: effect handlers, context hooks and the digest jobs.

Every write is audit-logged (ids and field names only, never names or note texts).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.core_data import load_cadence
from bot.effects import StepScope
from bot.visits import danger, media_job, photos
from bot.visits.clock import clock_without, refresh_child, with_clocks
from bot.visits.digests import send_director_digests, send_supervisor_digests
from bot.visits.media_job import media_store
from content.replies import Reply
from dialogs import effects as fx
from dialogs.types import Role
from dialogs.visits.cadence import Cadence
from dialogs.visits.questions import CHECKLIST_KEYS
from storage.models import Child, Person, Visit
from storage.repos import audit
from storage.repos import visits as repo

if TYPE_CHECKING:
    from bot.host import Host

log = logging.getLogger(__name__)
DIGEST_INTERVAL_MINUTES = 30


@dataclass(frozen=True, slots=True)
class EditWindow:
    """What the context hook needs to prepare a correction: now, the window, the local zone."""

    clock: Clock
    window: timedelta
    tz: ZoneInfo


def answers_of(visit: Visit) -> dict[str, Any]:
    """A saved visit as the dialog's answers (what the edit flow starts from)."""
    answers: dict[str, Any] = {
        "child": visit.child_id,
        "kind": visit.kind,
        "date": visit.visit_date.isoformat(),
        "assessment": visit.assessment,
        **{str(k): str(v) for k, v in (visit.checklist or {}).items()},
    }
    if visit.notes:
        answers["notes"] = visit.notes
    return answers


def _director(scope: StepScope) -> Person | None:
    person = scope.person
    return person if person is not None and person.role == Role.DIRECTOR else None


async def _own_child(scope: StepScope, child_id: int, action: str) -> Child | None:
    """The child, if it is an active child of the sender (a director); else audit a refusal."""
    director = _director(scope)
    child = await scope.session.get(Child, child_id)
    if director and child and child.active and child.director_id == director.id:
        return child
    audit.record(
        scope.session,
        at=scope.now,
        actor=scope.actor,
        action=action,
        subject_type="child",
        subject_id=child_id,
        detail={"reason": "not_assigned"},
    )
    log.warning("%s: child %s is not assigned to %s", action, child_id, scope.actor)
    return None


async def save_visit(app: Host, scope: StepScope, effect: fx.SaveVisit) -> None:
    child = await _own_child(scope, effect.child_id, "visit_refused")
    if child is None or scope.person is None:
        scope.extra_replies.append(Reply("visit.refused"))
        return
    visit_id = await repo.insert_visit(
        scope.session,
        {
            "child_id": child.id,
            "director_id": scope.person.id,
            "kind": effect.kind,
            "visit_date": effect.visit_date,
            "assessment": effect.assessment,
            "checklist": dict(effect.checklist),
            "notes": effect.notes,
            "flags": list(effect.flags),
            "next_due": effect.next_due,
            "dedup": effect.dedup,
            "inbound_id": scope.inbound_id,
            "created_at": scope.now,
            "updated_at": scope.now,
        },
    )
    if visit_id is None:
        log.info("visit for child %s already saved (same report again): ignored", child.id)
        return
    await repo.drop_draft(scope.session, scope.person.id, child.id)
    await photos.attach_pending(scope, scope.person.id, visit_id)
    await refresh_child(scope.session, child)
    audit.record(
        scope.session,
        at=scope.now,
        actor=scope.actor,
        action="visit_saved",
        subject_type="visit",
        subject_id=visit_id,
        detail={"child_id": child.id, "flags": list(effect.flags)},
    )
    visit = await scope.session.get(Visit, visit_id)
    if visit is not None:
        await danger.announce(app, scope, visit, child.code, effect.flags, new=True)


async def save_draft(scope: StepScope, effect: fx.SaveVisitDraft) -> None:
    child = await _own_child(scope, effect.child_id, "visit_draft_refused")
    if child is None or scope.person is None:
        return
    await repo.save_draft(scope.session, scope.person.id, child.id, dict(effect.answers), scope.now)
    audit.record(
        scope.session,
        at=scope.now,
        actor=scope.actor,
        action="visit_draft_saved",
        subject_type="child",
        subject_id=child.id,
    )


async def drop_draft(scope: StepScope, effect: fx.DropVisitDraft) -> None:
    if scope.person is None:
        return
    if await repo.drop_draft(scope.session, scope.person.id, effect.child_id):
        audit.record(
            scope.session,
            at=scope.now,
            actor=scope.actor,
            action="visit_draft_dropped",
            subject_type="child",
            subject_id=effect.child_id,
        )


def _apply(visit: Visit, changes: dict[str, Any]) -> None:
    checklist = dict(visit.checklist or {})
    for key, value in changes.items():
        if key == "kind":
            visit.kind = str(value)
        elif key == "date":
            visit.visit_date = date.fromisoformat(str(value))
        elif key == "assessment":
            visit.assessment = str(value)
        elif key == "notes":
            visit.notes = str(value)
        elif key == "next_due":
            visit.next_due = date.fromisoformat(str(value))
        elif key == "flags":
            visit.flags = list(value)
        elif key in checklist or key in CHECKLIST_KEYS:
            checklist[key] = str(value)
    visit.checklist = checklist


async def update_visit(
    app: Host, cadence: Cadence, scope: StepScope, effect: fx.UpdateVisit
) -> None:
    """Correct the director's own last visit, only within the edit window."""
    director = _director(scope)
    visit = await scope.session.get(Visit, effect.visit_id)
    last = await repo.last_visit_of_director(scope.session, director.id) if director else None
    window = timedelta(hours=cadence.edit_window_hours)
    if (
        visit is None
        or last is None
        or last.id != visit.id
        or scope.now - visit.created_at > window
    ):
        audit.record(
            scope.session,
            at=scope.now,
            actor=scope.actor,
            action="visit_edit_refused",
            subject_type="visit",
            subject_id=effect.visit_id,
        )
        scope.extra_replies.append(
            Reply("visit.edit_refused", {"hours": cadence.edit_window_hours})
        )
        return
    before = set(visit.flags or ())
    _apply(visit, dict(effect.changes))
    visit.updated_at = scope.now
    await scope.session.flush()
    child = await scope.session.get(Child, visit.child_id)
    if child is not None:
        await refresh_child(scope.session, child)
    audit.record(
        scope.session,
        at=scope.now,
        actor=scope.actor,
        action="visit_edited",
        subject_type="visit",
        subject_id=visit.id,
        detail={"fields": sorted(effect.changes)},
    )
    added = [f for f in visit.flags or () if f not in before]
    if added and child is not None:
        await danger.announce(app, scope, visit, child.code, added, new=False)


async def mark_info_updated(scope: StepScope, effect: fx.MarkChildInfoUpdated) -> None:
    """The director checked the child's information (the six-monthly due-list item)."""
    child = await _own_child(scope, effect.child_id, "child_info_refused")
    if child is None:
        scope.extra_replies.append(Reply("visit.refused"))
        return
    child.info_updated_on = effect.on
    audit.record(
        scope.session,
        at=scope.now,
        actor=scope.actor,
        action="child_info_checked",
        subject_type="child",
        subject_id=child.id,
        detail={"on": effect.on.isoformat()},
    )


async def director_context(
    edit: EditWindow, session: AsyncSession, person: Person | None, extra: dict[str, object]
) -> None:
    """ctx.extra["visit_draft"] and ["last_visit"] for directors. A last visit still within the
    edit window carries its child's clock without that visit (``"clock"``): a correction
    computes from it."""
    if person is None or person.role != Role.DIRECTOR:
        return
    draft = await repo.latest_draft(session, person.id)
    if draft is not None:
        extra["visit_draft"] = {"child_id": draft.child_id, "answers": dict(draft.answers)}
    last = await repo.last_visit_of_director(session, person.id)
    if last is not None:
        found: dict[str, object] = {
            "id": last.id,
            "child_id": last.child_id,
            "saved_at": last.created_at,
            "answers": answers_of(last),
        }
        child = await session.get(Child, last.child_id)
        if child is not None and edit.clock.now() - last.created_at <= edit.window:
            found["clock"] = await clock_without(session, child, last.id, edit.tz)
        extra["last_visit"] = found


def install(app: Host) -> None:
    cadence = load_cadence()
    effects = app.service.effects
    effects.register(fx.SaveVisit, partial(save_visit, app))
    effects.register(fx.SaveVisitDraft, save_draft)
    effects.register(fx.DropVisitDraft, drop_draft)
    effects.register(fx.UpdateVisit, partial(update_visit, app, cadence))
    effects.register(fx.MarkChildInfoUpdated, mark_info_updated)
    effects.register(fx.AttachVisitPhotos, photos.attach_photos)
    effects.register(
        fx.DiscardVisitMedia, partial(photos.discard_pending, lambda: media_store(app))
    )
    edit = EditWindow(app.service.clock, timedelta(hours=cadence.edit_window_hours), app.service.tz)
    app.service.context_hooks.append(partial(director_context, edit))
    app.service.children_hooks.append(partial(with_clocks, app.service.tz))
    media_job.install(app)
    for job, name in (
        (send_director_digests, "visits.digest.director"),
        (send_supervisor_digests, "visits.digest.supervisor"),
    ):
        app.scheduler.add_job(
            job,
            "interval",
            minutes=DIGEST_INTERVAL_MINUTES,
            args=[app],
            id=name,
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
