"""A video, sticker, audio or file without text is an attachment, answered "please write"
(media.attachment_received), never read as an empty text by a waiting flow (which answered
"您的名单里没有“”")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram.types import Update

from bot.channels.telegram import update_to_inbound
from bot.web.mainland_webhooks import wecom_inbound
from content.keywords import Keywords
from dialogs.engine import Engine
from dialogs.types import Channel, Inbound, MediaRef, State
from tests.standins.telegram_updates import text_message_update
from tests.unit.dialogs.test_engine import GUARDIAN, ctx

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
FILE = {"file_id": "BQAC", "file_unique_id": "u1", "file_size": 1000}
STICKER = FILE | {"width": 512, "height": 512, "is_animated": False, "is_video": False}
STICKER |= {"type": "regular"}
VIDEO = FILE | {"width": 640, "height": 480, "duration": 3, "mime_type": "video/mp4"}
NOTE = FILE | {"length": 240, "duration": 3}
AUDIO = FILE | {"duration": 30, "mime_type": "audio/mpeg"}


def telegram(field: str, value: dict[str, Any]) -> Inbound:
    raw = text_message_update(42, "")
    del raw["message"]["text"]
    raw["message"][field] = value
    inbound = update_to_inbound(Update.model_validate({"update_id": 9, **raw}), NOW)
    assert inbound is not None
    return inbound


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("sticker", STICKER, "file"),
        ("video", VIDEO, "file"),
        ("video_note", NOTE, "file"),
        ("audio", AUDIO, "voice"),
    ],
)
def test_telegram_attachments_come_by_reference(field: str, value: dict, kind: str) -> None:
    inbound = telegram(field, value)
    assert inbound.text == "" and [(m.ref, m.kind) for m in inbound.media] == [("BQAC", kind)]


@pytest.mark.parametrize(
    ("msg_type", "kind"),
    [("image", "image"), ("voice", "voice"), ("video", "file"), ("file", "file")],
)
def test_wecom_media_come_by_reference(msg_type: str, kind: str) -> None:
    msg = {"FromUserName": "lisi", "MsgType": msg_type, "MsgId": "1", "MediaId": "M1"}
    inbound = wecom_inbound(msg, NOW)
    assert inbound is not None and inbound.text == ""
    assert [(m.ref, m.kind) for m in inbound.media] == [("M1", kind)]


def test_a_wecom_text_has_no_media() -> None:
    msg = {"FromUserName": "lisi", "MsgType": "text", "MsgId": "2", "Content": "帮助"}
    inbound = wecom_inbound(msg, NOW)
    assert inbound is not None and inbound.media == ()


def test_an_attachment_is_answered_and_the_flow_waits() -> None:
    engine = Engine(Keywords.load(), {})
    state = State(flow="visit", step="child", data={"x": 1})
    media = (MediaRef("BQAC", "video/mp4", None, "file"),)
    inbound = Inbound(Channel.TELEGRAM, "42", "p1", NOW, media=media)
    outcome = engine.step(state, inbound, ctx(GUARDIAN))
    assert [r.key for r in outcome.replies] == ["media.attachment_received"]
    assert outcome.state.flow == "visit" and outcome.state.step == "child"
