"""A director's photos on visits, by reference (never fetched here): to the visit being
reported (attached when it is saved), to a child's latest visit (`照片 A04`), or to the visit
saved a moment ago (within RECENT). The console fetches a photo on demand for allowed roles
(bot/web/console/routes_visit_media.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.effects import StepScope
from content.replies import Reply
from dialogs import effects as fx
from dialogs.types import Role
from storage.models import Child, Visit
from storage.repos import visit_media
from storage.repos.people import children_of_director
from storage.repos.visits import last_visit_of_director, latest_visit_of_child

RECENT = timedelta(minutes=30)  # photos sent this long after saving a visit belong to it
REPORT_WINDOW = timedelta(hours=24)  # the conversation timeout: older pending photos stay out


async def attach_photos(scope: StepScope, effect: fx.AttachVisitPhotos) -> None:
    director = scope.person
    if director is None or director.role != Role.DIRECTOR:
        scope.extra_replies.append(Reply("media.received"))
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
        await _attach(scope, add, visit, child.code)
        return
    if effect.in_report:
        add(None)
        scope.extra_replies.append(Reply("visit_media.pending", {"count": len(effect.media)}))
        return
    last = await last_visit_of_director(session, director.id)
    if last is not None and last.created_at >= scope.now - RECENT:
        child = await session.get(Child, last.child_id)
        await _attach(scope, add, last, child.code if child else "")
        return
    scope.extra_replies.append(Reply("visit_media.how_to"))


async def _attach(
    scope: StepScope, add: Callable[[int | None], None], visit: Visit, code: str
) -> None:
    add(visit.id)
    await scope.session.flush()
    total = await visit_media.count_for_visit(scope.session, visit.id)
    scope.extra_replies.append(
        Reply("visit_media.attached", {"code": code, "date": visit.visit_date, "count": total})
    )


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
