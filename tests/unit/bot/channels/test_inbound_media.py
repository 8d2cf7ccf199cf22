"""Media that comes with a message is parsed to references (never fetched), and a message
with only media gets a sensible answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiogram.types import Update

from bot.channels.sms import parse_inbound
from bot.channels.telegram import update_to_inbound
from content.keywords import Keywords
from dialogs import effects as fx
from dialogs.engine import Engine
from dialogs.types import Channel, Inbound, MediaRef, State
from tests.standins.telegram_updates import photo_update, text_message_update, voice_update
from tests.unit.dialogs.test_engine import GUARDIAN, ctx

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
PHOTO = MediaRef(URL, "image/jpeg")


def form(**extra: str) -> dict[str, str]:
    return {"MessageSid": "MM1", "From": "+8613800000002", "Body": "", **extra}


@pytest.mark.parametrize(
    ("name", "fields", "expected"),
    [
        ("no media", {"NumMedia": "0"}, ()),
        (
            "one picture",
            {"NumMedia": "1", "MediaUrl0": URL, "MediaContentType0": "image/jpeg"},
            (MediaRef(URL, "image/jpeg", None, "image"),),
        ),
        (
            "picture and audio",
            {
                "NumMedia": "2",
                "MediaUrl0": URL,
                "MediaContentType0": "image/png",
                "MediaUrl1": URL + "2",
                "MediaContentType1": "audio/amr",
            },
            (
                MediaRef(URL, "image/png", None, "image"),
                MediaRef(URL + "2", "audio/amr", None, "voice"),
            ),
        ),
        ("count without URL", {"NumMedia": "1"}, ()),
        ("not a web URL", {"NumMedia": "1", "MediaUrl0": "file:///etc/passwd"}, ()),
    ],
)
def test_twilio_media_fields(
    name: str, fields: dict[str, str], expected: tuple[MediaRef, ...]
) -> None:
    inbound = parse_inbound(form(**fields), NOW)
    assert inbound is not None
    assert inbound.media == expected, name


def test_telegram_photo_keeps_the_largest_size_by_file_id() -> None:
    update = Update.model_validate(
        {"update_id": 1, **photo_update(42, "AgAD-big", caption="照片 A04")}
    )
    inbound = update_to_inbound(update, NOW)
    assert inbound is not None
    assert inbound.media == (MediaRef("AgAD-big", "image/jpeg", 48_000, "image"),)
    assert inbound.text == "照片 A04"


def test_telegram_voice_and_plain_text() -> None:
    voice = update_to_inbound(
        Update.model_validate({"update_id": 2, **voice_update(42, "AwAD")}), NOW
    )
    assert voice is not None and voice.media == (MediaRef("AwAD", "audio/ogg", 9_000, "voice"),)
    text = update_to_inbound(
        Update.model_validate({"update_id": 3, **text_message_update(42, "帮助")}), NOW
    )
    assert text is not None and text.media == ()


def test_media_ref_round_trips_through_json() -> None:
    ref = MediaRef(URL, "image/jpeg", 10, "image")
    assert MediaRef.from_json(ref.to_json()) == ref


@pytest.mark.parametrize(
    ("media", "key"),
    [
        ((MediaRef(URL, "image/jpeg"),), "media.received"),
        ((MediaRef("AwAD", "audio/ogg", None, "voice"),), "media.voice_received"),
    ],
)
def test_media_only_is_answered_and_the_flow_waits(media: tuple[MediaRef, ...], key: str) -> None:
    engine = Engine(Keywords.load(), {})
    state = State(flow="visit", step="child", data={"x": 1})
    inbound = Inbound(Channel.SMS, "+8613800000002", "p1", NOW, media=media)
    outcome = engine.step(state, inbound, ctx(GUARDIAN))
    assert [r.key for r in outcome.replies] == [key]
    assert outcome.state.flow == "visit" and outcome.state.step == "child"


@pytest.mark.parametrize(
    ("state", "caption", "effect"),
    [
        (State(flow="visit", step="kind"), "", fx.AttachVisitPhotos((PHOTO,), None, True)),
        (State(), "", fx.AttachVisitPhotos((PHOTO,), None, False)),
        (State(), "照片 a04", fx.AttachVisitPhotos((PHOTO,), "A04", False)),
        (
            State(flow="visit", step="kind"),
            "相片 A02",
            fx.AttachVisitPhotos((PHOTO,), "A02", False),
        ),
    ],
)
def test_a_directors_photo_is_for_a_visit(state: State, caption: str, effect: object) -> None:
    engine = Engine(Keywords.load(), {})
    state = State(state.flow, state.step, state.data, ("p1", "p2"))
    inbound = Inbound(Channel.SMS, "+8613800000002", "p1", NOW, text=caption, media=(PHOTO,))
    outcome = engine.step(state, inbound, ctx())
    assert outcome.replies == () and outcome.effects == (effect,)
    assert outcome.state == state  # the question asked before keeps its numbered choices


def test_a_directors_photo_with_other_words_is_read_as_text() -> None:
    engine = Engine(Keywords.load(), {})
    inbound = Inbound(Channel.SMS, "+8613800000002", "p1", NOW, text="帮助", media=(PHOTO,))
    outcome = engine.step(State(), inbound, ctx())
    assert [r.key for r in outcome.replies] == ["help.director"] and outcome.effects == ()
