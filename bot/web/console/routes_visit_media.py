"""One visit photo, fetched from its provider on demand for hotline staff, supervisors and
administrators who may see the child (other roles: 403). Every read is audited, the answer
is never cached, and nothing is kept on disk (bot/visits/media_fetch.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import PlainTextResponse

from bot.visits.media_fetch import MediaUnavailable, fetch_media
from bot.web.console.auth import ADMIN, HOTLINE, SUPERVISOR, Principal, app_of, audit_read, requires
from bot.web.console.pages import ConsoleRoute
from bot.web.console.routes_people import in_view, visible_area_ids
from storage.models import Child
from storage.repos import visit_media
from storage.uow import unit_of_work

Staff = Annotated[Principal, Depends(requires(ADMIN, HOTLINE, SUPERVISOR))]
NO_STORE = {
    "Cache-Control": "no-store, private",
    "X-Content-Type-Options": "nosniff",
    "Content-Disposition": "inline",
}


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    @r.get("/console/media/{media_id}")
    async def photo(request: Request, who: Staff, media_id: int) -> Response:
        app = app_of(request)
        now = app.clock.now()
        async with unit_of_work(app.db, now) as w:
            found = await visit_media.photo_with_child(w.session, media_id)
            if found is None:
                raise HTTPException(404, "no such photo")
            media, child_id = found
            allowed = await visible_area_ids(w.session, who)
            child = await w.session.get(Child, child_id)
            if child is None or not in_view(allowed, child.area_id):
                raise HTTPException(404, "no such photo")
            audit_read(w, who, "visit_media", media.id, {"child_id": child_id})
            w.session.expunge(media)
        try:
            fetched = await fetch_media(app.settings, media)
        except MediaUnavailable as exc:
            return PlainTextResponse(
                f"照片暂时无法取得（{exc.reason}）", status_code=502, headers=NO_STORE
            )
        return Response(fetched.body, media_type=fetched.content_type, headers=NO_STORE)

    return r
