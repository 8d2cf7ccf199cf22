"""A visit photo in the child's file: counted for the roles that see the child, fetched on
demand from a local Twilio stand-in over real HTTP (size and type checked, never cached),
every read audited; other roles get 403. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.visits.media_fetch import MAX_BYTES, MediaUnavailable, fetch_media
from dialogs.types import Channel, Inbound, MediaRef
from storage.db import Database
from storage.models import AuditEntry, VisitMedia
from tests.integration.console.staffed import Staff, staffed
from tests.integration.hotline.helpers import NOW
from tests.standins import TelegramStandin, TwilioStandin
from tests.standins.telegram_state import DEFAULT_TOKEN
from tests.standins.twilio_api import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from tests.support.apps import make_settings

EAST = "+8613800000002"  # 李主任, whose children A01-A05 are in the supervisor's township
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 2000


async def say(staff: Staff, pid: str, text: str, media: tuple[MediaRef, ...] = ()) -> None:
    await staff.app.service.handle(Inbound(Channel.SMS, EAST, pid, NOW, text=text, media=media))


async def test_photo_counted_opened_audited_and_refused(db: Database) -> None:
    with TwilioStandin() as twilio:
        rec = twilio.recorder
        good = twilio.base_url + rec.add_media("MM1", "ME1", JPEG, "image/jpeg")
        huge = twilio.base_url + rec.add_media(
            "MM2", "ME2", b"0" * (5 * 1024 * 1024 + 1), "image/jpeg"
        )
        html = twilio.base_url + rec.add_media("MM3", "ME3", b"<script>", "text/html")
        async with staffed(db) as staff:
            staff.app.settings = staff.app.settings.model_copy(
                update={
                    "twilio_account_sid": DEFAULT_ACCOUNT_SID,
                    "twilio_auth_token": DEFAULT_AUTH_TOKEN,
                    "twilio_api_base": twilio.base_url,
                }
            )
            await say(staff, "v1", "走访 A01 良好 电话 昨天 在校 无")
            for n, url in enumerate((good, huge, html), 1):
                await say(staff, f"p{n}", "照片 A01", (MediaRef(url, "image/jpeg"),))
            assert rec.media_fetches == []  # nothing fetched at receipt
            async with staff.app.db.transaction() as s:
                ids = list(
                    (await s.execute(select(VisitMedia.id).order_by(VisitMedia.id))).scalars()
                )
            assert len(ids) == 3
            async with staff.signed_in("zhou") as (client, _):
                page = await client.get("/console/children/A01")
                assert page.status_code == 200 and "照片 3 张" in page.text
                assert f'href="/console/media/{ids[0]}"' in page.text
                photo = await client.get(f"/console/media/{ids[0]}")
                assert photo.status_code == 200 and photo.content == JPEG
                assert photo.headers["content-type"] == "image/jpeg"
                assert "no-store" in photo.headers["cache-control"]
                too_big = await client.get(f"/console/media/{ids[1]}")
                wrong_type = await client.get(f"/console/media/{ids[2]}")
                assert (too_big.status_code, wrong_type.status_code) == (502, 502)
                assert "too_large" in too_big.text and "bad_type" in wrong_type.text
                assert "<script>" not in wrong_type.text
            async with staff.signed_in("chen") as (client, _):  # hotline: allowed
                assert (await client.get(f"/console/media/{ids[0]}")).status_code == 200
            await staff.user("ed", "director")  # no console role of its own
            async with staff.signed_in("ed") as (client, _):
                assert (await client.get(f"/console/media/{ids[0]}")).status_code == 403
            async with staff.app.db.transaction() as s:
                reads = list(
                    (
                        await s.execute(
                            select(AuditEntry.actor).where(
                                AuditEntry.action == "read",
                                AuditEntry.subject_type == "visit_media",
                            )
                        )
                    ).scalars()
                )
            assert len(reads) == 4  # zhou three times, chen once; the refused account none


async def test_a_telegram_photo_is_fetched_by_file_id_within_the_limit() -> None:
    with TelegramStandin() as telegram:
        rec = telegram.recorder
        rec.files["AgADok"] = JPEG
        rec.files["AgADbig"] = b"0" * (MAX_BYTES + 1)
        settings = make_settings(
            "sqlite+aiosqlite:///:memory:",
            telegram_token=DEFAULT_TOKEN,
            telegram_api_base=telegram.base_url,
        )

        def ref(file_id: str, size: int | None = None) -> VisitMedia:
            return VisitMedia(channel="telegram", ref=file_id, content_type="image/jpeg", size=size)

        fetched = await fetch_media(settings, ref("AgADok"))
        assert fetched.body == JPEG and fetched.content_type == "image/jpeg"
        for media, reason in (
            (ref("AgADbig"), "too_large"),  # getFile's file_size says so: not downloaded
            (ref("AgADbig", MAX_BYTES + 1), "too_large"),  # known at receipt: not even asked
            (ref("AgADnone"), "provider"),
        ):
            with pytest.raises(MediaUnavailable) as err:
                await fetch_media(settings, media)
            assert err.value.reason == reason
        assert [c.params["file_id"] for c in rec.calls("file")] == ["AgADok"]
