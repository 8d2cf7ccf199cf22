"""End to end: the planner's reminder reaches a guardian through the Twilio stand-in, and
their signed SMS reply "1" records the dose."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
from sqlalchemy import select

from bot.clock import FakeClock
from bot.reminders import plan
from bot.web.server import create_web_app
from storage.db import Database
from storage.models import DoseGiven
from tests.integration.reminders.roster import Roster, outbox_rows
from tests.standins import TwilioStandin
from tests.standins.twilio_callbacks import SIGNATURE_HEADER, sign
from tests.support.apps import make_app

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
PUBLIC = "http://careline.test"


async def test_reminder_by_sms_and_a_signed_reply_records_the_dose(db: Database) -> None:
    with TwilioStandin() as twilio:
        rec = twilio.recorder
        app = make_app(
            db.url,
            FakeClock(NOW),
            twilio_account_sid=rec.account_sid,
            twilio_auth_token=rec.auth_token,
            twilio_from="+15005550006",
            twilio_api_base=twilio.base_url,
            public_url=PUBLIC,
        )
        try:
            async with app.db.transaction() as s:
                r = await Roster(s, NOW).setup()
                mum = await r.person(locale="en")
                child = await r.child(date(2026, 1, 2), [mum])
            assert (await plan(app)).messages == 1
            await app.dispatcher.run_once()
            (sent,) = await rec.wait_for_count(1, timeout=10)
            assert sent.to == mum.phone
            assert "DTaP dose 1" in sent.body and "Reply 1" in sent.body
            assert "孩子" not in sent.body and child.name not in sent.body  # given name only

            form = {
                "MessageSid": "SM-reply-1",
                "From": mum.phone or "",
                "To": "+15005550006",
                "Body": "1",
                "AccountSid": rec.account_sid,
            }
            url = PUBLIC + "/webhooks/twilio"
            web = create_web_app(app, background=False)
            transport = httpx.ASGITransport(app=web)
            async with httpx.AsyncClient(transport=transport, base_url=PUBLIC) as client:
                forged = await client.post(url, data=form, headers={SIGNATURE_HEADER: "x"})
                assert forged.status_code == 403
                signed = {SIGNATURE_HEADER: sign(url, rec.auth_token, form)}
                response = await client.post(url, data=form, headers=signed)
                assert response.status_code == 200
            async with app.db.transaction() as s:
                stmt = select(DoseGiven.code).where(DoseGiven.source == "guardian")
                codes = sorted((await s.execute(stmt)).scalars())
            assert codes == ["DTaP1", "IPV1"]
            await app.dispatcher.run_once()
            replies = await rec.wait_for_count(2, timeout=10)
            assert "recorded" in replies[-1].body.lower()
            assert [row.status for row in await outbox_rows(app)] == ["sent", "sent"]
        finally:
            await app.stop()
