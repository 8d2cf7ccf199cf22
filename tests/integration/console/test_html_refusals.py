"""A browser always gets an HTML console page in the user's language: a refused form (a visit
returned without a comment, flags without a reason), an unknown console URL; the JSON API
under /console/api keeps its JSON answers."""

from __future__ import annotations

import html
from datetime import date

import pytest
from sqlalchemy import select

from bot.web.console.auth import LANG_COOKIE
from content.catalog import Catalog
from content.locales import SUPPORTED_LOCALES
from storage.db import Database
from storage.models import Child, Person, Visit
from tests.integration.console.staffed import staffed
from tests.integration.hotline.helpers import NOW


def _said(catalog: Catalog, key: str, locale: str) -> str:
    return html.escape(catalog.text(key, locale), quote=False)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_refused_forms_and_unknown_urls_answer_html(db: Database, locale: str) -> None:
    catalog = Catalog.load()
    async with staffed(db) as staff:
        async with db.transaction() as session:
            child = (await session.execute(select(Child).where(Child.code == "A01"))).scalar_one()
            person = (await session.execute(select(Person).limit(1))).scalar_one()
            visit = Visit(
                child_id=child.id, director_id=child.director_id or 0, kind="home",
                visit_date=date(2026, 2, 20), assessment="average", checklist={}, notes="",
                flags=[], next_due=date(2026, 3, 20), dedup="v-html-1", created_at=NOW,
                updated_at=NOW,
            )  # fmt: skip
            session.add(visit)
            await session.flush()
            visit_id, person_id = visit.id, person.id
        async with staff.signed_in("zhou") as (client, csrf):
            client.cookies.set(LANG_COOKIE, locale)
            back = {"referer": "http://testserver/console/children/A01"}
            returned = await client.post(
                f"/console/visits/{visit_id}/review",
                data={"csrf_token": csrf, "action": "returned", "comment": "  "},
                headers=back,
            )
            assert returned.status_code == 400
            assert returned.headers["content-type"].startswith("text/html")
            assert _said(catalog, "console.refused.return_comment", locale) in returned.text
            assert 'href="/console/children/A01"' in returned.text
            assert "detail" not in returned.text
            for path in ("/console/children/A01/flags", f"/console/people/{person_id}/flags"):
                flags = await client.post(path, data={"csrf_token": csrf, "do_not_contact": "1"})
                assert flags.status_code == 400, path
                assert flags.headers["content-type"].startswith("text/html"), path
                assert _said(catalog, "console.refused.reason", locale) in flags.text, path
            for path in ("/console/nope", "/console/children/A01/nope/deeper"):
                missing = await client.get(path)
                assert missing.status_code == 404
                assert missing.headers["content-type"].startswith("text/html"), path
                assert _said(catalog, "console.notfound.title", locale) in missing.text
            api = await client.get("/console/api/nope")
            assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
        async with staff.console.client() as anonymous:
            anonymous.cookies.set(LANG_COOKIE, locale)
            missing = await anonymous.get("/console/nope")
            assert missing.status_code == 404
            assert _said(catalog, "console.notfound.title", locale) in missing.text
