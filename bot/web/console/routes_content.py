"""The content editor (administrators): every catalog key per locale, drafts, publish,
history and restore, a JSON preview, and .po export/import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from bot.web.console import texts
from bot.web.console.auth import ADMIN, Principal, app_of, requires
from bot.web.console.pages import ConsoleRoute, catalog_of, page
from content.locales import SUPPORTED_LOCALES
from storage.repos import content as repo

Admin = Annotated[Principal, Depends(requires(ADMIN))]


class PreviewIn(BaseModel):
    key: str = Field(description="Catalog key, e.g. help.director")
    locale: str = Field(description="zh_Hans, zh_Hant or en")
    text: str = Field(max_length=4000)


class PreviewOut(BaseModel):
    ok: bool
    message: str = Field(description="Why the text is refused, in the console's language")
    unknown: list[str] = Field(description="Placeholders the message does not provide")
    missing: list[str] = Field(description="Placeholders the text must keep")
    rendered: str = Field(description="The text with sample values")
    encoding: str | None = None
    units: int | None = None
    segments: int | None = Field(default=None, description="SMS segments of the sample")


def _locale(value: str) -> str:
    if value not in SUPPORTED_LOCALES:
        raise HTTPException(400, "locale: one of " + ", ".join(SUPPORTED_LOCALES))
    return value


def _edit_url(key: str, error: str = "") -> str:
    return f"/console/content/edit?key={key}" + (f"&error={error}" if error else "")


async def _refresh(request: Request) -> None:
    store = app_of(request).content
    if store is not None:
        await store.refresh(force=True)


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute)

    @r.get("/console/content", response_class=HTMLResponse, include_in_schema=False)
    async def listing(request: Request, who: Admin, q: str = "") -> Response:
        app = app_of(request)
        catalog = catalog_of(request)
        async with app.db.transaction() as session:
            published = await repo.published_overrides(session)
            drafts = await repo.drafts(session)
        rows = []
        for key in sorted(catalog.all_keys()):
            text = catalog.template(key, "zh_Hans") or ""
            if q and q.lower() not in key.lower() and q not in text:
                continue
            rows.append(
                {
                    "key": key,
                    "text": text,
                    "published": [loc for loc in SUPPORTED_LOCALES if (key, loc) in published],
                    "drafts": [loc for loc in SUPPORTED_LOCALES if (key, loc) in drafts],
                }
            )
        return page(request, "content_list.html", {"rows": rows, "q": q})

    @r.get("/console/content/edit", response_class=HTMLResponse, include_in_schema=False)
    async def edit(request: Request, who: Admin, key: str, error: str = "") -> Response:
        app = app_of(request)
        catalog = catalog_of(request)
        if key not in catalog.all_keys():
            raise HTTPException(404, "no such key")
        blocks = []
        async with app.db.transaction() as session:
            for loc in SUPPORTED_LOCALES:
                published = await repo.current(session, key, loc, repo.PUBLISHED)
                draft = await repo.current(session, key, loc, repo.DRAFT)
                shipped = catalog.base_template(key, loc) or ""
                live = published.text if published else shipped
                encoding, segments = texts.segments_of(live)
                blocks.append(
                    {
                        "locale": loc,
                        "shipped": shipped,
                        "published": published,
                        "draft": draft,
                        "editing": draft.text if draft else live,
                        "encoding": encoding,
                        "segments": segments,
                        "history": await repo.history(session, key, loc),
                    }
                )
        names = sorted(texts.expected_placeholders(catalog, key, "zh_Hans"))
        expected = ", ".join("{" + name + "}" for name in names)
        context = {"key": key, "blocks": blocks, "expected": expected, "error": error}
        return page(request, "content_edit.html", context)

    @r.post("/console/content/draft", include_in_schema=False)
    async def save_draft(
        request: Request,
        who: Admin,
        key: Annotated[str, Form()],
        locale: Annotated[str, Form()],
        text: Annotated[str, Form()],
    ) -> Response:
        catalog = catalog_of(request)
        check = texts.check_text(catalog, key, _locale(locale), text.replace("\r\n", "\n"))
        if not check.ok:
            reason = texts.refusal(catalog, check, who.locale)
            context = {"key": key, "locale": locale, "reason": reason, "text": text}
            return page(request, "content_refused.html", context, status_code=400)
        app = app_of(request)
        async with app.db.transaction() as session:
            await repo.save_draft(
                session,
                key=key,
                locale=locale,
                text=text.replace("\r\n", "\n"),
                author=who.username,
                now=app.clock.now(),
            )
        return RedirectResponse(_edit_url(key) + f"#{locale}", status_code=303)

    @r.post("/console/content/publish", include_in_schema=False)
    async def publish(
        request: Request, who: Admin, key: Annotated[str, Form()], locale: Annotated[str, Form()]
    ) -> Response:
        app = app_of(request)
        async with app.db.transaction() as session:
            done = await repo.publish_draft(
                session, key=key, locale=_locale(locale), author=who.username, now=app.clock.now()
            )
        await _refresh(request)
        return RedirectResponse(_edit_url(key, "" if done else "nodraft"), status_code=303)

    @r.post("/console/content/restore", include_in_schema=False)
    async def restore(request: Request, who: Admin, version_id: Annotated[int, Form()]) -> Response:
        app = app_of(request)
        async with app.db.transaction() as session:
            copy = await repo.restore(
                session, version_id=version_id, author=who.username, now=app.clock.now()
            )
        if copy is None:
            raise HTTPException(404, "no such version")
        await _refresh(request)
        return RedirectResponse(_edit_url(copy.key), status_code=303)

    @r.post("/console/content/revert", include_in_schema=False)
    async def revert(
        request: Request, who: Admin, key: Annotated[str, Form()], locale: Annotated[str, Form()]
    ) -> Response:
        app = app_of(request)
        async with app.db.transaction() as session:
            await repo.revert_to_shipped(session, key=key, locale=_locale(locale))
        await _refresh(request)
        return RedirectResponse(_edit_url(key), status_code=303)

    @r.post(
        "/console/api/content/preview",
        response_model=PreviewOut,
        tags=["console"],
        summary="Check a draft text and render it with sample values (admin; X-CSRF-Token)",
    )
    async def preview(request: Request, who: Admin, body: PreviewIn) -> PreviewOut:
        catalog = catalog_of(request)
        result = texts.preview(catalog, body.key, _locale(body.locale), body.text)
        if not result["ok"]:
            check = texts.check_text(catalog, body.key, body.locale, body.text)
            result["message"] = texts.refusal(catalog, check, who.locale)
        return PreviewOut(**result)

    return r
