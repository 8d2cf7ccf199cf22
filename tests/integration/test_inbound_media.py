"""Media on the inbound row (SQLite and PostgreSQL): kept by reference, never fetched, and a
message with only a picture is answered in words instead of being read as empty text."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import Application
from bot.inbound_retry import _inbound
from dialogs.types import Channel, Inbound, MediaRef, State
from storage.models import Conversation, InboundMessage
from tests.support.reads import sent_texts

DIRECTOR = "+8613800000002"
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
PHOTO = MediaRef(URL, "image/jpeg", None, "image")


def msg(pid: str, text: str = "", media: tuple[MediaRef, ...] = ()) -> Inbound:
    return Inbound(Channel.CONSOLE, DIRECTOR, pid, NOW, text=text, media=media)


async def row(app: Application, pid: str) -> InboundMessage:
    async with app.db.transaction() as s:
        return (
            await s.execute(select(InboundMessage).where(InboundMessage.provider_id == pid))
        ).scalar_one()


async def test_picture_only_is_kept_by_reference_and_answered(app: Application) -> None:
    await app.service.handle(msg("p1", media=(PHOTO,)))
    stored = await row(app, "p1")
    assert stored.media == [{"ref": URL, "type": "image/jpeg", "size": None, "kind": "image"}]
    assert stored.processed_at is not None
    [text] = await sent_texts(app, DIRECTOR)
    assert text.startswith("收到图片") and "“”" not in text


async def test_picture_during_a_visit_report_keeps_the_question(app: Application) -> None:
    """A director's picture during the report is for the visit (tests/integration/visits/
    test_visit_photos.py); the question before it still waits."""
    await app.service.handle(msg("v1", "走访"))
    async with app.db.transaction() as s:
        before = (await s.execute(select(Conversation.state))).scalar_one()
    await app.service.handle(msg("v2", media=(PHOTO,)))
    texts = await sent_texts(app, DIRECTOR)
    assert texts[-1].startswith("收到照片 1 张")
    assert not any("您的名单里没有" in t for t in texts)
    async with app.db.transaction() as s:
        after = (await s.execute(select(Conversation.state))).scalar_one()
    assert State.from_json(after).step == State.from_json(before).step


async def test_text_message_has_no_media_and_retry_rebuilds_it(app: Application) -> None:
    await app.service.handle(msg("t1", "帮助"))
    assert (await row(app, "t1")).media is None
    await app.service.store(msg("t2", "看图", media=(PHOTO,)))  # stored, not yet processed
    assert _inbound(await row(app, "t2")).media == (PHOTO,)
