"""A guardian on a basic phone: reminders by domestic SMS (Alibaba Cloud, then Tencent Cloud),
replies 1 / 退订 through the providers' up-link pushes. The SDKs talk real HTTP to the
stand-ins; the pushes reach Careline's routes as the providers send them."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.reminders import plan
from storage.db import Database
from storage.models import ChannelAddress, DoseGiven, Person, SmsReceipt
from tests.e2e.mainland.world import ALI_TOKEN, NOW, SIGN, TC_TOKEN, World, mainland_world
from tests.integration.reminders.roster import Roster
from tests.standins.mainland_sms import aliyun_report, aliyun_up, tencent_reply, tencent_status

pytestmark = pytest.mark.e2e
CHINA = ZoneInfo("Asia/Shanghai")


async def guardian_with_due_vaccine(w: World) -> tuple[Person, Person]:
    async with w.app.db.transaction() as s:
        r = await Roster(s, NOW).setup()
        gran = await r.person(name="张奶奶")
        await r.child(date(2026, 1, 2), [gran])
        assert r.director is not None
        return gran, r.director


async def test_reminder_goes_by_alibaba_template_and_reply_1_records_the_dose(db: Database) -> None:
    async with mainland_world(db.url) as w:
        gran, _ = await guardian_with_due_vaccine(w)
        assert (await plan(w.app)).messages == 1
        await w.run()
        [sent] = w.sent(gran.phone)
        assert sent.provider == "aliyun" and sent.sign_name == SIGN
        assert sent.phone == (gran.phone or "").removeprefix("+86")  # Alibaba: no +86
        assert all(isinstance(v, str) for v in sent.params.values())
        assert "百白破" in sent.params["lines"] and sent.ref is not None, sent
        [row] = await w.rows(address=gran.phone)
        assert (row.status, row.provider_id) == ("sent", f"aliyun:{sent.provider_id}")

        # The reply binds to the most recent open prompt for that phone (no conversation id).
        up = [aliyun_up(gran.phone or "", "１", 501, NOW)]  # full-width digit
        resp = await w.post(f"/webhooks/aliyun-sms/{ALI_TOKEN}/up", up)
        assert resp.status_code == 200 and resp.json() == {"code": 0, "msg": "成功"}
        again = await w.post(f"/webhooks/aliyun-sms/{ALI_TOKEN}/up", up)  # a repeated push
        assert again.json() == {"code": 0, "msg": "成功"}
        assert await w.inbound_count() == 1
        async with w.app.db.transaction() as s:
            codes = sorted((await s.execute(select(DoseGiven.code))).scalars())
        assert {"DTaP1", "IPV1"} <= set(codes)  # with the catch-up doses of the reminder
        await w.run()
        assert len(w.sent(gran.phone)) == 2  # the confirmation, also a template

        report = [aliyun_report(sent, NOW + timedelta(seconds=5))]
        for _ in range(3):  # Alibaba repeats pushes
            ok = await w.post(f"/webhooks/aliyun-sms/{ALI_TOKEN}/report", report)
            assert ok.json() == {"code": 0, "msg": "成功"}
        async with w.app.db.transaction() as s:
            receipts = list((await s.execute(select(SmsReceipt))).scalars())
        assert len(receipts) == 1 and receipts[0].outbox_id == row.id
        [row] = await w.rows(id=row.id)
        assert row.delivery_status == "delivered"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/webhooks/aliyun-sms/wrong-token-0123456789/up",
            [aliyun_up("+8613900000002", "1", 9, NOW)],
        ),
        ("/webhooks/aliyun-sms/wrong-token-0123456789/report", []),
        (
            "/webhooks/tencent-sms/wrong-token-0123456789/reply",
            tencent_reply("+8613900000002", "1", NOW),
        ),
        ("/webhooks/tencent-sms/wrong-token-0123456789/status", []),
        (f"/webhooks/aliyun-sms/{TC_TOKEN}/up", [aliyun_up("+8613900000002", "1", 9, NOW)]),
    ],
)
async def test_a_wrong_token_is_refused_and_nothing_is_stored(
    db: Database, path: str, body: object
) -> None:
    async with mainland_world(db.url) as w:
        resp = await w.post(path, body)
        assert resp.status_code == 403 and "Traceback" not in resp.text
        assert await w.inbound_count() == 0


async def test_bad_push_bodies_get_a_clear_400(db: Database) -> None:
    async with mainland_world(db.url) as w:
        resp = await w.http.post(f"/webhooks/aliyun-sms/{ALI_TOKEN}/up", content=b"not json")
        assert resp.status_code == 400 and "SmsUp" in resp.json()["error"]
        resp = await w.post(f"/webhooks/tencent-sms/{TC_TOKEN}/reply", [1, 2])
        assert resp.status_code == 400
        assert await w.inbound_count() == 0


@pytest.mark.parametrize("word", ["退订", "TD", "t", "R", "N"])
async def test_opt_out_gets_its_confirmation_and_nothing_more(db: Database, word: str) -> None:
    async with mainland_world(db.url) as w:
        gran, _ = await guardian_with_due_vaccine(w)
        await plan(w.app)
        await w.run()
        resp = await w.post(
            f"/webhooks/tencent-sms/{TC_TOKEN}/reply", tencent_reply(gran.phone or "", word, NOW)
        )
        assert resp.json() == {"result": 0, "errmsg": "OK"}
        await w.run()
        confirmation = w.sent(gran.phone)[-1]
        assert len(w.sent(gran.phone)) == 2
        async with w.app.db.transaction() as s:
            key = (
                await s.execute(
                    select(ChannelAddress.opted_out_at).where(ChannelAddress.address == gran.phone)
                )
            ).scalar_one()
        assert key is not None
        w.clock.advance(days=40)
        await plan(w.app)
        await w.run()
        assert w.sent(gran.phone)[-1] == confirmation  # nothing more


async def test_provider_1_down_sends_through_provider_2(db: Database) -> None:
    async with mainland_world(db.url) as w:
        gran, _ = await guardian_with_due_vaccine(w)
        w.ali.state.fail_next("isv.OUT_OF_SERVICE", "业务停机", times=1)
        await plan(w.app)
        await w.run()
        [sent] = w.sent(gran.phone)
        assert sent.provider == "tencent" and sent.phone == gran.phone
        assert isinstance(sent.params, list) and sent.params[0]
        [row] = await w.rows(address=gran.phone)
        assert row.status == "sent" and (row.provider_id or "").startswith("tencent:")

        status = [tencent_status(sent, NOW)]
        for _ in range(2):
            ok = await w.post(f"/webhooks/tencent-sms/{TC_TOKEN}/status", status)
            assert ok.json() == {"result": 0, "errmsg": "OK"}
        [row] = await w.rows(address=gran.phone)
        assert row.delivery_status == "delivered"


async def test_an_outage_at_both_is_retried_later_not_dropped(db: Database) -> None:
    async with mainland_world(db.url) as w:
        gran, _ = await guardian_with_due_vaccine(w)
        w.ali.state.fail_next("isp.SYSTEM_ERROR", "", times=1, http_status=500)
        w.tc.state.fail_next("InternalError.Timeout", "", times=1)
        await plan(w.app)
        await w.app.dispatcher.run_once()
        [row] = await w.rows(address=gran.phone)
        assert row.status == "queued" and row.not_before > NOW
        w.clock.advance(minutes=5)
        await w.run()
        [row] = await w.rows(address=gran.phone)
        assert row.status == "sent" and len(w.sent(gran.phone)) == 1


async def test_frequency_limit_defers_to_the_next_window(db: Database) -> None:
    async with mainland_world(db.url) as w:
        gran, _ = await guardian_with_due_vaccine(w)
        w.ali.state.fail_for(
            gran.phone.removeprefix("+86") if gran.phone else "",
            "isv.BUSINESS_LIMIT_CONTROL",
            "触发天级流控Permits:10",
            times=1,
        )
        await plan(w.app)
        await w.run()
        [row] = await w.rows(address=gran.phone)
        assert row.status == "queued" and row.error_code == "isv.BUSINESS_LIMIT_CONTROL"
        local = row.not_before.astimezone(CHINA)
        assert (local.date(), local.hour, local.minute) == (date(2026, 3, 3), 0, 0)
        assert w.tc.state.attempts == 0  # the recipient's limit: no failover, no hot retry
        attempts = w.ali.state.attempts
        await w.run()
        assert w.ali.state.attempts == attempts  # nothing before the window
        w.clock.set(row.not_before)
        await w.run()
        [row] = await w.rows(address=gran.phone)
        assert row.status == "sent" and row.attempts == 1


async def test_blacklisted_number_is_carrier_blocked_and_the_director_told(db: Database) -> None:
    async with mainland_world(db.url) as w:
        gran, director = await guardian_with_due_vaccine(w)
        await plan(w.app)
        await w.run()
        [sent] = w.sent(gran.phone)
        report = [aliyun_report(sent, NOW, success=False, err_code="W-BLACK")]
        assert (await w.post(f"/webhooks/aliyun-sms/{ALI_TOKEN}/report", report)).status_code == 200
        async with w.app.db.transaction() as s:
            addr = (
                await s.execute(
                    select(ChannelAddress).where(
                        ChannelAddress.channel == "sms", ChannelAddress.address == gran.phone
                    )
                )
            ).scalar_one()
        assert addr.unreachable_at is not None and (addr.unreachable_reason or "").startswith(
            "carrier_blocked"
        )
        await w.run()
        [told] = w.sent(director.phone)
        assert told.params["name"] == "张奶奶" and told.params["phone"] == gran.phone
        w.clock.advance(days=40)
        await plan(w.app)
        await w.run()
        assert len(w.sent(gran.phone)) == 1  # no more SMS to a blocked number


async def test_tencent_blacklist_on_send_blocks_too(db: Database) -> None:
    async with mainland_world(db.url) as w:
        gran, director = await guardian_with_due_vaccine(w)
        w.ali.state.fail_next("isv.DAY_LIMIT_CONTROL", "", times=None)  # account quota used up
        w.tc.state.fail_for(gran.phone or "", "FailedOperation.PhoneNumberInBlacklist", "blacklist")
        await plan(w.app)
        await w.run()
        [row] = await w.rows(address=gran.phone)
        assert (row.status, row.error_code) == ("failed", "carrier_blocked")
        await w.run()
        [told] = w.sent(director.phone)  # Alibaba's quota is still used up: via Tencent
        assert told.provider == "tencent" and "张奶奶" in told.params


async def test_a_key_without_an_approved_template_is_never_sent_as_free_text(db: Database) -> None:
    async with mainland_world(db.url, console=False) as w:
        gran, _ = await guardian_with_due_vaccine(w)
        await w.drop_templates("reminder.single")
        await w.drop_templates("reminder.digest")
        await plan(w.app)
        await w.run()
        assert w.sent(gran.phone) == []
        [row] = await w.rows(address=gran.phone)
        assert (row.status, row.error_code) == ("failed", "template_missing")
        assert "held" in (row.last_error or "")


async def test_a_missing_template_goes_to_the_persons_next_channel(db: Database) -> None:
    async with mainland_world(db.url) as w:  # the console channel is live (demo, simulator)
        gran, _ = await guardian_with_due_vaccine(w)
        await w.drop_templates("reminder.single")
        await w.drop_templates("reminder.digest")
        await plan(w.app)
        await w.run()
        assert w.sent(gran.phone) == []
        [sms_row] = await w.rows(channel="sms", address=gran.phone)
        assert sms_row.error_code == "template_missing" and "sent via console" in (
            sms_row.last_error or ""
        )
        [console_row] = await w.rows(channel="console", address=gran.phone)
        assert console_row.status == "sent" and console_row.message == sms_row.message


async def test_with_twilio_too_plus86_never_goes_through_twilio(db: Database) -> None:
    from tests.standins import TwilioStandin

    with TwilioStandin() as twilio:
        rec = twilio.recorder
        twilio_settings = {
            "twilio_account_sid": rec.account_sid, "twilio_auth_token": rec.auth_token,
            "twilio_from": "+15005550006", "twilio_api_base": twilio.base_url,
        }  # fmt: skip
        async with mainland_world(db.url, **twilio_settings) as w:
            async with w.app.db.transaction() as s:
                r = await Roster(s, NOW).setup()
                gran = await r.person(name="张奶奶")
                abroad = await r.person(name="Mr. He", phone="+14155550100", locale="en")
                await r.child(date(2026, 1, 2), [gran, abroad])
                await r.child(date(2026, 1, 3), [abroad])
            await plan(w.app)
            await w.run()
            assert len(w.sent(gran.phone)) >= 1
            assert {m.to for m in rec.records()} == {"+14155550100"}  # only the non-+86 number


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
async def test_a_forged_blacklist_report_with_a_wrong_token_changes_nothing(
    db: Database, provider: str
) -> None:
    """The reports can block a number: one pushed with a wrong token must not."""
    async with mainland_world(db.url) as w:
        gran, director = await guardian_with_due_vaccine(w)
        if provider == "tencent":
            w.ali.state.fail_next("isv.OUT_OF_SERVICE", "业务停机", times=1)
        await plan(w.app)
        await w.run()
        [sent] = w.sent(gran.phone)
        assert sent.provider == provider
        if provider == "aliyun":
            path = "/webhooks/aliyun-sms/wrong-token-0123456789/report"
            body: object = [aliyun_report(sent, NOW, success=False, err_code="W-BLACK")]
        else:
            path = f"/webhooks/tencent-sms/{ALI_TOKEN}/status"  # the other provider's token
            body = [tencent_status(sent, NOW, success=False, errmsg="PhoneNumberInBlacklist")]
        resp = await w.post(path, body)
        assert resp.status_code == 403
        async with w.app.db.transaction() as s:
            assert list((await s.execute(select(SmsReceipt))).scalars()) == []
            addr = (
                await s.execute(
                    select(ChannelAddress).where(
                        ChannelAddress.channel == "sms", ChannelAddress.address == gran.phone
                    )
                )
            ).scalar_one_or_none()
        assert addr is None or addr.unreachable_at is None
        [row] = await w.rows(address=gran.phone)
        assert row.delivery_status is None
        await w.run()
        assert w.sent(director.phone) == []  # nobody was told to call


async def test_tencent_repeated_reply_and_status_pushes_are_one_row_each(db: Database) -> None:
    async with mainland_world(db.url) as w:
        gran, _ = await guardian_with_due_vaccine(w)
        w.ali.state.fail_next("isv.OUT_OF_SERVICE", "业务停机", times=1)
        await plan(w.app)
        await w.run()
        [sent] = w.sent(gran.phone)
        status = [tencent_status(sent, NOW)]
        reply = tencent_reply(gran.phone or "", "1", NOW)
        for _ in range(3):  # Tencent retries a push twice more
            ok = await w.post(f"/webhooks/tencent-sms/{TC_TOKEN}/status", status)
            assert ok.json() == {"result": 0, "errmsg": "OK"}
            ok = await w.post(f"/webhooks/tencent-sms/{TC_TOKEN}/reply", reply)
            assert ok.json() == {"result": 0, "errmsg": "OK"}
        async with w.app.db.transaction() as s:
            receipts = list((await s.execute(select(SmsReceipt))).scalars())
        assert len(receipts) == 1 and receipts[0].provider == "tencent"
        assert await w.inbound_count() == 1
        await w.run()
        assert len(w.sent(gran.phone)) == 2  # one confirmation of the one reply
