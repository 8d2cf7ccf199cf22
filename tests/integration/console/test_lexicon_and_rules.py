"""The lexicon editor changes what the bot screens (the hotline's cache rebuilds on the
version change); the test box runs the live screen; reminder uploads validate first;
supervisors may not open the administrators' pages; the JSON endpoints are in OpenAPI."""

from __future__ import annotations

import html
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import Application
from bot.hotline.runtime import hotline_of
from storage.db import Database
from storage.models import CalendarOverride, ImmunizationEdition, LexiconEntry
from tests.integration.console.staffed import staffed
from tests.integration.console.support import signed_in
from tests.integration.hotline.helpers import cases, say
from tests.support.categories import in_group
from tests.support.paths import CONTENT

NEW_TERM = "紫色风筝"
CALENDAR = CONTENT / "calendars" / "hubei.toml"


async def _screen(client: object, csrf: str, text: str) -> dict[str, object]:
    response = await client.post(  # type: ignore[attr-defined]
        "/console/api/lexicon/test", json={"text": text}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


async def test_an_added_term_is_used_by_the_bot_and_a_deactivated_one_is_not(
    db: Database,
) -> None:
    async with staffed(db) as staff:
        text = f"A04说起{NEW_TERM}的事"
        async with staff.signed_in("root") as (client, csrf):
            assert (await _screen(client, csrf, text))["escalate"] is False
            builds = hotline_of(staff.app).screens.builds
            saved = await client.post(
                "/console/lexicon/edit",
                data={"csrf_token": csrf, "category": "violence_abuse", "action": "add_term",
                      "term": NEW_TERM, "severity": "critical"},
            )  # fmt: skip
            assert saved.status_code == 303
            result = await _screen(client, csrf, text)
            assert hotline_of(staff.app).screens.builds == builds + 1  # rebuilt on the version
            assert (result["escalate"], result["severity"]) == (True, "critical")
            matches: list[dict[str, Any]] = result["matches"]  # type: ignore[assignment]
            [match] = matches
            assert (match["term"], match["start"], match["end"]) == (NEW_TERM, 5, 9)
            assert any("violence_abuse" in w for w in result["why"])  # type: ignore[attr-defined]
            await say(staff.app, text)
            [case] = await cases(staff.app)
            assert case.severity == "critical"
            assert case.category in in_group("violence_abuse")  # a statutory category of the group
            page = await client.get("/console/lexicon?category=violence_abuse")
            index = page.text.count('name="action" value="edit_term"') - 1  # the new one: last
            await client.post(
                "/console/lexicon/edit",
                data={"csrf_token": csrf, "category": "violence_abuse",
                      "action": "deactivate_term", "index": str(index)},
            )  # fmt: skip
            assert (await _screen(client, csrf, text))["escalate"] is False
            page = await client.get("/console/lexicon?category=violence_abuse")
            assert f"<s>{NEW_TERM}</s>" in page.text  # listed as inactive, restorable


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"action": "add_term", "term": "  "}, "词不能为空"),
        ({"action": "add_term", "term": "打人", "severity": "urgent"}, "严重程度只能是"),
        ({"action": "add_term", "term": "拧", "near": "耳朵", "window": "99"}, "距离应为"),
        ({"action": "deactivate_term", "index": "9999"}, "条目不存在"),
    ],
)
async def test_a_refused_edit_changes_nothing(
    db: Database, form: dict[str, str], message: str
) -> None:
    async with staffed(db) as staff, staff.signed_in("root") as (client, csrf):
        await client.get("/console/lexicon")  # seeds the stored lexicon
        async with staff.app.db.transaction() as session:
            before = [r.version for r in (await session.execute(select(LexiconEntry))).scalars()]
        data = {"csrf_token": csrf, "category": "violence_abuse", **form}
        response = await client.post("/console/lexicon/edit", data=data)
        assert response.status_code == 422 and message in response.text
        async with staff.app.db.transaction() as session:
            after = [r.version for r in (await session.execute(select(LexiconEntry))).scalars()]
        assert after == before


