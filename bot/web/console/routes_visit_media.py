"""One visit photo or voice note, for hotline staff, supervisors and administrators who may
see the child (other roles: 403). It is served from the media file store (bot/media_store.py)
once the fetch job kept it, with the type read from its bytes; until then it is fetched from
the provider on demand (bot/visits/media_fetch.py, checked the same way, nothing written).
A photo is shown inline, a voice note is a download (attachment); `nosniff` either way, the
answer is never cached, and every read is audited."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import PlainTextResponse

from bot.media_store import EXTENSIONS, MediaStore, is_audio
from bot.visits.media_fetch import MediaUnavailable, fetch_media
from bot.visits.media_job import wecom_tokens
from bot.web.console.auth import ADMIN, HOTLINE, SUPERVISOR, Principal, app_of, audit_read, requires
from bot.web.console.pages import ConsoleRoute, locale_of, translator
from bot.web.console.routes_people import in_view, visible_area_ids
from storage.models import Child
from storage.repos import visit_media
from storage.uow import unit_of_work

Staff = Annotated[Principal, Depends(requires(ADMIN, HOTLINE, SUPERVISOR))]
NO_STORE = {"Cache-Control": "no-store, private", "X-Content-Type-Options": "nosniff"}


def headers_for(media_id: int, content_type: str) -> dict[str, str]:
    """Inline for a picture; a voice note is downloaded, under a name of ours."""
    if is_audio(content_type):
        name = f"voice-{media_id}.{EXTENSIONS.get(content_type, 'bin')}"
        return {**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'}
    return {**NO_STORE, "Content-Disposition": "inline"}


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
        if media.fetched_at is not None and media.stored_type:
            body = MediaStore(app.settings.media_dir).read(media.id)
            # the row's own file (a SQLite id can be reused after a delete: the hash says)
            if body is not None and hashlib.sha256(body).hexdigest() == media.sha256:
                return Response(
                    body,
                    media_type=media.stored_type,
                    headers=headers_for(media.id, media.stored_type),
                )
        try:
            fetched = await fetch_media(app.settings, media, wecom=wecom_tokens(app))
        except MediaUnavailable as exc:
            t = translator(request, locale_of(request, who))
            return PlainTextResponse(
                t("visit_media.unavailable", reason=exc.reason), status_code=502, headers=NO_STORE
            )
        return Response(
            fetched.body,
            media_type=fetched.content_type,
            headers=headers_for(media.id, fetched.content_type),
        )

    return r
