"""Translations as gettext .po files: export per locale, import as drafts, untranslated list."""

from __future__ import annotations

from typing import Annotated, Any

from babel.messages.pofile import PoFileError
from fastapi import APIRouter, Depends, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse

from bot.web.console import texts
from bot.web.console.auth import ADMIN, Principal, app_of, requires
from bot.web.console.pages import ConsoleRoute, catalog_of, page
from content.locales import SUPPORTED_LOCALES
from storage.repos import content as repo

Admin = Annotated[Principal, Depends(requires(ADMIN))]
MAX_PO_BYTES = 2_000_000


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    @r.get("/console/translations", response_class=HTMLResponse)
    async def translations(request: Request, who: Admin) -> Response:
        app = app_of(request)
        async with app.db.transaction() as session:
            published = await repo.published_overrides(session)
        missing = texts.untranslated(catalog_of(request), published)
        return page(request, "translations.html", {"missing": missing})

    @r.get("/console/translations/{locale}.po")
    async def export(request: Request, who: Admin, locale: str) -> Response:
        if locale not in SUPPORTED_LOCALES:
            return Response(status_code=404)
        app = app_of(request)
        async with app.db.transaction() as session:
            published = await repo.published_overrides(session)
        body = texts.export_po(catalog_of(request), locale, published)
        return Response(
            body,
            media_type="text/x-gettext-translation; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="careline-{locale}.po"'},
        )

    @r.post("/console/translations/import", response_class=HTMLResponse)
    async def import_po(
        request: Request,
        who: Admin,
        locale: Annotated[str, Form()],
        file: UploadFile,
    ) -> Response:
        catalog = catalog_of(request)
        if locale not in SUPPORTED_LOCALES:
            return page(request, "translations.html", {"error": "locale"}, status_code=400)
        data = await file.read(MAX_PO_BYTES + 1)
        app = app_of(request)
        async with app.db.transaction() as session:
            published = await repo.published_overrides(session)
            current = {
                key: published.get((key, locale)) or catalog.base_template(key, locale) or ""
                for key in catalog.all_keys()
            }
            try:
                if len(data) > MAX_PO_BYTES:
                    raise ValueError("file too large")
                result = texts.read_po_upload(catalog, locale, data, current)
            except (ValueError, PoFileError, UnicodeDecodeError):
                missing = texts.untranslated(catalog, published)
                failure = {"error": "po", "missing": missing}
                return page(request, "translations.html", failure, status_code=400)
            now = app.clock.now()
            for key, text in result.drafts.items():
                await repo.save_draft(
                    session, key=key, locale=locale, text=text, author=who.username, now=now
                )
        refused = [
            (key, texts.refusal(catalog, check, who.locale)) for key, check in result.refused
        ]
        context: dict[str, Any] = {"result": result, "refused": refused, "import_locale": locale}
        return page(request, "po_report.html", context)

    return r
