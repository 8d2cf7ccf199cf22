"""Media end to end: an MMS picture through a signed Twilio webhook and a Telegram photo
through polling are kept by reference on the inbound row, nothing is fetched, and the sender
is answered in words (before, a director got "您的名单里没有“”")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import InboundMessage
from tests.e2e.helpers import SID, post_signed, seed_demo, sms, twilio_settings
from tests.standins import TelegramStandin, TwilioStandin
from tests.standins.telegram_state import DEFAULT_TOKEN
from tests.standins.telegram_updates import photo_update
from tests.support.apps import make_settings
from tests.support.eventually import eventually
from tests.support.live import LiveCareline

pytestmark = pytest.mark.e2e
DIRECTOR = "+8613800000002"
USER = 5002


@pytest.fixture(scope="module")
def twilio() -> Iterator[TwilioStandin]:
    with TwilioStandin() as standin:
        yield standin


@pytest.fixture(scope="module")
def telegram() -> Iterator[TelegramStandin]:
    with TelegramStandin() as standin:
        yield standin


async def stored(db: Database) -> list[InboundMessage]:
    async with db.transaction() as s:
        return list((await s.execute(select(InboundMessage).order_by(InboundMessage.id))).scalars())


async def test_mms_picture_is_kept_by_reference_and_answered(
    db: Database, twilio: TwilioStandin
) -> None:
    twilio.recorder.reset()
    await seed_demo(db)
    settings = lambda url: make_settings(db.url, public_url=url, **twilio_settings(twilio))  # noqa: E731
    media_url = f"{twilio.base_url}/2010-04-01/Accounts/{SID}/Messages/MM1/Media/ME1"
    form = {
        **sms("MM1", DIRECTOR, ""),
        "NumMedia": "1",
        "MediaUrl0": media_url,
        "MediaContentType0": "image/jpeg",
    }
    with LiveCareline(settings) as live:
        resp = await post_signed(live.url, "/webhooks/twilio", form)
        assert resp.status_code == 200
        [sent] = await twilio.recorder.wait_for_count(1, timeout=20)
    assert sent.to == DIRECTOR and sent.body.startswith("收到图片")
    [row] = await stored(db)
    assert row.media == [{"ref": media_url, "type": "image/jpeg", "size": None, "kind": "image"}]


async def test_telegram_photo_is_kept_by_file_id_and_never_downloaded(
    db: Database, telegram: TelegramStandin
) -> None:
    telegram.recorder.reset()
    await seed_demo(db)
    settings = lambda url: make_settings(  # noqa: E731
        db.url, public_url=url, telegram_token=DEFAULT_TOKEN, telegram_api_base=telegram.base_url
    )
    rec = telegram.recorder
    rec.files["AgADphoto1"] = b"\xff\xd8\xff" + b"0" * 100  # the stand-in could serve it
    with LiveCareline(settings) as _live:
        rec.push_update(photo_update(USER, "AgADphoto1"))
        [answer] = await rec.wait_for_count(1, timeout=20)
    assert answer.chat_id == USER and answer.text.startswith("收到图片")
    rows = await eventually(lambda: stored(db), lambda r: len(r) == 1)
    assert rows[0].media == [
        {"ref": "AgADphoto1", "type": "image/jpeg", "size": 48_000, "kind": "image"}
    ]
    assert rec.calls("getFile") == [] and rec.calls("file") == []
