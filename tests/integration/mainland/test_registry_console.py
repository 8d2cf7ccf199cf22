"""The SMS template registry in the console: list with handset preview, count and lints;
edit with preview; a changed template goes back to review; sync with the providers' APIs
(through the real SDKs to the stand-ins); export for approval; held messages listed."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from bot.app import build_app
from bot.clock import FakeClock
from storage.db import Database
from storage.repos import mainland as repo
from tests.e2e.mainland.world import sms_settings
from tests.integration.console.support import Console, signed_in
from tests.standins.mainland_sms import AliyunSmsStandin, TencentSmsStandin
from tests.support.apps import make_settings

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
KEY = "welcome.known"  # "{name}，您好！"


async def test_registry_edit_preview_sync_export(db: Database) -> None:
    with AliyunSmsStandin() as ali, TencentSmsStandin() as tc:
        clock = FakeClock(NOW)
        app = build_app(make_settings(db.url, **sms_settings(ali, tc)), clock=clock)
        con = Console(app, clock)
        await con.add_user("admin1", "admin")
        try:
            async with con.client() as client:
                csrf = await signed_in(client, "admin1")
                listing = await client.get("/console/sms-templates")
                assert listing.status_code == 200 and "/console/sms-templates/edit" in listing.text

                new = await client.get(f"/console/sms-templates/edit?key={KEY}&provider=aliyun")
                assert "${name}，您好！" in new.text  # started from the catalog text

                form = {
                    "csrf_token": csrf, "key": KEY, "provider": "aliyun",
                    "template_code": "SMS_100", "sign_name": "护苗", "text": "${name}，您好！",
                    "variables": "name name 10",
                }  # fmt: skip
                shown = await client.post(
                    "/console/sms-templates/edit", data=form | {"action": "preview"}
                )
                assert shown.status_code == 200
                assert (
                    "【护苗】{name}，您好！" in shown.text and "14 字，1 条" in shown.text
                )  # the sample counts {name}

                bad = form | {"text": "${name}，您好！详见 www.example.cn", "action": "save"}
                refused = await client.post("/console/sms-templates/edit", data=bad)
                assert refused.status_code == 422 and "含链接" in refused.text

                saved = await client.post(
                    "/console/sms-templates/edit", data=form | {"action": "save"}
                )
                assert saved.status_code == 303
                async with app.db.transaction() as s:
                    row = await repo.template(s, KEY, "aliyun")
                    assert row is not None and row.status == "in_review"

                ali.state.templates["SMS_100"] = ("护苗", "${name}，您好！", "1")  # approved
                synced = await client.post("/console/sms-templates/sync", data={"csrf_token": csrf})
                assert synced.status_code == 303 and "synced=1-1-0" in synced.headers["location"]
                async with app.db.transaction() as s:
                    row = await repo.template(s, KEY, "aliyun")
                    assert (
                        row is not None and row.status == "approved" and row.synced_at is not None
                    )

                listing = await client.get("/console/sms-templates")
                assert "【护苗】{name}，您好！" in listing.text and "已通过" in listing.text

                export = await client.get("/console/sms-templates/export.csv")
                [line] = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
                assert (
                    line["text"] == "${name}，您好！"
                    and line["handset_sample"] == "【护苗】{name}，您好！"
                )
        finally:
            await app.stop()


async def test_a_provider_text_that_differs_is_not_approved_for_us(db: Database) -> None:
    with AliyunSmsStandin() as ali:
        clock = FakeClock(NOW)
        app = build_app(make_settings(db.url, **sms_settings(ali, None)), clock=clock)
        try:
            async with app.db.transaction() as s:
                await repo.upsert_template(
                    s, key=KEY, provider="aliyun", now=NOW, template_code="SMS_7",
                    sign_name="护苗", text="${name}，您好！", variables=[], status="approved",
                )  # fmt: skip
            ali.state.templates["SMS_7"] = ("护苗", "${name}您好，欢迎", "1")
            from bot.mainland.registry import sync_statuses

            sms = app.channels["sms"]
            counts = await sync_statuses(app.db, sms.providers, NOW)  # type: ignore[attr-defined]
            assert counts == {"checked": 1, "changed": 1, "failed": 0}
            async with app.db.transaction() as s:
                row = await repo.template(s, KEY, "aliyun")
                assert row is not None and row.status == "rejected"
        finally:
            await app.stop()


async def test_held_messages_are_listed_for_administrators(db: Database) -> None:
    from storage.models import OutboxMessage

    clock = FakeClock(NOW)
    app = build_app(make_settings(db.url), clock=clock)
    con = Console(app, clock)
    await con.add_user("admin2", "admin")
    try:
        async with app.db.transaction() as s:
            for error in (
                "no approved template for 'x'; held",
                "no approved template; sent via wecom",
            ):
                s.add(OutboxMessage(
                    channel="sms", address="+8613900000009", lane=2, status="failed",
                    message={"key": "reminder.single", "params": {}}, not_before=NOW,
                    error_code="template_missing", last_error=error, created_at=NOW,
                ))  # fmt: skip
        async with con.client() as client:
            await signed_in(client, "admin2")
            page = await client.get("/console/sms-templates")
            held = page.text.split('id="held"')[1].split("</ul>")[0]
            assert held.count("<li>") == 1 and "reminder.single" in held and "+86139…" in held
    finally:
        await app.stop()
