"""Guardian consent (PIPL art. 31) gates reminders; consent is recorded in the console, by a
director in person (同意 A04) or by the guardian's reply to the consent message; the console
lists children without it; the nightly retention sweep deletes or anonymises what is past its
period (fake clock), and never touches open cases or a child's latest visit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.clock import FakeClock
from bot.privacy import retention
from bot.reminders import plan
from content.privacy import load_privacy
from storage.db import Database
from storage.models import (
    AuditEntry,
    Case,
    CaseEvent,
    Child,
    InboundMessage,
    OutboxMessage,
    Person,
    Visit,
)
from tests.integration.console.staffed import TOWNSHIP, staffed
from tests.integration.reminders.roster import Roster, ledger, outbox_rows
from tests.integration.visits.talk import EAST, say
from tests.support.apps import make_app

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
TWO_MONTHS = date(2026, 1, 2)  # IPV1 and DTaP1 fall due on 2026-03-02
VILLAGE = f"{TOWNSHIP}-V1"


async def test_no_reminders_about_a_child_under_14_without_consent(db: Database) -> None:
    app = make_app(db.url, FakeClock(NOW))
    try:
        async with app.db.transaction() as s:
            r = await Roster(s, NOW).setup()
            mum, dad = await r.person(), await r.person()
            without = await r.child(TWO_MONTHS, [mum], consent_at=None, consent_method=None)
            await r.child(TWO_MONTHS, [dad])
        result = await plan(app)
        rows = await outbox_rows(app)
        assert [row.address for row in rows] == [dad.phone]  # the consented child only
        statuses = {d.status for d in await ledger(app) if d.child_id == without.id}
        assert statuses == {"no_consent"} and result.no_consent >= 1
    finally:
        await app.stop()


def test_the_rules_carry_their_source() -> None:
    rules = load_privacy()
    assert rules.consent.required_under_age == 14 and "第三十一条" in rules.consent.source
    assert rules.consent.required(date(2013, 3, 3), date(2027, 3, 2))  # 13 the day before
    assert not rules.consent.required(date(2013, 3, 2), date(2027, 3, 2))
    for kind, keep in rules.retention.items():
        assert keep.source and keep.rule and keep.days > 0, kind
        assert keep.verified is False  # the periods are a deployment's choice, said so


async def test_consent_in_the_console_by_a_director_and_by_the_guardians_reply(
    db: Database,
) -> None:
    async with staffed(db) as staff:
        app = staff.app
        async with db.transaction() as session:
            for child in (await session.execute(select(Child))).scalars():
                child.consent_at = None
            a01 = (await session.execute(select(Child).where(Child.code == "A01"))).scalar_one()
        async with staff.signed_in("zhou") as (client, csrf):
            listing = (await client.get("/console/children?consent=missing")).text
            assert "A01" in listing and "未登记监护人同意的儿童" in listing
            page = (await client.get("/console/children/A01")).text
            assert "未登记同意" in page
            got = await client.post(
                "/console/children/A01/consent",
                data={"csrf_token": csrf, "action": "request", "area": VILLAGE},
            )
            assert got.status_code == 303
            assert "已于" in (await client.get("/console/children/A01")).text
        async with db.transaction() as session:
            request = (
                await session.execute(
                    select(OutboxMessage).where(
                        OutboxMessage.message["key"].as_string() == "consent.request"
                    )
                )
            ).scalar_one()
            guardian = (
                await session.execute(select(Person).where(Person.id == request.person_id))
            ).scalar_one()
        await app.dispatcher.run_until_idle()
        async with db.transaction() as session:
            sent = (await session.get(OutboxMessage, request.id)).text  # type: ignore[union-attr]
        assert sent and "A01" in sent and a01.name not in sent and "同意" in sent
        # the guardian answers 同意: recorded by reply, for the child asked about
        assert guardian.phone is not None
        thanks = await say(app, "同意", guardian.phone)
        assert thanks == ["谢谢，已登记您的同意。您随时可以联系儿童主任撤回。"]
        async with db.transaction() as session:
            child = await session.get(Child, a01.id)
            assert child is not None and child.consent_at is not None
            assert (child.consent_method, child.consent_guardian_id) == ("reply", guardian.id)
        # a director records consent given in person
        assert await say(app, "同意 A02", EAST) == ["已登记A02监护人的当面同意。"]
        async with staff.signed_in("zhou") as (client, csrf):
            listing = (await client.get("/console/children?consent=missing")).text
            assert "A01" not in listing and "A02" not in listing
            # withdrawn in the console, with a reason
            assert (
                await client.post(
                    "/console/children/A02/consent",
                    data={"csrf_token": csrf, "action": "withdraw", "area": VILLAGE},
                )
            ).status_code == 400
            got = await client.post(
                "/console/children/A02/consent",
                data={
                    "csrf_token": csrf,
                    "action": "withdraw",
                    "reason": "母亲要求撤回",
                    "area": VILLAGE,
                },
            )
            assert got.status_code == 303
            assert "A02" in (await client.get("/console/children?consent=missing")).text
        async with db.transaction() as session:
            actions = [
                (e.action, e.detail.get("method"))
                for e in (
                    await session.execute(
                        select(AuditEntry)
                        .where(AuditEntry.action.like("consent.%"))
                        .order_by(AuditEntry.id)
                    )
                ).scalars()
            ]
        assert actions == [
            ("consent.request", None),
            ("consent.record", "reply"),
            ("consent.record", "in_person"),
            ("consent.withdraw", None),
        ]


async def test_the_sweep_deletes_and_anonymises_what_is_past_its_period(db: Database) -> None:
    clock = FakeClock(NOW)
    app = make_app(db.url, clock)
    try:
        old, recent = NOW - timedelta(days=2000), NOW - timedelta(days=10)
        async with app.db.transaction() as s:
            r = await Roster(s, NOW).setup()
            mum = await r.person()
            child = await r.child(TWO_MONTHS, [mum])
            assert r.director is not None
            for n, day in enumerate((old.date(), (old + timedelta(days=1)).date(), recent.date())):
                s.add(Visit(child_id=child.id, director_id=r.director.id, kind="home",
                            visit_date=day, assessment="good", checklist={}, notes="n",
                            flags=[], next_due=day, dedup=f"d{n}", created_at=old,
                            updated_at=old))  # fmt: skip
            lone = await r.child(TWO_MONTHS, [mum])
            s.add(Visit(child_id=lone.id, director_id=r.director.id, kind="home",
                        visit_date=old.date(), assessment="good", checklist={}, notes="n",
                        flags=[], next_due=old.date(), dedup="lone", created_at=old,
                        updated_at=old))  # fmt: skip
            s.add(InboundMessage(channel="sms", provider_id="old1", address="+8613900000001",
                                 text="孩子的名字", received_at=old, processed_at=old,
                                 media=[{"ref": "AgAD1", "type": "image/jpeg"}]))  # fmt: skip
            s.add(InboundMessage(channel="sms", provider_id="new1", address="+8613900000002",
                                 text="新", received_at=recent, processed_at=recent))  # fmt: skip
            s.add(OutboxMessage(channel="sms", address="+8613900000001", lane=1,
                                message={"key": "x", "params": {"name": "张三"}}, text="张三",
                                status="sent", not_before=old, created_at=old))  # fmt: skip
            s.add(OutboxMessage(channel="sms", address="+8613900000003", lane=1,
                                message={"key": "x", "params": {}}, text="queued",
                                status="queued", not_before=old, created_at=old))  # fmt: skip
            for ref, status in (("C1", "closed"), ("C2", "open")):
                case = Case(ref=ref, category="neglect", severity="high", status=status,
                            source="screen", reporter_role="unknown", reporter_channel="sms",
                            reporter_address="+8613900000009", opened_at=old,
                            last_activity_at=old, location="村口",
                            closed_at=old if status == "closed" else None)  # fmt: skip
                s.add(case)
                await s.flush()
                s.add(CaseEvent(case_id=case.id, at=old, kind="created", actor="system",
                                detail={"text": "孩子被打"}))  # fmt: skip
            s.add(AuditEntry(at=old, actor="system", action="x", subject_type="y", detail={}))
            s.add(AuditEntry(at=recent, actor="system", action="z", subject_type="y", detail={}))
        result = await retention.sweep(app)
        assert result.counts == {
            "inbound": 1, "outbox": 1, "visits": 2, "closed_cases": 1, "audit": 1, "media": 0,
        }  # fmt: skip
        async with app.db.transaction() as s:
            visits = {
                (v.child_id, v.visit_date) for v in (await s.execute(select(Visit))).scalars()
            }
            # both visits older than 5 years go; the child's only (latest) visit is kept
            assert visits == {(child.id, recent.date()), (lone.id, old.date())}
            texts = {
                m.provider_id: (m.text, m.address, m.media)
                for m in (await s.execute(select(InboundMessage))).scalars()
            }
            assert texts["old1"] == ("", "erased", None) and texts["new1"][0] == "新"
            out = {m.text: m for m in (await s.execute(select(OutboxMessage))).scalars()}
            assert None in out and "queued" in out and "张三" not in out
            cases = {c.ref: c for c in (await s.execute(select(Case))).scalars()}
            assert cases["C1"].reporter_address == "erased" and cases["C1"].location is None
            assert cases["C2"].reporter_address == "+8613900000009"  # open: untouched
            events = {e.case_id: e.detail for e in (await s.execute(select(CaseEvent))).scalars()}
            assert events[cases["C1"].id] == {"erased": True}
            assert events[cases["C2"].id] == {"text": "孩子被打"}
            audits = [a.action for a in (await s.execute(select(AuditEntry))).scalars()]
            assert "x" not in audits and "z" in audits and "retention.sweep" in audits
        again = await retention.sweep(app)
        assert set(again.counts.values()) == {0}  # safe to repeat
    finally:
        await app.stop()


async def test_a_persons_data_is_exported_and_erased_except_for_open_cases(db: Database) -> None:
    async with staffed(db) as staff:
        async with db.transaction() as session:
            guardian = (
                (await session.execute(select(Person).where(Person.role == "guardian")))
                .scalars()
                .first()
            )
            assert guardian is not None and guardian.phone
            phone, name = guardian.phone, guardian.name
            case = Case(ref="C9", category="neglect", severity="high", status="open",
                        source="screen", reporter_role="guardian", reporter_channel="sms",
                        reporter_address=phone, reporter_person_id=guardian.id, opened_at=NOW,
                        last_activity_at=NOW)  # fmt: skip
            session.add(case)
        async with staff.signed_in("zhou") as (client, csrf):
            assert (
                await client.get(f"/console/people/{guardian.id}/export.json")
            ).status_code == 403
        async with staff.signed_in("root") as (client, csrf):
            got = await client.get(f"/console/people/{guardian.id}/export.json")
            assert got.status_code == 200
            data = got.json()
            assert data["person"]["name"] == name and data["person"]["phone"] == phone
            assert {c["code"] for c in data["children"]} >= {"A01"}
            refused = await client.post(
                f"/console/people/{guardian.id}/erase",
                data={"csrf_token": csrf, "reason": "本人申请"},
            )
            assert refused.status_code == 409 and "C9" in refused.text
            async with db.transaction() as session:
                (
                    await session.execute(select(Case).where(Case.ref == "C9"))
                ).scalar_one().status = "closed"
            done = await client.post(
                f"/console/people/{guardian.id}/erase",
                data={"csrf_token": csrf, "reason": "本人申请"},
            )
            assert done.status_code == 303
        async with db.transaction() as session:
            erased = await session.get(Person, guardian.id)
            assert erased is not None
            assert (erased.name, erased.phone, erased.active) == ("已删除", None, False)
            left = (
                await session.execute(select(Case.reporter_address).where(Case.ref == "C9"))
            ).scalar_one()
            assert left == "erased"
            entries = {
                e.action: e.detail
                for e in (
                    await session.execute(
                        select(AuditEntry).where(AuditEntry.action.like("person.%"))
                    )
                ).scalars()
            }
        assert set(entries) == {"person.export", "person.erase"}
        assert entries["person.erase"]["reason"] == "本人申请"
        assert entries["person.erase"]["counts"]["guardian_links"] >= 1
