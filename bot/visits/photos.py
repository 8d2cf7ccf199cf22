"""A director's photos and voice notes on visits, recorded by reference (the fetch job,
bot/visits/media_job.py, keeps them in the media file store): to the visit being reported
(attached when it is saved), to a child's latest visit (`照片 A04`), or to the visit saved a
moment ago (within RECENT). A voice note is kept and the director is asked to say it in text
(it is not transcribed). A cancelled report's media are deleted at once, rows and files. The
console shows them to allowed roles (bot/web/console/routes_visit_media.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.effects import StepScope
from bot.media_store import MediaStore
from content.replies import Reply
from dialogs import effects as fx
from dialogs.types import MediaRef, Role
from storage.models import Child, Visit
from storage.repos import audit, visit_media
from storage.repos.people import children_of_director
from storage.repos.visits import last_visit_of_director, latest_visit_of_child

RECENT = timedelta(minutes=30)  # photos sent this long after saving a visit belong to it
REPORT_WINDOW = timedelta(hours=24)  # the conversation timeout: older pending photos stay out


def _counts(media: tuple[MediaRef, ...]) -> tuple[int, int]:
    voices = sum(1 for m in media if m.kind == "voice")
    return len(media) - voices, voices


async def attach_photos(scope: StepScope, effect: fx.AttachVisitPhotos) -> None:
    director = scope.person
    images, voices = _counts(effect.media)
    if director is None or director.role != Role.DIRECTOR:
        scope.extra_replies.append(Reply("media.received" if images else "media.voice_received"))
        return
    session = scope.session

    def add(visit_id: int | None) -> None:
        visit_media.add_photos(
            session,
            director_id=director.id,
            visit_id=visit_id,
            inbound_id=scope.inbound_id,
            channel=scope.inbound.channel,
            media=effect.media,
            now=scope.now,
        )

    if effect.child_code:
        child = await _own_child_by_code(scope, director.id, effect.child_code)
        if child is None:
            scope.extra_replies.append(Reply("visit_media.no_child", {"code": effect.child_code}))
            return
        visit = await latest_visit_of_child(session, child.id)
        if visit is None:
            scope.extra_replies.append(Reply("visit_media.no_visit", {"code": child.code}))
            return
        await _attach(scope, add, visit, child.code, effect.media)
        return
    if effect.in_report:
        add(None)
        if images:
            scope.extra_replies.append(Reply("visit_media.pending", {"count": images}))
        if voices:
            scope.extra_replies.append(Reply("visit_media.voice_pending", {"count": voices}))
        return
    last = await last_visit_of_director(session, director.id)
    if last is not None and last.created_at >= scope.now - RECENT:
        child = await session.get(Child, last.child_id)
        await _attach(scope, add, last, child.code if child else "", effect.media)
        return
    if images:
        scope.extra_replies.append(Reply("visit_media.how_to"))
    if voices:
        scope.extra_replies.append(Reply("media.voice_received"))


async def _attach(
    scope: StepScope,
    add: Callable[[int | None], None],
    visit: Visit,
    code: str,
    media: tuple[MediaRef, ...] = (),
) -> None:
    add(visit.id)
    await scope.session.flush()
    images, voices = _counts(media)
    params = {"code": code, "date": visit.visit_date}
    if images:
        total = await visit_media.count_for_visit(scope.session, visit.id, "image")
        scope.extra_replies.append(Reply("visit_media.attached", {**params, "count": total}))
    if voices:
        scope.extra_replies.append(Reply("visit_media.voice_attached", params))


async def _own_child_by_code(scope: StepScope, director_id: int, code: str) -> Child | None:
    for child in await children_of_director(scope.session, director_id):
        if child.code.upper() == code.upper():
            return child
    return None


async def attach_pending(scope: StepScope, director_id: int, visit_id: int) -> None:
    """Saving a visit: the photos sent while it was reported are attached to it."""
    await visit_media.attach_pending(
        scope.session, director_id, visit_id, scope.now - REPORT_WINDOW
    )


async def discard_pending(
    store: Callable[[], MediaStore], scope: StepScope, effect: fx.DiscardVisitMedia
) -> None:
    """A cancelled or discarded report: its pending photos and voice notes go, rows and files
    (a file the fetch job writes after this is removed by the job itself)."""
    director = scope.person
    if director is None or director.role != Role.DIRECTOR:
        return
    ids = await visit_media.drop_pending(scope.session, director.id)
    if not ids:
        return
    await scope.session.flush()
    store().delete(ids)
    audit.record(
        scope.session,
        at=scope.now,
        actor=scope.actor,
        action="visit_media_discarded",
        subject_type="person",
        subject_id=director.id,
        detail={"count": len(ids)},
    )
