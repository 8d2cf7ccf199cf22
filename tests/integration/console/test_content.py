"""Content editing: placeholder checks, draft -> publish -> history -> restore, the bot's
catalog following publishes (in this process at once, in others within seconds), .po files."""

from __future__ import annotations

from io import BytesIO

import pytest
from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.pofile import write_po

from bot.content_store import ContentStore, refresh_content
from bot.web.console import texts
from content.catalog import Catalog
from storage.db import Database
from storage.repos import content as repo
from tests.integration.console.support import console, signed_in
from tests.support.apps import make_app

KEY = "welcome.known"  # "{name}，您好！"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Hello {name}, welcome", None),
        ("Hello {nam}", "unknown nam; missing name"),
        ("Hello there", "missing name"),
        ("Hello {name} {code}", "unknown code"),
        ("Hello {name", "bad format"),
        ("Hello {name!r}", "bad format"),
        ("  ", "empty"),
    ],
)
def test_placeholders_are_checked(text: str, problem: str | None) -> None:
    check = texts.check_text(Catalog.load(), KEY, "en", text)
    assert check.ok is (problem is None)
    if problem and ("unknown" in problem or "missing" in problem):
        assert ("unknown nam" in problem) is (check.unknown == ["nam"])
        assert ("missing name" in problem) is (check.missing == ["name"])
        assert ("unknown code" in problem) is (check.unknown == ["code"])


def test_preview_counts_sms_segments_per_locale() -> None:
    catalog = Catalog.load()
    english = texts.preview(catalog, KEY, "en", "Hi {name}!" + " x" * 80)
    chinese = texts.preview(catalog, KEY, "zh_Hans", "{name}，您好！" + "请" * 70)
    assert (english["encoding"], english["segments"]) == ("GSM-7", 2)
    assert (chinese["encoding"], chinese["segments"]) == ("UCS-2", 2)
    assert english["rendered"].startswith("Hi Director Li!")


async def test_draft_publish_history_restore_and_the_bot_follows(db: Database) -> None:
    async with console(db) as c:
        await c.add_user("ada", "admin")
        other = make_app(db.url, c.clock)  # a second process of the bot
        assert other.content is not None and c.app.content is not None
        await other.content.refresh()
        async with c.client() as client:
            csrf = await signed_in(client, "ada")

            async def post(path: str, **form: str | int) -> int:
                response = await client.post(path, data={**form, "csrf_token": csrf})
                return response.status_code

            refused = await client.post(
                "/console/content/draft",
                data={"key": KEY, "locale": "en", "text": "Hi {nam}", "csrf_token": csrf},
            )
            assert refused.status_code == 400 and "nam" in refused.text
            for text in ("Good day {name}", "Welcome {name}"):
                assert await post("/console/content/draft", key=KEY, locale="en", text=text) == 303
                assert await post("/console/content/publish", key=KEY, locale="en") == 303
            bot = c.app.content.current()
            assert bot.text(KEY, "en", {"name": "Li"}) == "Welcome Li"
            assert bot.text(KEY, "zh_Hans", {"name": "李"}) == "李，您好！"  # other locales kept
            # the other process: not before its next check, then without a restart
            assert other.content.current().text(KEY, "en", {"name": "Li"}) == "Hello Li!"
            c.clock.advance(seconds=3)
            assert await refresh_content(other) == 1
            assert other.content.current().text(KEY, "en", {"name": "Li"}) == "Welcome Li"
            assert await refresh_content(other) == 0

            async with db.transaction() as session:
                history = await repo.history(session, KEY, "en")
            assert [v.status for v in history] == ["published", "archived"]
            assert await post("/console/content/restore", version_id=history[1].id) == 303
            assert c.app.content.current().text(KEY, "en", {"name": "Li"}) == "Good day Li"
            assert await post("/console/content/revert", key=KEY, locale="en") == 303
            assert c.app.content.current().text(KEY, "en", {"name": "Li"}) == "Hello Li!"
            page = await client.get(f"/console/content/edit?key={KEY}")
            assert page.status_code == 200 and "Good day {name}" in page.text
        await other.db.dispose()