async def test_categories_and_severities_are_named_in_the_readers_language(db: Database) -> None:
    """The Chinese console names lexicon groups and severities in Chinese (the stored codes
    stay the form values); the English console in English."""
    async with staffed(db) as staff, staff.signed_in("root") as (client, _csrf):
        page = (await client.get("/console/lexicon?category=violence_abuse")).text
        assert "— 暴力和身体虐待" in page and "— violence and physical abuse" not in page
        assert '<option value="high" selected>高</option>' in page
        assert ">high<" not in page
        client.cookies.set("careline_lang", "en")
        english = (await client.get("/console/lexicon?category=violence_abuse")).text
        assert "— violence and physical abuse" in english and ">高<" not in english


@pytest.mark.parametrize(
    ("kind", "text", "problem"),
    [
        ("edition", "editions = [", "TOML"),
        ("edition", '{"editions": [{"id": "x"}]}', "missing 'effective_from'"),
        ("calendar", 'name = "无地区"', "missing 'region'"),
        ("calendar", 'region = "42"\nname = "x"', "region code must be 6 digits"),
        ("", 'region = "420000"', "choose what the document is"),
    ],
)
async def test_a_bad_upload_lists_its_problems_and_writes_nothing(
    db: Database, kind: str, text: str, problem: str
) -> None:
    async with staffed(db) as staff:
        before = await _stored(staff.app)
        async with staff.signed_in("root") as (client, csrf):
            response = await client.post(
                "/console/reminders/upload", data={"csrf_token": csrf, "kind": kind, "text": text}
            )
            assert response.status_code == 422 and problem in html.unescape(response.text)
        assert await _stored(staff.app) == before


async def _stored(app: Application) -> list[tuple[str, object]]:
    async with app.db.transaction() as session:
        calendars = (await session.execute(select(CalendarOverride))).scalars()
        editions = (await session.execute(select(ImmunizationEdition))).scalars()
        return [(c.region, c.data) for c in calendars] + [(e.edition, e.data) for e in editions]


async def test_a_regional_calendar_uploads_as_a_file(db: Database) -> None:
    async with staffed(db) as staff:
        async with staff.signed_in("root") as (client, csrf):
            response = await client.post(
                "/console/reminders/upload",
                data={"csrf_token": csrf, "kind": "calendar"},
                files={"file": ("hubei.toml", CALENDAR.read_bytes(), "application/toml")},
            )
            assert response.status_code == 200 and "已检查并保存：420000" in response.text
        async with staff.app.db.transaction() as session:
            row = (
                await session.execute(
                    select(CalendarOverride).where(CalendarOverride.region == "420000")
                )
            ).scalar_one()
            assert (row.region, row.updated_by) == ("420000", "user:root")


@pytest.mark.parametrize(
    ("user", "path", "status"),
    [
        ("zhou", "/console/lexicon", 403),
        ("zhou", "/console/reminders", 403),
        ("chen", "/console/reports", 403),
        ("chen", "/console/cases", 200),
        ("zhou", "/console/reports", 200),
        ("root", "/console/reminders", 200),
    ],
)
async def test_roles(db: Database, user: str, path: str, status: int) -> None:
    async with staffed(db) as staff, staff.signed_in(user) as (client, _):
        assert (await client.get(path)).status_code == status


async def test_the_json_endpoints_are_in_the_openapi_spec(db: Database) -> None:
    async with staffed(db) as staff, staff.console.client() as client:
        await signed_in(client, "root")  # the spec is for administrators only
        spec = (await client.get("/openapi.json")).json()
    for path in ("/console/api/cases", "/console/api/reports", "/console/api/lexicon/test"):
        assert path in spec["paths"], path
    assert "QueueOut" in spec["components"]["schemas"]
    assert "TestOut" in spec["components"]["schemas"]


async def test_the_reminder_page_lists_regional_data_to_check(db: Database) -> None:
    async with staffed(db) as staff, staff.signed_in("root") as (client, _):
        response = await client.get("/console/reminders")
    assert response.status_code == 200
    assert 'id="data-gaps"' in response.text or 'id="data-gaps-none"' in response.text
    assert "待核实的地区数据" in response.text
