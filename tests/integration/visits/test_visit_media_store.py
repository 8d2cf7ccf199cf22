"""Visit photos and voice notes kept in the media file store (SQLite and PostgreSQL): the
fetch job downloads them from a local Twilio or Telegram stand-in over real HTTP, retries a
500 with backoff on the fake clock, gives up after its attempts (or at once for a body that is
not what it claims) with the error on the row; the console then serves the stored file
(type from the bytes, nosniff, inline or attachment); a cancelled report deletes its media at
once, and the retention sweep deletes rows, files and orphans."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from bot.app import Application
from bot.media_store import MediaStore
from bot.privacy import retention
from bot.visits.media_job import MAX_ATTEMPTS, MediaFetcher
from dialogs.types import Channel, Inbound, MediaRef
from storage.db import Database
from storage.models import AuditEntry, VisitMedia
from tests.integration.console.staffed import Staff, staffed
from tests.integration.visits.talk import GUIDED
from tests.standins import TelegramStandin, TwilioStandin
from tests.standins.telegram_state import DEFAULT_TOKEN
from tests.standins.twilio_api import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from tests.support.apps import fake_clock
from tests.support.media_samples import AMR, HTML, JPEG, OGG_OPUS
from tests.support.reads import sent_texts

EAST = "+8613800000002"  # 李主任, whose children A01-A05 are in the supervisor's township
_pids = iter(range(1, 10_000))


def twilio_settings(staff: Staff, twilio: TwilioStandin) -> None:
    staff.app.settings = staff.app.settings.model_copy(
        update={
            "twilio_account_sid": DEFAULT_ACCOUNT_SID,
            "twilio_auth_token": DEFAULT_AUTH_TOKEN,
            "twilio_api_base": twilio.base_url,
        }
    )


async def say(app: Application, text: str, media: tuple[MediaRef, ...] = ()) -> list[str]:
    before = len(await sent_texts(app, EAST))
    await app.service.handle(
        Inbound(Channel.CONSOLE, EAST, f"m{next(_pids)}", app.clock.now(), text=text, media=media)
    )
    return (await sent_texts(app, EAST))[before:]


async def rows(app: Application) -> list[VisitMedia]:
    async with app.db.transaction() as s:
        return list((await s.execute(select(VisitMedia).order_by(VisitMedia.id))).scalars())


def store(app: Application) -> MediaStore:
    return MediaStore(app.settings.media_dir)


async def test_the_job_keeps_a_photo_after_a_500_and_the_console_serves_it(db: Database) -> None:
    with TwilioStandin() as twilio:
        rec = twilio.recorder
        url = twilio.base_url + rec.add_media("MM1", "ME1", JPEG, "image/jpeg")
        async with staffed(db) as staff:
            app, clock = staff.app, fake_clock(staff.app)
            twilio_settings(staff, twilio)
            await say(app, "走访 A01 良好 电话 昨天 在校 无")
            await say(app, "照片 A01", (MediaRef(url, "image/jpeg"),))
            assert rec.media_fetches == []  # nothing fetched at receipt: the job does it
            rec.media_failures.append(500)
            fetcher = MediaFetcher(app)
            first = await fetcher.run_once()
            assert (first.stored, first.failed, first.given_up) == (0, 1, 0)
            [row] = await rows(app)
            assert (row.fetch_attempts, row.fetch_error, row.fetched_at) == (1, "provider", None)
            assert row.fetch_retry_at == clock.now() + timedelta(minutes=1)
            assert (await fetcher.run_once()).failed == 0  # not due yet: nothing asked
            clock.advance(minutes=1)
            assert (await fetcher.run_once()).stored == 1
            [row] = await rows(app)
            assert row.fetched_at == clock.now() and row.fetch_retry_at is None
            assert (row.stored_path, row.stored_type, row.stored_size) == (
                str(row.id),
                "image/jpeg",
                len(JPEG),
            )
            assert row.fetch_error is None and row.sha256 and len(row.sha256) == 64
            assert store(app).read(row.id) == JPEG
            rec.media.clear()  # the provider forgot it: the console serves the stored file
            fetches = len(rec.media_fetches)
            async with staff.signed_in("zhou") as (client, _):
                photo = await client.get(f"/console/media/{row.id}")
            assert photo.status_code == 200 and photo.content == JPEG
            assert photo.headers["content-type"] == "image/jpeg"
            assert photo.headers["x-content-type-options"] == "nosniff"
            assert photo.headers["content-disposition"] == "inline"
            assert "no-store" in photo.headers["cache-control"]
            assert len(rec.media_fetches) == fetches
            async with app.db.transaction() as s:
                reads = (
                    await s.execute(
                        select(AuditEntry.id).where(
                            AuditEntry.action == "read", AuditEntry.subject_type == "visit_media"
                        )
                    )
                ).all()
            assert len(reads) == 1


async def test_the_job_gives_up_with_the_error_recorded(db: Database) -> None:
    with TwilioStandin() as twilio:
        rec = twilio.recorder
        down = twilio.base_url + rec.add_media("MM1", "ME1", JPEG, "image/jpeg")
        html = twilio.base_url + rec.add_media("MM2", "ME2", HTML, "image/jpeg")  # it says so
        async with staffed(db) as staff:
            app, clock = staff.app, fake_clock(staff.app)
            twilio_settings(staff, twilio)
            await say(app, "走访 A01 良好 电话 昨天 在校 无")
            await say(app, "照片 A01", (MediaRef(down, "image/jpeg"),))
            await say(app, "照片 A01", (MediaRef(html, "image/jpeg"),))
            fetcher = MediaFetcher(app)
            rec.media_failures.extend([500, 500])
            first = await fetcher.run_once()
            assert (first.failed, first.given_up) == (2, 0)  # two 500s: tried again later
            rec.media_failures.append(500)  # for the first row (oldest first); then the HTML
            clock.advance(minutes=1)
            second = await fetcher.run_once()
            assert (second.failed, second.given_up) == (2, 1)  # the HTML: refused for good
            given_up = 1
            for _ in range(MAX_ATTEMPTS - 2):
                clock.advance(hours=1)
                rec.media_failures.append(500)
                given_up += (await fetcher.run_once()).given_up
            assert given_up == 2
            clock.advance(hours=2)
            assert (await fetcher.run_once()).failed == 0  # nothing left to try
            down_row, html_row = await rows(app)
            assert (down_row.fetch_attempts, down_row.fetch_error) == (MAX_ATTEMPTS, "provider")
            assert (html_row.fetch_attempts, html_row.fetch_error) == (2, "bad_type")
            for row in (down_row, html_row):
                assert row.fetch_retry_at is None and row.fetched_at is None
            assert store(app).names() == []
            async with staff.signed_in("zhou") as (client, _):
                refused = await client.get(f"/console/media/{html_row.id}")
            assert refused.status_code == 502 and "bad_type" in refused.text
            assert "<script>" not in refused.text


async def test_a_telegram_voice_note_is_kept_and_downloaded(db: Database) -> None:
    with TelegramStandin() as telegram:
        telegram.recorder.files["AwACvoice"] = OGG_OPUS
        async with staffed(db) as staff:
            app = staff.app
            app.settings = app.settings.model_copy(
                update={"telegram_token": DEFAULT_TOKEN, "telegram_api_base": telegram.base_url}
            )
            await say(app, "走访 A01 良好 电话 昨天 在校 无")
            voice = MediaRef("AwACvoice", "audio/ogg", len(OGG_OPUS), "voice")
            [reply] = await say(app, "", (voice,))
            assert reply.startswith("语音已保存到 A01 的走访") and "请用文字说明" in reply
            [row] = await rows(app)
            assert row.kind == "voice" and row.visit_id is not None
            async with app.db.transaction() as s:  # sent by SMS here: as if from Telegram
                await s.execute(
                    update(VisitMedia).where(VisitMedia.id == row.id).values(channel="telegram")
                )
            assert (await MediaFetcher(app).run_once()).stored == 1
            [row] = await rows(app)
            assert row.stored_type == "audio/ogg"
            async with staff.signed_in("zhou") as (client, _):
                page = await client.get("/console/children/A01")
                assert "语音 1 条" in page.text and "下载语音 1" in page.text
                assert f'href="/console/media/{row.id}" download' in page.text
                got = await client.get(f"/console/media/{row.id}")
            assert got.status_code == 200 and got.content == OGG_OPUS
            assert got.headers["content-type"] == "audio/ogg"
            assert got.headers["content-disposition"] == (
                f'attachment; filename="voice-{row.id}.ogg"'
            )
            assert got.headers["x-content-type-options"] == "nosniff"


async def test_a_cancelled_report_deletes_its_media_at_once(db: Database) -> None:
    with TwilioStandin() as twilio:
        rec = twilio.recorder
        urls = [
            twilio.base_url + rec.add_media("MM1", "ME1", JPEG, "image/jpeg"),
            twilio.base_url + rec.add_media("MM2", "ME2", AMR, "audio/amr"),
        ]
        async with staffed(db) as staff:
            app = staff.app
            twilio_settings(staff, twilio)
            for text in GUIDED[:3]:
                await say(app, text)
            [pending] = await say(app, "", (MediaRef(urls[0], "image/jpeg"),))
            assert pending.startswith("收到照片 1 张")
            [voice] = await say(app, "", (MediaRef(urls[1], "audio/amr", None, "voice"),))
            assert voice.startswith("收到语音 1 条") and "请用文字说明" in voice
            assert (await MediaFetcher(app).run_once()).stored == 2
            assert len(store(app).names()) == 2
            await say(app, "取消")
            assert await rows(app) == [] and store(app).names() == []
            async with app.db.transaction() as s:
                audited = (
                    await s.execute(
                        select(AuditEntry.detail).where(
                            AuditEntry.action == "visit_media_discarded"
                        )
                    )
                ).scalar_one()
            assert audited == {"count": 2}


async def test_retention_deletes_rows_files_and_orphans(db: Database) -> None:
    with TwilioStandin() as twilio:
        rec = twilio.recorder
        url = twilio.base_url + rec.add_media("MM1", "ME1", JPEG, "image/jpeg")
        async with staffed(db) as staff:
            app, clock = staff.app, fake_clock(staff.app)
            twilio_settings(staff, twilio)
            photo: Any = (MediaRef(url, "image/jpeg"),)
            await say(app, "走访 A01 良好 电话 昨天 在校 无")
            await say(app, "照片 A01", photo)
            for text in GUIDED[:3]:  # a report left unfinished: its photo stays pending
                await say(app, text)
            await say(app, "", photo)
            assert (await MediaFetcher(app).run_once()).stored == 2
            media = store(app)
            (media.root / "9999").write_bytes(JPEG)  # a file whose row is long gone
            kept = await retention.sweep(app)
            assert kept.counts["media"] == 0 and kept.files == 1
            assert len(media.names()) == 2
            clock.advance(days=5 * 366)
            swept = await retention.sweep(app)
            assert swept.counts["media"] == 2
            assert await rows(app) == [] and media.names() == []


async def test_erasing_a_director_deletes_the_media_no_visit_holds(db: Database) -> None:
    with TwilioStandin() as twilio:
        rec = twilio.recorder
        url = twilio.base_url + rec.add_media("MM1", "ME1", JPEG, "image/jpeg")
        async with staffed(db) as staff:
            app = staff.app
            twilio_settings(staff, twilio)
            photo = (MediaRef(url, "image/jpeg"),)
            await say(app, "走访 A01 良好 电话 昨天 在校 无")
            await say(app, "照片 A01", photo)  # on the visit: part of the child's file
            for text in GUIDED[:3]:
                await say(app, text)
            await say(app, "", photo)  # pending: the director's own
            assert (await MediaFetcher(app).run_once()).stored == 2
            on_visit, pending = await rows(app)
            async with staff.signed_in("root") as (client, csrf):
                done = await client.post(
                    f"/console/people/{pending.director_id}/erase",
                    data={"csrf_token": csrf, "reason": "本人申请"},
                )
            assert done.status_code == 303
            assert [r.id for r in await rows(app)] == [on_visit.id]
            assert store(app).names() == [str(on_visit.id)]
            async with app.db.transaction() as s:
                detail = (
                    await s.execute(
                        select(AuditEntry.detail).where(AuditEntry.action == "person.erase")
                    )
                ).scalar_one()
            assert detail["counts"]["pending_media"] == 1
