"""Template versions: every registry change (code, text, variables, status …) is a new
version with who, when and what; a sent message records the version it used; the console
shows the history and can restore an old version (as a new one, back in review)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from bot.app import Application, build_app
from bot.clock import FakeClock
from storage.db import Database, alembic_config
from storage.models import OutboxMessage, SmsTemplateVersion
from storage.repos import mainland as repo
from storage.repos import outbox as outbox_repo
from tests.e2e.mainland.world import sms_settings
from tests.integration.console.support import Console, signed_in
from tests.standins.mainland_sms import AliyunSmsStandin
from tests.support.apps import make_settings

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
KEY = "welcome.known"  # "{name}，您好！"
PHONE = "+8613900000001"


async def send_one(app: Application) -> OutboxMessage:
    async with app.db.transaction() as s:
        row_id = await outbox_repo.enqueue(
            s, channel="sms", address=PHONE, lane=1, now=app.clock.now(),
            message={"key": KEY, "params": {"name": "张奶奶"}},
        )  # fmt: skip
    await app.dispatcher.run_until_idle(max_rounds=5)
    async with app.db.transaction() as s:
        row = await s.get(OutboxMessage, row_id)
        assert row is not None
        return row


async def history(app: Application) -> list[SmsTemplateVersion]:
    async with app.db.transaction() as s:
        row = await repo.template(s, KEY, "aliyun")
        assert row is not None
        return await repo.versions(s, row.id)


async def test_edits_and_syncs_are_versions_sends_name_theirs_and_a_restore_works(
    db: Database,
) -> None:
    with AliyunSmsStandin() as ali:
        clock = FakeClock(NOW)
        app = build_app(make_settings(db.url, **sms_settings(ali, None)), clock=clock)
        con = Console(app, clock)
        await con.add_user("admin1", "admin")
        try:
            async with con.client() as client:
                csrf = await signed_in(client, "admin1")
                form = {
                    "csrf_token": csrf, "key": KEY, "provider": "aliyun", "action": "save",
                    "template_code": "SMS_100", "sign_name": "护苗", "text": "${name}，您好！",
                    "variables": "name name 10",
                }  # fmt: skip

                async def sync() -> None:
                    r = await client.post("/console/sms-templates/sync", data={"csrf_token": csrf})
                    assert r.status_code == 303

                assert (
                    await client.post("/console/sms-templates/edit", data=form)
                ).status_code == 303
                ali.state.templates["SMS_100"] = ("护苗", "${name}，您好！", "1")
                clock.advance(minutes=5)
                await sync()  # v2: approved
                first = await send_one(app)
                assert first.status == "sent"
                v2 = (await history(app))[0]
                assert (v2.version, v2.status, v2.changes) == (2, "approved", ["status"])
                assert first.template_version_id == v2.id

                clock.advance(hours=1)
                edit = form | {"template_code": "SMS_101", "text": "${name}，您好！欢迎使用。"}
                assert (
                    await client.post("/console/sms-templates/edit", data=edit)
                ).status_code == 303
                await sync()  # SMS_101 is not approved at the provider: no change, no version
                assert (await send_one(app)).status == "failed"  # held: no approved template

                clock.advance(minutes=10)
                restored = await client.post(
                    "/console/sms-templates/restore",
                    data={"csrf_token": csrf, "template_id": str(v2.template_id), "version": "2"},
                )
                assert restored.status_code == 303 and "restored=2" in restored.headers["location"]
                await sync()  # SMS_100 is still approved there
                again = await send_one(app)
                assert again.status == "sent" and ali.state.sent[-1].template == "SMS_100"

                versions = await history(app)
                got = [(v.version, v.changes, v.status, v.changed_by, v.restored_from)
                       for v in versions]  # fmt: skip
                assert got == [
                    (5, ["status"], "approved", "user:admin1", None),
                    (4, ["template_code", "text"], "in_review", "user:admin1", 2),
                    (3, ["template_code", "text", "status"], "in_review", "user:admin1", None),
                    (2, ["status"], "approved", "user:admin1", None),
                    (1, ["created"], "in_review", "user:admin1", None),
                ], got
                assert versions[0].text == "${name}，您好！" and versions[2].text.endswith(
                    "欢迎使用。"
                )
                assert again.template_version_id == versions[0].id
                assert [v.changed_at for v in versions][-2:] == [
                    datetime(2026, 3, 2, 2, 5, tzinfo=UTC),
                    NOW,
                ]

                shown = await client.get(
                    f"/console/sms-templates/edit?key={KEY}&provider=aliyun&restored=2"
                )
                table = shown.text.split('id="history"')[1].split("</table>")[0]
                assert table.count("<tr id=") == 5 and "已恢复第 2 版" in shown.text
                assert "恢复自第 2 版" in table and "模板编号、原文" in table
                assert "admin1" in table and "user:" not in table
                assert table.count("恢复此版本") == 4  # every version but the current one
                sent = re.findall(r'data-label="已发送">(\d+)<', table)
                assert sent == ["1", "0", "0", "1", "0"]  # messages sent with v5 … v1
        finally:
            await app.stop()


async def test_restore_of_a_missing_version_is_404(db: Database) -> None:
    clock = FakeClock(NOW)
    app = build_app(make_settings(db.url), clock=clock)
    con = Console(app, clock)
    await con.add_user("admin2", "admin")
    try:
        async with con.client() as client:
            csrf = await signed_in(client, "admin2")
            r = await client.post(
                "/console/sms-templates/restore",
                data={"csrf_token": csrf, "template_id": "999", "version": "1"},
            )
            assert r.status_code == 404
            r = await client.post(
                "/console/sms-templates/restore",
                data={"csrf_token": csrf, "template_id": "x", "version": "1"},
            )
            assert r.status_code == 400
    finally:
        await app.stop()


def _upgrade(conn: Connection, url: str, to: str) -> None:
    cfg = alembic_config(url)
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, to)


async def test_the_migration_makes_todays_registry_version_1(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    database = Database(url)
    try:
        async with database.engine.begin() as conn:
            await conn.run_sync(_upgrade, url, "0011")
            await conn.execute(
                text(
                    "INSERT INTO sms_templates (key, provider, template_code, sign_name, text,"
                    " variables, template_class, status, updated_at, updated_by) VALUES"
                    " ('reminder.single', 'aliyun', 'SMS_1', '护苗', '${child}', '[]',"
                    " 'notification', 'approved', '2026-03-01 00:00:00', 'account:a')"
                )
            )
            await conn.run_sync(_upgrade, url, "head")
        async with database.transaction() as s:
            [v] = list((await s.execute(select(SmsTemplateVersion))).scalars())
            row = await repo.template(s, "reminder.single", "aliyun")
            assert row is not None and row.version == 1
            assert (v.template_id, v.version, v.status, v.changes, v.changed_by) == (
                row.id, 1, "approved", ["created"], "account:a",
            )  # fmt: skip
    finally:
        await database.dispose()
