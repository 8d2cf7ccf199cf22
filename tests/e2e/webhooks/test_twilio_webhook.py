"""SMS end to end: signed Twilio webhooks in over real HTTP, replies out through the real
twilio client to a local stand-in of Twilio's REST API. One table of webhook cases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import ChannelAddress, InboundMessage, OutboxMessage
from tests.e2e.helpers import (
    OUR_NUMBER,
    SID,
    TOKEN,
    count,
    post_signed,
    seed_demo,
    sms,
    twilio_settings,
)
from tests.standins import TwilioStandin, send_status_callback, twilio_api
from tests.support.apps import make_settings
from tests.support.eventually import eventually
from tests.support.live import LiveCareline

DIRECTOR = "+8613800000002"
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def twilio() -> Iterator[TwilioStandin]:
    with TwilioStandin() as standin:
        yield standin


@pytest.fixture
async def live(db: Database, twilio: TwilioStandin) -> Iterator[LiveCareline]:
    twilio.recorder.reset()
    await seed_demo(db)
    server = LiveCareline(
        lambda url: make_settings(db.url, public_url=url, **twilio_settings(twilio))
    )
    with server:
        yield server


@pytest.mark.parametrize(
    ("name", "params", "signing", "status", "stored"),
    [
        ("valid", sms("SM-valid", DIRECTOR, "帮助"), {}, 200, 1),
        ("forged signature", sms("SM-forged", DIRECTOR, "帮助"), {"forge": True}, 403, 0),
        ("missing signature", sms("SM-nosig", DIRECTOR, "帮助"), {"sign": False}, 403, 0),
        ("signed with another token", sms("SM-tok", DIRECTOR, "帮助"), {"token": "wrong"}, 403, 0),
        ("missing From", {"MessageSid": "SM-nofrom", "Body": "帮助"}, {}, 400, 0),
        ("media only, no body", {**sms("SM-media", DIRECTOR, ""), "NumMedia": "1"}, {}, 200, 1),
    ],
)
async def test_webhook_table(
    live: LiveCareline,
    db: Database,
    name: str,
    params: dict[str, str],
    signing: dict[str, object],
    status: int,
    stored: int,
) -> None:
    resp = await post_signed(live.url, "/webhooks/twilio", params, **signing)  # type: ignore[arg-type]
    assert resp.status_code == status, resp.text
    assert "Traceback" not in resp.text
    if status == 200:
        assert resp.headers["content-type"].startswith("text/xml")
        assert "<Response>" in resp.text
    assert await count(db, InboundMessage) == stored


async def test_help_reply_reaches_twilio(live: LiveCareline, twilio: TwilioStandin) -> None:
    resp = await post_signed(live.url, "/webhooks/twilio", sms("SM1", DIRECTOR, "帮助"))
    assert resp.status_code == 200
    [sent] = await twilio.recorder.wait_for_count(1, timeout=20)
    assert sent.to == DIRECTOR and sent.from_ == OUR_NUMBER
    assert sent.body.startswith("儿童主任可用")
    assert sent.status_callback == live.url + "/webhooks/twilio/status"


async def test_replayed_message_sid_is_one_row(
    live: LiveCareline, db: Database, twilio: TwilioStandin
) -> None:
    for _ in range(3):
        resp = await post_signed(live.url, "/webhooks/twilio", sms("SM-dup", DIRECTOR, "帮助"))
        assert resp.status_code == 200
    await twilio.recorder.wait_for_count(1, timeout=20)
    assert await count(db, InboundMessage) == 1
    assert await count(db, OutboxMessage) == 1


async def test_stop_then_no_reminder_but_her_own_question_is_answered(
    live: LiveCareline, db: Database, twilio: TwilioStandin
) -> None:
    """STOP ends reminders and digests on every channel (issue 10 item 7, see
    tests/integration/hotline/test_opt_out_per_person.py); a conversation the person starts
    herself is still answered."""
    await post_signed(live.url, "/webhooks/twilio", sms("SM-s1", DIRECTOR, "STOP"))
    [confirm] = await twilio.recorder.wait_for_count(1, timeout=20)
    assert confirm.body.startswith("已退订")
    await post_signed(live.url, "/webhooks/twilio", sms("SM-s2", DIRECTOR, "帮助"))
    async with db.transaction() as s:
        await_rows = (await s.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars()
        rows = list(await_rows)
    assert len(rows) == 2
    [_, answer] = await twilio.recorder.wait_for_count(2, timeout=20)
    assert answer.to == DIRECTOR and not answer.body.startswith("已退订")


async def test_429_then_success_is_sent_once(
    live: LiveCareline, db: Database, twilio: TwilioStandin
) -> None:
    twilio.recorder.script.add(twilio_api.rate_limited(times=1))
    await post_signed(live.url, "/webhooks/twilio", sms("SM-429", DIRECTOR, "帮助"))
    # The dispatcher backs off 5 s after a 429 without retry-after, then sends.
    await twilio.recorder.wait_for_count(1, timeout=30)

    async def row() -> tuple[str, int]:
        async with db.transaction() as s:
            r = (await s.execute(select(OutboxMessage))).scalar_one()
            return r.status, r.attempts

    assert await eventually(row, lambda v: v[0] != "sending") == ("sent", 2)
    assert [a.status for a in twilio.recorder.attempts()] == [429, 201]


async def test_status_callbacks_and_21610(
    live: LiveCareline, db: Database, twilio: TwilioStandin
) -> None:
    await post_signed(live.url, "/webhooks/twilio", sms("SM-cb", DIRECTOR, "帮助"))
    [sent] = await twilio.recorder.wait_for_count(1, timeout=20)

    async def provider_id() -> str | None:
        async with db.transaction() as s:
            return (await s.execute(select(OutboxMessage.provider_id))).scalar_one()

    await eventually(provider_id, lambda v: v == sent.sid)
    url = live.url + "/webhooks/twilio/status"
    ok = await send_status_callback(
        url,
        TOKEN,
        {"MessageSid": sent.sid, "MessageStatus": "delivered", "AccountSid": SID, "To": DIRECTOR},
    )
    assert ok.status_code == 204
    forged = await send_status_callback(
        url, "wrong-token", {"MessageSid": sent.sid, "MessageStatus": "failed"}
    )
    assert forged.status_code == 403
    stop = await send_status_callback(
        url,
        TOKEN,
        {
            "MessageSid": sent.sid,
            "MessageStatus": "undelivered",
            "ErrorCode": "21610",
            "To": DIRECTOR,
        },
    )
    assert stop.status_code == 204
    async with db.transaction() as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
        addr = (
            await s.execute(
                select(ChannelAddress).where(
                    ChannelAddress.channel == "sms", ChannelAddress.address == DIRECTOR
                )
            )
        ).scalar_one()
    assert (row.delivery_status, row.error_code) == ("undelivered", "21610")
    assert addr.opted_out_at is not None