async def test_preview_endpoint_is_in_the_openapi_spec_and_checks_csrf(db: Database) -> None:
    async with console(db) as c:
        await c.add_user("ada", "admin")
        async with c.client() as client:
            csrf = await signed_in(client, "ada")  # the spec is for administrators only
            spec = (await client.get("/openapi.json")).json()
            assert "/console/api/content/preview" in spec["paths"]
            body = {"key": KEY, "locale": "zh_Hant", "text": "{name}您好"}
            assert (await client.post("/console/api/content/preview", json=body)).status_code == 403
            ok = await client.post(
                "/console/api/content/preview", json=body, headers={"X-CSRF-Token": csrf}
            )
            assert ok.json()["rendered"] == "李主任您好" and ok.json()["segments"] == 1


def _po(entries: dict[str, str]) -> bytes:
    po = PoCatalog(domain="messages", locale=None)
    for key, text in entries.items():
        po.add(key, text)
    buffer = BytesIO()
    write_po(buffer, po)
    return buffer.getvalue()


async def test_po_export_and_import_as_drafts(db: Database) -> None:
    async with console(db) as c:
        async with c.signed_in_as("ada", "admin") as (client, csrf):
            exported = await client.get("/console/translations/zh_Hant.po")
            assert exported.status_code == 200 and f'msgid "{KEY}"' in exported.text
            upload = _po({KEY: "{name}，歡迎！", "no.such.key": "x", "help.admin": "{oops}"})
            report = await client.post(
                "/console/translations/import",
                data={"locale": "zh_Hant", "csrf_token": csrf},
                files={"file": ("zh_Hant.po", upload, "text/x-gettext-translation")},
            )
            assert report.status_code == 200
            assert "no.such.key" in report.text and "oops" in report.text
        async with db.transaction() as session:
            drafts = await repo.drafts(session)
        assert drafts == {(KEY, "zh_Hant"): "{name}，歡迎！"}


def test_untranslated_lists_keys_without_their_own_text() -> None:
    catalog = Catalog({"zh_Hans": {"a": "甲", "b": "乙"}, "en": {"a": "A"}})
    assert texts.untranslated(catalog, {}) == [("a", "zh_Hant"), ("b", "zh_Hant"), ("b", "en")]
    assert texts.untranslated(catalog, {("b", "en"): "B"}) == [("a", "zh_Hant"), ("b", "zh_Hant")]


async def test_content_store_checks_the_counter_at_most_every_few_seconds(db: Database) -> None:
    async with console(db) as c:
        store = ContentStore(db, Catalog.load(), c.clock, check_every=3)
        assert await store.refresh() is True  # first load
        async with db.transaction() as session:
            await repo.save_draft(
                session, key=KEY, locale="en", text="Yo {name}", author="t", now=c.clock.now()
            )
            await repo.publish_draft(session, key=KEY, locale="en", author="t", now=c.clock.now())
        assert await store.refresh() is False  # checked less than 3 s ago
        c.clock.advance(seconds=3)
        assert await store.refresh() is True
        assert store.current().text(KEY, "en", {"name": "A"}) == "Yo A"


async def test_the_dispatcher_sends_the_published_text_and_other_processes_follow(
    db: Database,
) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import select

    from bot.clock import FakeClock
    from bot.demo import load_demo
    from dialogs.types import Channel, Inbound
    from storage.models import OutboxMessage

    now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    clock = FakeClock(now)
    editor, bot = make_app(db.url, clock), make_app(db.url, clock)  # two processes
    assert bot.content is not None and editor.content is not None
    async with db.transaction() as session:
        await load_demo(session, now, now.date())
    await bot.content.refresh()

    async def ask(n: int) -> str:
        inbound = Inbound(Channel.CONSOLE, "+8613800000002", f"m{n}", clock.now(), "帮助")
        await bot.service.handle(inbound)
        await bot.dispatcher.run_until_idle()
        async with db.transaction() as session:
            rows = await session.execute(select(OutboxMessage.text).order_by(OutboxMessage.id))
            return list(rows.scalars())[-1] or ""

    shipped = await ask(1)
    async with db.transaction() as session:
        await repo.save_draft(
            session, key="help.director", locale="zh_Hans", text="新的帮助", author="a", now=now
        )
        await repo.publish_draft(
            session, key="help.director", locale="zh_Hans", author="a", now=now
        )
    await editor.content.refresh(force=True)
    assert "新的帮助" not in await ask(2)  # the bot process has not checked yet
    clock.advance(seconds=3)
    assert await refresh_content(bot) == 1
    assert "新的帮助" in await ask(3) and "新的帮助" not in shipped
    for app in (editor, bot):
        await app.stop()
